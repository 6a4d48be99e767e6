"""Scoped reads of incidents: every function takes the acting user; consent is enforced here."""

from __future__ import annotations

import uuid
from typing import Any

from django.db.models import QuerySet
from django.http import Http404

from gbvwatch.cases.models import Incident
from gbvwatch.core.scoping import scope_to_organisation


def incidents_for(user: Any) -> QuerySet[Incident]:
    """Incidents of the user's organisation (coded fields; nothing decrypted)."""
    return scope_to_organisation(
        Incident.objects.select_related("unit", "assigned_to").prefetch_related("refusals"), user
    )


def incident_get(user: Any, incident_id: str) -> Incident:
    """One incident of the user's organisation; another organisation's is a 404."""
    try:
        key = uuid.UUID(str(incident_id))
    except ValueError as exc:
        raise Http404 from exc
    incident = incidents_for(user).filter(pk=key).first()
    if incident is None:
        raise Http404
    return incident


def incidents_countable(organisation_id: int) -> QuerySet[Incident]:
    """Incidents whose survivor consented to being counted in statistics (only these count)."""
    return Incident.objects.filter(organisation_id=organisation_id, consent_statistics=True)


def incidents_referable(user: Any) -> QuerySet[Incident]:
    """Incidents that may be referred to a service (consent to referral)."""
    return incidents_for(user).filter(consent_referral=True)


def incidents_shareable_with_coalition() -> QuerySet[Incident]:
    """Across organisations: only incidents whose survivor consented to sharing and counting."""
    return Incident.objects.filter(consent_coalition=True, consent_statistics=True)
