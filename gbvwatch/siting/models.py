"""Saved siting scenarios: the parameters and the full report, owned by one organisation."""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gbvwatch.core.models import Organisation, User


class Scenario(models.Model):
    """One run of the siting planner kept for comparison; the report is stored as computed."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE)
    name = models.CharField(_("name"), max_length=120)
    parameters = models.JSONField(_("parameters"))
    report = models.JSONField(_("report"))
    created_by = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return self.name
