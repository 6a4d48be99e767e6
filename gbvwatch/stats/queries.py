"""Reads for the coalition statistics: coded fields only, across the organisations that share."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django.db.models import BooleanField, ExpressionWrapper, IntegerField, Q, QuerySet
from django.db.models.functions import Coalesce, ExtractYear

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


def _year_of(*fields: str) -> Coalesce:
    """The year of the first of these dates that is set, computed by the database."""
    return Coalesce(*[ExtractYear(f) for f in fields], output_field=IntegerField())


def _both(prefix: str = "") -> ExpressionWrapper[Q]:
    """True when the record consented to being counted and to being shared with the coalition."""
    consent = Q(**{f"{prefix}consent_statistics": True, f"{prefix}consent_coalition": True})
    return ExpressionWrapper(consent, output_field=BooleanField())


def _in_year(rows: QuerySet[Any], year: int | None) -> QuerySet[Any]:
    return rows if year is None else rows.filter(year=year)


def incident_rows(organisation_ids: list[int], year: int | None) -> Iterator[tuple[Any, ...]]:
    """(organisation, year, type, district code, age band, gender identity, disability,
    counts) of the incidents of these organisations; counts is True when both consents hold."""
    rows = Incident.objects.filter(organisation_id__in=organisation_ids).annotate(
        year=_year_of("incident_date", "reported_date", "first_contact_date"), counts=_both()
    )
    return (
        _in_year(rows, year)
        .order_by()
        .values_list(
            "organisation_id",
            "year",
            "type",
            "unit__code",
            "age_band",
            "gender_identity",
            "disability",
            "counts",
        )
        .iterator(chunk_size=5000)
    )


def attack_rows(organisation_ids: list[int], year: int | None) -> Iterator[tuple[Any, ...]]:
    """(organisation, year, kinds, platform, counts) of the attacks of these organisations."""
    rows = Attack.objects.filter(organisation_id__in=organisation_ids).annotate(
        year=_year_of("started_on", "detected_on", "reported_on"), counts=_both()
    )
    return (
        _in_year(rows, year)
        .order_by()
        .values_list("organisation_id", "year", "attack_types", "platform", "counts")
        .iterator(chunk_size=5000)
    )


def complaint_rows(organisation_ids: list[int], year: int | None) -> Iterator[tuple[Any, ...]]:
    """(organisation, year filed, status, authority, about an incident, counts) of the
    complaints of these organisations; counts is True when the case it is about counts."""
    case_counts = ExpressionWrapper(
        Q(incident__consent_statistics=True, incident__consent_coalition=True)
        | Q(attack__consent_statistics=True, attack__consent_coalition=True),
        output_field=BooleanField(),
    )
    rows = Complaint.objects.filter(organisation_id__in=organisation_ids).annotate(
        year=ExtractYear("filed_on"),
        counts=case_counts,
        about_incident=ExpressionWrapper(Q(incident__isnull=False), output_field=BooleanField()),
    )
    return (
        _in_year(rows, year)
        .order_by()
        .values_list("organisation_id", "year", "status", "authority", "about_incident", "counts")
        .iterator(chunk_size=5000)
    )


def unit_names() -> dict[str, str]:
    """District code -> its name in the active language."""
    return {unit.code: unit.display_name for unit in AdminUnit.objects.all()}


def releases() -> QuerySet[Release]:
    """Every release, newest first (releases belong to the whole coalition)."""
    return Release.objects.select_related("created_by", "approved_by")
