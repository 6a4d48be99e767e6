"""Reads of saved scenarios, scoped to the acting member's organisation."""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import Http404

from gbvwatch.core.access import active_membership
from gbvwatch.siting.models import Scenario


def scenarios_for(user: object) -> QuerySet[Scenario]:
    """The scenarios of the user's organisation (none without an active membership)."""
    membership = active_membership(user)
    if membership is None:
        return Scenario.objects.none()
    return Scenario.objects.filter(organisation_id=membership.organisation_id)


def scenario_get(user: object, scenario_id: int) -> Scenario:
    """One scenario of the user's organisation; another organisation's is a 404."""
    try:
        return scenarios_for(user).get(pk=scenario_id)
    except Scenario.DoesNotExist as exc:
        raise Http404 from exc
