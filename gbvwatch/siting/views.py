"""The siting planner page (form, map, results), saved scenarios compared side by side."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from gbvwatch.core.access import has_permission, member_required, signed_in
from gbvwatch.gaps.params import ParameterError
from gbvwatch.gaps.profiles import KIND_LABELS, PROFILES
from gbvwatch.geography.maps import boundary_map
from gbvwatch.geography.models import AdminUnit
from gbvwatch.siting import actions, labels, queries
from gbvwatch.siting.params import (
    SITING_KINDS,
    SitingParameters,
    capped_for_web,
    scenario_name,
    siting_parameters_from,
)
from gbvwatch.siting.report import siting_report


def _map(report: dict[str, Any]) -> dict[str, Any]:
    """Boundaries, demand points sized by women, existing services and chosen sites, in SVG."""
    demand = report["demand"]
    chosen = report["sites"]
    existing = report.get("existing_services", [])
    points = [(d["lon"], d["lat"]) for d in demand] + [(s["lon"], s["lat"]) for s in chosen]
    points += [(s["lon"], s["lat"]) for s in existing]
    drawn = boundary_map(points)
    xy = drawn.points_xy
    heaviest = max((d["women"] for d in demand), default=1) or 1
    return {
        "view_box": drawn.view_box,
        "shapes": [{"d": d, "unit": b.unit} for b, d in drawn.shapes],
        "demand": [
            {**d, "x": x, "y": y, "r": round(2 + 10 * (d["women"] / heaviest) ** 0.5, 1)}
            for d, (x, y) in zip(demand, xy[: len(demand)], strict=True)
        ],
        "sites": [
            {**s, "x": x, "y": y}
            for s, (x, y) in zip(chosen, xy[len(demand) : len(demand) + len(chosen)], strict=True)
        ],
        "existing": [
            {**s, "x": x, "y": y}
            for s, (x, y) in zip(existing, xy[len(demand) + len(chosen) :], strict=True)
        ],
    }


def _form_context(request: HttpRequest, params: Any) -> dict[str, Any]:
    return {
        "params": params,
        "kinds": [(k, KIND_LABELS.get(k, k)) for k in SITING_KINDS],
        "profiles": [(code, p.label) for code, p in PROFILES.items()],
        "objectives": [(code, str(label)) for code, label in labels.OBJECTIVES.items()],
        "units": AdminUnit.objects.order_by("code").only(
            "code", "name_en", "name_ru", "name_local"
        ),
        "scenarios": queries.scenarios_for(request.user)[:50],
        "can_save": has_permission(request.user, "scenarios.save"),
    }


def _what_parses(raw: Any) -> SitingParameters:
    """The parameters from every field of `raw` that parses alongside the ones before it
    (in the form's order); a field that does not is left at its default."""
    kept: dict[str, Any] = {}
    for key in raw:
        try:
            siting_parameters_from(capped_for_web({**kept, key: raw.get(key)}))
        except ParameterError:
            continue
        kept[key] = raw.get(key)
    return siting_parameters_from(capped_for_web(kept))


@member_required("directory.view")
def siting_page(request: HttpRequest) -> HttpResponse:
    """The form; with `run` in the query string, the solved scenario, its map and its proof."""
    report, error = None, ""
    try:
        params = siting_parameters_from(capped_for_web(request.GET))
    except ParameterError as exc:  # the form keeps every other value the member gave
        params, error = _what_parses(request.GET), str(exc)
    else:
        if "run" in request.GET:
            try:
                report = siting_report(params)
            except ParameterError as exc:
                error = str(exc)
    context = {
        **_form_context(request, params),
        "report": report,
        "error": error,
        "query": urlencode(params.query()),
        "map": _map(report) if report else None,
    }
    return render(request, "siting/siting.html", context, status=400 if error else 200)


@member_required("scenarios.save")
@require_POST
def scenario_save(request: HttpRequest) -> HttpResponse:
    """Solve the posted parameters again and keep the report under the posted name."""
    try:
        params = siting_parameters_from(capped_for_web(request.POST))
        name = scenario_name(request.POST.get("name", ""))
        report = siting_report(params)
    except ParameterError as exc:  # back to the form, filled in as it was posted
        messages.error(request, str(exc))
        query = urlencode(_what_parses(request.POST).query())
        return redirect(f"{reverse('siting:siting')}?{query}")
    scenario = actions.scenario_save(
        actor=signed_in(request),
        name=name,
        parameters=params.query(),
        report=report,
    )
    return redirect(reverse("siting:scenario_detail", kwargs={"scenario_id": scenario.pk}))


@member_required("directory.view")
def scenario_detail(request: HttpRequest, scenario_id: int) -> HttpResponse:
    """A saved scenario as it was computed, with its parameters to run it again."""
    scenario = queries.scenario_get(request.user, scenario_id)
    context = {
        "scenario": scenario,
        "report": scenario.report,
        "map": _map(scenario.report),
        "query": urlencode(scenario.parameters),
        "can_save": has_permission(request.user, "scenarios.save"),
    }
    return render(request, "siting/scenario.html", context)


@member_required("scenarios.save")
@require_POST
def scenario_delete(request: HttpRequest, scenario_id: int) -> HttpResponse:
    """Delete a saved scenario of the member's organisation."""
    scenario = queries.scenario_get(request.user, scenario_id)
    actions.scenario_delete(actor=signed_in(request), scenario=scenario)
    messages.success(request, _("The scenario was deleted."))
    return redirect(reverse("siting:siting"))


@member_required("directory.view")
def scenario_compare(request: HttpRequest) -> HttpResponse:
    """Saved scenarios side by side: objective, proof, sites, women reached, distances."""
    try:
        scenarios, error = queries.scenarios_compared(request.user, request.GET.getlist("ids")), ""
    except ParameterError as exc:
        scenarios, error = [], str(exc)
    rows = [
        {
            "scenario": s,
            "report": s.report,
            "sites": ", ".join(site.get("name", "") for site in s.report.get("sites", [])),
        }
        for s in scenarios
    ]
    return render(
        request,
        "siting/compare.html",
        {"rows": rows, "error": error},
        status=400 if error else 200,
    )
