"""UPR recommendations as received; classification and tracking come with the UPR issue."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Recommendation(models.Model):
    """One recommendation of a UPR cycle, verbatim, with the state's response."""

    country = models.CharField(max_length=2, db_index=True)
    cycle = models.PositiveSmallIntegerField(_("cycle"))
    document = models.CharField(_("document"), max_length=40)
    number = models.CharField(_("paragraph"), max_length=20)
    recommending_states = models.CharField(_("recommending states"), max_length=500)
    text = models.TextField(_("text"))
    response = models.CharField(_("response"), max_length=40, blank=True)
    response_source = models.TextField(blank=True)

    class Meta:
        ordering = ["cycle", "document", "id"]
        constraints = [
            models.UniqueConstraint(fields=["country", "document", "number"], name="uniq_upr_rec")
        ]

    def __str__(self) -> str:
        return f"{self.document} {self.number}"
