"""Reads of saved scenarios, scoped to the acting member's organisation."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from gbvwatch.core.access import active_membership
from gbvwatch.gaps.params import ParameterError
from gbvwatch.siting.models import Scenario

MAX_COMPARED = 6


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


def scenarios_compared(user: object, ids: list[str]) -> list[Scenario]:
    """The user's organisation's scenarios of `ids` in the order given (others are left out);
    ParameterError names ids that are not numbers, or too many of them."""
    if not all(i.isascii() and i.isdigit() and len(i) < 12 for i in ids):
        raise ParameterError(_("ids: scenario numbers are whole numbers"))
    if len(ids) > MAX_COMPARED:
        raise ParameterError(
            _("ids: compare at most %(n)s scenarios at once") % {"n": MAX_COMPARED}
        )
    found = {s.pk: s for s in scenarios_for(user).filter(pk__in=ids)}
    return [found[int(i)] for i in dict.fromkeys(ids) if int(i) in found]


def scenario_about(scenario: Scenario) -> dict[str, Any]:
    """Which scenario: id, name, when, and the parameters to run it again."""
    return {
        "id": scenario.pk,
        "name": scenario.name,
        "created_at": scenario.created_at.isoformat(),
        "parameters": scenario.parameters,
    }


def scenario_row(scenario: Scenario) -> dict[str, Any]:
    """A saved scenario with its headline figures and the codes of its sites."""
    report = scenario.report
    return {
        **scenario_about(scenario),
        **{k: report.get(k) for k in ("objective", "objective_value", "bound", "gap", "status")},
        "sites": [site.get("code") for site in report.get("sites", [])],
    }


def comparison_row(scenario: Scenario) -> dict[str, Any]:
    """The figures the comparison shows side by side: the row, what was asked, what changes."""
    report = scenario.report
    assumptions = report.get("assumptions", {})
    return {
        **scenario_row(scenario),
        "kind": assumptions.get("kind"),
        "radius_km": assumptions.get("radius_km"),
        "add": scenario.parameters.get("add"),  # K asked (none for cover-all)
        "new_sites": len(report.get("sites", [])),  # sites chosen (fewer when more add nothing)
        **{k: report.get(k) for k in ("women_newly_within_radius", "before", "after")},
    }
