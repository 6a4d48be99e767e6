"""Scoped reads of incidents: every function takes the acting user; consent is enforced here."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.db.models import QuerySet

from gbvwatch.cases.models import Incident, Refusal
from gbvwatch.core.scoping import get_by_uuid_or_404, scope_to_organisation


def incidents_for(user: Any) -> QuerySet[Incident]:
    """Incidents of the user's organisation (coded fields; nothing decrypted)."""
    return scope_to_organisation(
        Incident.objects.select_related("unit", "assigned_to").prefetch_related("refusals"), user
    )


CONSENT_FIELDS = {
    "statistics": "consent_statistics",
    "referral": "consent_referral",
    "coalition": "consent_coalition",
    "advocacy": "consent_advocacy",
}
CODED_FILTERS = (
    "type",
    "unit",
    "gender_identity",
    "age_band",
    "disability",
    "perpetrator",
    "setting",
)


def incidents_filter(
    incidents: QuerySet[Incident], user: Any, criteria: Mapping[str, Any]
) -> QuerySet[Incident]:
    """Narrow a list by coded criteria (as IncidentFilterForm.filters() gives them)."""
    exact = {name: criteria[name] for name in CODED_FILTERS if name in criteria}
    incidents = incidents.filter(**exact)
    if "date_from" in criteria:
        incidents = incidents.filter(incident_date__gte=criteria["date_from"])
    if "date_to" in criteria:
        incidents = incidents.filter(incident_date__lte=criteria["date_to"])
    if "refusal" in criteria:
        refused = Refusal.objects.filter(reason=criteria["refusal"]).values("incident_id")
        incidents = incidents.filter(pk__in=refused)
    if "consent" in criteria:
        incidents = incidents.filter(**{CONSENT_FIELDS[criteria["consent"]]: True})
    if criteria.get("assigned") == "me":
        incidents = incidents.filter(assigned_to=user)
    elif criteria.get("assigned") == "none":
        incidents = incidents.filter(assigned_to__isnull=True)
    return incidents


def incident_get(user: Any, incident_id: str) -> Incident:
    """One incident of the user's organisation; another organisation's is a 404."""
    return get_by_uuid_or_404(incidents_for(user), incident_id)


def incidents_countable(organisation_id: int) -> QuerySet[Incident]:
    """Incidents whose survivor consented to being counted in statistics (only these count)."""
    return Incident.objects.filter(organisation_id=organisation_id, consent_statistics=True)


def incidents_referable(user: Any) -> QuerySet[Incident]:
    """Incidents that may be referred to a service (consent to referral)."""
    return incidents_for(user).filter(consent_referral=True)


def incidents_shareable_with_coalition() -> QuerySet[Incident]:
    """Across organisations: only incidents whose survivor consented to sharing and counting."""
    return Incident.objects.filter(consent_coalition=True, consent_statistics=True)
