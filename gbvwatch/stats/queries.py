"""Reads for the coalition statistics: coded fields only, across the organisations that share."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from django.db.models import QuerySet

from gbvwatch.accountability.models import Complaint
from gbvwatch.cases.models import Attack, Incident
from gbvwatch.geography.models import AdminUnit
from gbvwatch.stats.models import CoalitionConsent, Release


def sharing_organisation_ids() -> list[int]:
    """Organisations whose coordinator agreed to share their figures with the coalition."""
    return list(
        CoalitionConsent.objects.filter(shares=True)
        .order_by("organisation_id")
        .values_list("organisation_id", flat=True)
    )


def organisation_shares(organisation_id: int) -> bool:
    """Whether this organisation currently shares its figures."""
    return CoalitionConsent.objects.filter(organisation_id=organisation_id, shares=True).exists()


def incident_rows(organisation_ids: list[int]) -> Iterator[Mapping[str, Any]]:
    """Coded fields and consents of the incidents of these organisations (no ciphertext)."""
    return (
        Incident.objects.filter(organisation_id__in=organisation_ids)
        .order_by()
        .values(
            "id",
            "organisation_id",
            "type",
            "incident_date",
            "reported_date",
            "first_contact_date",
            "unit__code",
            "age_band",
            "gender_identity",
            "disability",
            "consent_statistics",
            "consent_coalition",
        )
        .iterator(chunk_size=2000)
    )


def attack_rows(organisation_ids: list[int]) -> Iterator[Mapping[str, Any]]:
    """Coded fields and consents of the digital attacks of these organisations."""
    return (
        Attack.objects.filter(organisation_id__in=organisation_ids)
        .order_by()
        .values(
            "id",
            "organisation_id",
            "started_on",
            "detected_on",
            "reported_on",
            "attack_types",
            "platform",
            "consent_statistics",
            "consent_coalition",
        )
        .iterator(chunk_size=2000)
    )


def complaint_rows(organisation_ids: list[int]) -> Iterator[Mapping[str, Any]]:
    """Coded fields of the complaints of these organisations and the case each is about."""
    return (
        Complaint.objects.filter(organisation_id__in=organisation_ids)
        .order_by()
        .values("organisation_id", "filed_on", "status", "authority", "incident_id", "attack_id")
        .iterator(chunk_size=2000)
    )


def unit_names() -> dict[str, str]:
    """District code -> its name in the active language."""
    return {unit.code: unit.display_name for unit in AdminUnit.objects.all()}


def releases() -> QuerySet[Release]:
    """Every release, newest first (releases belong to the whole coalition)."""
    return Release.objects.select_related("created_by", "approved_by")
