"""Reports of the coalition and their snapshots: the frozen data their figures came from."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gbvwatch.core.models import Organisation, User


class ReportKind(models.TextChoices):
    STATEMENT = "statement", _("UPR pre-session statement")
    SHADOW = "shadow", _("Shadow report")
    FACTSHEET = "factsheet", _("Factsheet")


class Report(models.Model):
    """A report an organisation writes: its kind, language and edited narrative blocks."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    title = models.CharField(_("title"), max_length=200)
    kind = models.CharField(_("type"), max_length=20, choices=ReportKind.choices)
    language = models.CharField(_("language"), max_length=8, choices=settings.LANGUAGES)
    year = models.PositiveSmallIntegerField(_("report year"))
    # Narrative block key -> text written by the coalition; a missing key uses the default text.
    narrative = models.JSONField(_("narrative blocks"), default=dict, blank=True)
    author = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated"), default=timezone.now)

    class Meta:
        ordering = ["-updated_at", "-created_at"]

    def __str__(self) -> str:
        return self.title


class ReportSnapshot(models.Model):
    """One generation of a report: the inputs as frozen, the figures and the hash of the inputs."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="snapshots")
    # {"gaps": ..., "upr": ..., "stats": ..., "services": [...]} without volatile fields.
    inputs = models.JSONField(_("inputs"))
    figures = models.JSONField(_("figures"))
    data_hash = models.CharField(_("data hash (SHA-256)"), max_length=64, db_index=True)
    parameters = models.JSONField(_("parameters"))
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    created_by = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.report_id} {self.data_hash[:12]}"


class JobState(models.TextChoices):
    RUNNING = "running", _("running")
    DONE = "done", _("done")
    FAILED = "failed", _("failed")


class ReportJob(models.Model):
    """One generation as it runs: its step and fraction, for a progress bar that another
    request reads. The id is handed out with the form, so a page can watch the job from the
    moment it is sent."""

    id = models.UUIDField(primary_key=True, editable=False)
    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="jobs")
    requested_by = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+")
    state = models.CharField(max_length=10, choices=JobState.choices, default=JobState.RUNNING)
    step = models.CharField(max_length=40, blank=True)
    fraction = models.FloatField(default=0.0)
    snapshot = models.ForeignKey(
        ReportSnapshot, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    error = models.TextField(blank=True)  # a message for the person, never a traceback
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.report_id} {self.state} {self.fraction:.0%}"
