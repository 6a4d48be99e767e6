"""Complaints filed with authorities or platforms about an incident or an attack, and the dated
responses that came back: the record behind "none of the cases were resolved or redressed".

Coded fields (authority, dates, status) are in clear so the accountability clock and the
impunity rate can be counted; the complaint's reference number and the responses' notes are
encrypted like every sensitive field (a per-record data key sealed to the organisation)."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from gbvwatch.cases.models import exactly_one_case


class Authority(models.TextChoices):
    POLICE = "police", _("Police")
    PROSECUTOR = "prosecutor", _("Prosecutor")
    OMBUDSMAN = "ombudsman", _("Ombudsman")
    COURT = "court", _("Court")
    PLATFORM = "platform", _("Platform (Meta, Telegram...)")
    OTHER = "other", _("Other authority")


class ComplaintStatus(models.TextChoices):
    NO_RESPONSE = "no_response", _("No response")
    REFUSED = "refused", _("Refused to act")
    INVESTIGATING = "investigating", _("Investigating")
    CLOSED_WITHOUT_ACTION = "closed_without_action", _("Closed without action")
    CHARGED = "charged", _("Someone charged")
    CONVICTED = "convicted", _("Someone convicted")
    REDRESSED = "redressed", _("Redressed")


# A complaint "had an outcome" once someone was charged or convicted, or the harm was redressed;
# every other status counts towards impunity (no investigation, or no outcome).
OUTCOME_STATUSES = frozenset(
    {ComplaintStatus.CHARGED, ComplaintStatus.CONVICTED, ComplaintStatus.REDRESSED}
)
COMPLAINT_SENSITIVE_FIELDS = ("reference",)
RESPONSE_SENSITIVE_FIELDS = ("note",)


class Complaint(models.Model):
    """One complaint about an incident or an attack, to one authority or platform."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    organisation = models.ForeignKey(
        "core.Organisation", on_delete=models.PROTECT, related_name="complaints"
    )
    incident = models.ForeignKey(
        "cases.Incident",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="complaints",
    )
    attack = models.ForeignKey(
        "cases.Attack", null=True, blank=True, on_delete=models.PROTECT, related_name="complaints"
    )
    authority = models.CharField(_("authority"), max_length=20, choices=Authority.choices)
    # In clear: the body, not a person ("Binagadi district police", "Meta").
    authority_name = models.CharField(_("name of the authority"), max_length=200, blank=True)
    filed_on = models.DateField(_("date filed"))
    # The latest known status, kept in step with the responses by the actions.
    status = models.CharField(
        _("status"),
        max_length=30,
        choices=ComplaintStatus.choices,
        default=ComplaintStatus.NO_RESPONSE,
    )
    status_on = models.DateField(_("status since"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    data_key_sealed = models.BinaryField(default=b"")
    data_key_version = models.PositiveIntegerField(default=1)
    reference_enc = models.BinaryField(default=b"")

    class Meta:
        ordering = ["-filed_on", "-created_at"]
        indexes = [models.Index(fields=["organisation", "status", "filed_on"])]
        constraints = [exactly_one_case("accountability_complaint_one_case")]

    def __str__(self) -> str:
        return f"{self.get_authority_display()} {self.filed_on}"

    @property
    def has_outcome(self) -> bool:
        """True once someone was charged or convicted, or the harm was redressed."""
        return self.status in OUTCOME_STATUSES


class ComplaintResponse(models.Model):
    """A dated answer (or a dated silence noted) from the authority; its note is encrypted."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    organisation = models.ForeignKey(
        "core.Organisation", on_delete=models.PROTECT, related_name="+"
    )
    complaint = models.ForeignKey(Complaint, on_delete=models.CASCADE, related_name="responses")
    received_on = models.DateField(_("date"))
    status = models.CharField(_("status"), max_length=30, choices=ComplaintStatus.choices)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    data_key_sealed = models.BinaryField(default=b"")
    data_key_version = models.PositiveIntegerField(default=1)
    note_enc = models.BinaryField(default=b"")

    class Meta:
        ordering = ["received_on", "created_at"]
