"""The Gaps page (standards, choropleth of distance, charts, tables) and its JSON API."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render

from gbvwatch.core.access import member_required
from gbvwatch.gaps.params import ParameterError, parameters_from
from gbvwatch.gaps.profiles import KIND_LABELS, PROFILES
from gbvwatch.gaps.report import THRESHOLDS_KM, gaps_report
from gbvwatch.geography.maps import boundary_map

# Distance bands of the choropleth, in km, and the CSS class of each.
BANDS = ((50, "band-1"), (100, "band-2"), (200, "band-3"), (300, "band-4"))


def _band(road_km: float | None, reachable_anywhere: bool) -> str:
    if road_km is None:
        return "band-none" if reachable_anywhere else "band-noservice"
    return next((css for limit, css in BANDS if road_km <= limit), "band-5")


def _choropleth(report: dict[str, Any], kind: str) -> dict[str, Any]:
    rows = {u["id"]: u for u in report["access_tables"]["units"]}
    key = f"{kind}_road_km"
    any_service = any(r.get(key) is not None for r in rows.values())
    drawn = boundary_map([])
    shapes = []
    for boundary, d in drawn.shapes:
        km = rows.get(boundary.unit.code, {}).get(key)
        shapes.append({"d": d, "unit": boundary.unit, "km": km, "css": _band(km, any_service)})
    return {"view_box": drawn.view_box, "shapes": shapes}


def _bars(report: dict[str, Any], kind: str) -> list[dict[str, Any]]:
    """Share of women beyond each threshold, per profile, for a horizontal bar chart."""
    bars = []
    for row in report["access"]:
        if row["service_kind"] != kind:
            continue
        shares = row["share_of_women_beyond_km"]
        bars.append(
            {
                "profile": PROFILES[row["profile"]].label,
                "no_service": row["no_service"],
                "values": [(t, shares[str(t)], round(100 * shares[str(t)])) for t in THRESHOLDS_KM],
            }
        )
    return bars


def _standard_bars(report: dict[str, Any]) -> list[dict[str, Any]]:
    return [{**s, "met_percent": round(100 * s["share_met"], 1)} for s in report["standards"]]


@member_required("directory.view")
def gaps_page(request: HttpRequest) -> HttpResponse:
    """The gap analysis for the parameters in the query string (defaults otherwise)."""
    try:
        params = parameters_from(request.GET)
    except ParameterError as exc:
        params, error = parameters_from({}), str(exc)
    else:
        error = ""
    report = gaps_report(params)
    kind = request.GET.get("kind", "shelter")
    if kind not in {row["service_kind"] for row in report["access"]}:
        kind = "shelter"
    context = {
        "report": report,
        "error": error,
        "params": params,
        "kind": kind,
        "profiles": PROFILES,
        "kinds": sorted({row["service_kind"] for row in report["access"]}),
        "kind_choices": [
            (k, KIND_LABELS.get(k, k))
            for k in sorted({row["service_kind"] for row in report["access"]})
        ],
        "kind_label": KIND_LABELS.get(kind, kind),
        "availability": [
            {**v, "label": KIND_LABELS.get(v["service_kind"], v["service_kind"])}
            for v in report["availability"]
        ],
        "map": _choropleth(report, kind),
        "bars": _bars(report, kind),
        "standards": _standard_bars(report),
        "unreachable": sorted(
            {
                u
                for row in report["access"]
                if row["service_kind"] == kind
                for u in row["unreachable_unit_ids"]
            }
        ),
        "shelter_per_unit": next(
            (
                s["per_unit"]
                for s in report["standards"]
                if s["standard"] == "shelter_family_places"
            ),
            [],
        ),
        "capacity_rows": [
            {**row, "label": PROFILES[row["profile"]].label}
            for row in report["capacity_by_profile"]
        ],
    }
    return render(request, "gaps/gaps.html", context, status=400 if error else 200)


@member_required("directory.view")
def gaps_api(request: HttpRequest) -> JsonResponse:
    """The gap report as JSON (the contract of `gbvwatch gaps --format json`)."""
    try:
        params = parameters_from(request.GET)
    except ParameterError as exc:
        return JsonResponse({"detail": str(exc)}, status=400)
    return JsonResponse(gaps_report(params), json_dumps_params={"ensure_ascii": False})
