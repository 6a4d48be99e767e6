"""The public find-help page: its editable texts, anonymous refusal reports, and the state that
keeps the report form safe without cookies (spent form tokens, keyed-hash rate buckets)."""

from __future__ import annotations

import uuid

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from gbvwatch.cases.models import RefusalReason


class TextSlot(models.TextChoices):
    """The places on the public page that coordinators can write."""

    INTRO = "intro", _("Introduction (top of the page)")
    HELPLINES = "helplines", _("Helplines and emergency numbers")
    SAFETY = "safety", _("Safety advice")
    REPORT = "report", _("Introduction of the refusal report")


class PageLanguage(models.TextChoices):
    AZ = "az", _("Azerbaijani")
    RU = "ru", _("Russian")
    EN = "en", _("English")


class PageText(models.Model):
    """One text of the public page in one language, written by a coordinator."""

    slot = models.CharField(_("place on the page"), max_length=20, choices=TextSlot.choices)
    language = models.CharField(_("language"), max_length=2, choices=PageLanguage.choices)
    text = models.TextField(_("text"), blank=True)
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        "core.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["slot", "language"], name="public_text_slot_language")
        ]
        ordering = ["slot", "language"]

    def __str__(self) -> str:
        return f"{self.slot} ({self.language})"


# The fields of a report that are encrypted (the rest is coded, counted without decryption).
REPORT_SEALED_FIELDS = ("service_code", "refused_on", "details")


class RefusalReport(models.Model):
    """An anonymous report, sent through the public page, that a service refused someone.

    Coded fields (kind of service, reason, month) are in clear so the gap analysis can count
    them; which service, the exact date and the free text are sealed to the coordinating
    organisation's public key: the visitor can encrypt, only that organisation can read."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    organisation = models.ForeignKey(
        "core.Organisation", on_delete=models.PROTECT, related_name="+"
    )
    service_kind = models.CharField(_("kind of service"), max_length=40)
    reason = models.CharField(_("reason"), max_length=20, choices=RefusalReason.choices)
    month = models.DateField(pgettext_lazy("refusal report", "month"))  # first day of the month
    received_on = models.DateField(_("received on"))  # a day, not a time: less to correlate
    dismissed = models.BooleanField(_("dismissed by a coordinator"), default=False)
    data_key_sealed = models.BinaryField(default=b"")
    data_key_version = models.PositiveIntegerField(default=1)
    service_code_enc = models.BinaryField(default=b"")
    refused_on_enc = models.BinaryField(default=b"")
    details_enc = models.BinaryField(default=b"")

    class Meta:
        ordering = ["-received_on", "id"]
        indexes = [models.Index(fields=["organisation", "-received_on"])]


class SpentFormToken(models.Model):
    """A report-form token already used, kept until it would have expired anyway."""

    digest = models.CharField(max_length=64, unique=True)
    expires_at = models.DateTimeField(db_index=True)


class RateBucket(models.Model):
    """Reports counted per visitor and window. The visitor is a keyed hash of her address under
    a key that lives only as long as the window: no address is stored, and once the key is gone
    nobody can test an address against an old bucket."""

    digest = models.CharField(max_length=64, unique=True)
    window_start = models.DateTimeField(db_index=True)
    count = models.PositiveIntegerField(default=0)


class RateKey(models.Model):
    """The random key of one rate-limit window; deleted with the window's buckets."""

    window_start = models.DateTimeField(unique=True)
    key = models.BinaryField()
