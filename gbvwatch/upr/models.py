"""UPR recommendations as received, their classification, and the coalition's tracking.

Recommendations are public UN documents and shared by the whole instance; assessments, claims
and links are the coalition's work, visible to every member, and record who made them.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class Response(models.TextChoices):
    SUPPORTED = "supported", pgettext_lazy("UPR response", "supported")
    NOTED = "noted", pgettext_lazy("UPR response", "noted")


class Status(models.TextChoices):
    NOT_IMPLEMENTED = "not_implemented", _("not implemented")
    PARTIAL = "partial", _("partially implemented")
    IMPLEMENTED = "implemented", _("implemented")
    REGRESSED = "regressed", _("regressed")


class EvidenceKind(models.TextChoices):
    GAP_FIGURE = "gap_figure", _("gap figure")
    SERVICE = "service", pgettext_lazy("support service", "service")
    CASE_STATISTIC = "case_statistic", _("case statistic")
    DOCUMENT = "document", _("document")
    URL = "url", _("web address")


class Recommendation(models.Model):
    """One recommendation of a UPR cycle, verbatim, with the state's response and the
    classification (automatic unless `classification_overridden`)."""

    country = models.CharField(max_length=2, db_index=True)
    cycle = models.PositiveSmallIntegerField(_("cycle"))
    document = models.CharField(_("document"), max_length=40)
    number = models.CharField(_("paragraph"), max_length=20)
    recommending_states = models.CharField(_("recommending states"), max_length=500)
    text = models.TextField(_("text"))
    response = models.CharField(_("response"), max_length=40, blank=True)
    response_source = models.TextField(blank=True)
    session = models.CharField(_("session"), max_length=40, blank=True)
    source_themes = models.TextField(_("themes given by the source"), blank=True)
    primary_group = models.CharField(_("group"), max_length=60, blank=True, db_index=True)
    themes = models.JSONField(_("themes"), default=list, blank=True)
    action_category = models.PositiveSmallIntegerField(_("action category"), null=True)
    leading_verb = models.CharField(max_length=40, blank=True)
    confidence = models.FloatField(default=0.0)
    action_confidence = models.FloatField(default=0.0)
    matched_words = models.JSONField(default=dict, blank=True)
    taxonomy_version = models.CharField(max_length=60, blank=True)
    classification_overridden = models.BooleanField(default=False)
    override_reason = models.TextField(blank=True)

    class Meta:
        ordering = ["cycle", "document", "id"]
        constraints = [
            models.UniqueConstraint(fields=["country", "document", "number"], name="uniq_upr_rec")
        ]

    def __str__(self) -> str:
        return f"{self.document} {self.number}"

    def states_list(self) -> list[str]:
        """The recommending states, one per entry."""
        return [s.strip() for s in self.recommending_states.split(";") if s.strip()]


class Assessment(models.Model):
    """The coalition's dated judgement of how far a recommendation has been implemented."""

    recommendation = models.ForeignKey(
        Recommendation, on_delete=models.CASCADE, related_name="assessments"
    )
    status = models.CharField(_("status"), max_length=20, choices=Status.choices)
    assessed_on = models.DateField(_("assessed on"))
    note = models.TextField(_("note"), blank=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    author_label = models.CharField(max_length=150)
    organisation = models.ForeignKey(
        "core.Organisation", on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-assessed_on", "-id"]
        indexes = [models.Index(fields=["recommendation", "assessed_on"])]


class EvidenceLink(models.Model):
    """What an assessment rests on: a gap figure, a service, a case statistic, a document or
    a web address."""

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="evidence")
    kind = models.CharField(_("kind"), max_length=20, choices=EvidenceKind.choices)
    label = models.CharField(_("description"), max_length=300)
    url = models.URLField(_("web address"), max_length=500, blank=True)
    service = models.ForeignKey(
        "directory.Service", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    key_figure = models.ForeignKey(
        "reference.KeyFigure", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["id"]


class GovernmentClaim(models.Model):
    """What the government says it has done, with its source, shown next to assessments."""

    recommendation = models.ForeignKey(
        Recommendation, on_delete=models.CASCADE, related_name="claims"
    )
    claimed_on = models.DateField(_("date of the claim"))
    claimed_status = models.CharField(_("status claimed"), max_length=20, choices=Status.choices)
    text = models.TextField(_("what the government says"))
    source = models.CharField(_("source"), max_length=300)
    url = models.URLField(_("web address"), max_length=500, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-claimed_on", "-id"]


class RecommendationLink(models.Model):
    """An earlier recommendation asked again in a later one (e.g. cycle after cycle)."""

    earlier = models.ForeignKey(Recommendation, on_delete=models.CASCADE, related_name="+")
    later = models.ForeignKey(Recommendation, on_delete=models.CASCADE, related_name="+")
    note = models.CharField(_("note"), max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]
        constraints = [models.UniqueConstraint(fields=["earlier", "later"], name="uniq_upr_link")]
