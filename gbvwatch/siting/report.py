"""The siting report: which K sites, what they change, and the proof of how good the answer is.

Every figure carries its inputs, assumptions and sources. The optimisation itself is
`gbvwatch.analysis.siting`; this module turns database rows into its arrays and back.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import asdict, replace
from typing import Any

import numpy as np
from django.conf import settings
from django.db.models import Max, Min
from numpy.typing import NDArray

from gbvwatch.analysis.access import nearest_services, nearest_services_by_road
from gbvwatch.analysis.siting import (
    Demand,
    SiteLoad,
    SitingError,
    SitingResult,
    capacitated_covering,
    problem_from_costs,
    siting_solve,
)
from gbvwatch.analysis.siting.travel import cost_matrix_by_road, cost_matrix_km
from gbvwatch.directory.models import Service
from gbvwatch.gaps import inputs as gap_inputs
from gbvwatch.gaps.params import ParameterError
from gbvwatch.gaps.profiles import PROFILES
from gbvwatch.gaps.report import ARRIVAL_INDICATORS
from gbvwatch.geography.models import AdminUnit
from gbvwatch.siting import inputs, labels
from gbvwatch.siting.params import DEFAULT_NEW_SITES, SitingParameters
from gbvwatch.siting.places import places_for

FloatArray = NDArray[np.float64]


def _objective_code(params: SitingParameters) -> str:
    return "cover_all" if params.objective == "cover-all" else params.objective


def _travel(
    params: SitingParameters, places: gap_inputs.Places, lats: FloatArray, lons: FloatArray,
    components: tuple[str, ...],
) -> FloatArray:  # fmt: skip
    """(places x sites) road km by the gap analysis' travel model."""
    if params.road_graph is not None:
        return cost_matrix_by_road(
            params.road_graph, places.lats, places.lons, lats, lons, snap_circuity=params.circuity
        )
    return cost_matrix_km(
        places.lats,
        places.lons,
        np.array(places.components),
        lats,
        lons,
        np.array(components),
        circuity=params.circuity,
    )


def _existing_km(
    params: SitingParameters, places: gap_inputs.Places, services: list[Service]
) -> FloatArray:
    if not services:
        return np.full(len(places.codes), math.inf)
    lats = np.array([s.lat for s in services], dtype=np.float64)
    lons = np.array([s.lon for s in services], dtype=np.float64)
    if params.road_graph is not None:
        return nearest_services_by_road(
            params.road_graph, places.lats, places.lons, lats, lons, snap_circuity=params.circuity
        ).road_km
    return nearest_services(
        places.lats,
        places.lons,
        np.array(places.components),
        lats,
        lons,
        np.array([gap_inputs.service_component(s) for s in services]),
        circuity=params.circuity,
    ).road_km


def _metrics(km: FloatArray, women: FloatArray, radius_km: float) -> dict[str, Any]:
    """Women within the radius, women-weighted mean km and farthest km (reachable women only)."""
    total = float(women.sum())
    reached = np.isfinite(km) & (women > 0)
    within = float(women[km <= radius_km].sum())
    reached_women = float(women[reached].sum())
    return {
        "women_within_radius": round(within),
        "share_within_radius": round(within / total, 4) if total else 0.0,
        "mean_km": round(float(women[reached] @ km[reached]) / reached_women, 1)
        if reached_women
        else None,
        "farthest_km": round(float(km[reached].max()), 1) if reached.any() else None,
        "women_without_any_service": round(float(women[~np.isfinite(km)].sum())),
    }


def _nearest_after(before: FloatArray, costs: FloatArray, sites: tuple[int, ...]) -> FloatArray:
    if not sites:
        return before
    return np.asarray(np.minimum(before, costs[:, list(sites)].min(axis=1)), dtype=np.float64)


def _per_profile(
    params: SitingParameters, places: gap_inputs.Places, costs: FloatArray, sites: tuple[int, ...]
) -> list[dict[str, Any]]:
    """Before and after for every profile, new sites assumed to accept each of them."""
    rows = []
    for code, profile in PROFILES.items():
        services = inputs.existing_services(SitingParameters(**{**_plain(params), "profile": code}))
        before = _existing_km(params, places, services)
        after = _nearest_after(before, costs, sites)
        rows.append(
            {
                "profile": code,
                "label": str(profile.label),
                "services": len(services),
                "before": _metrics(before, places.women, params.radius_km),
                "after": _metrics(after, places.women, params.radius_km),
            }
        )
    return rows


def _plain(params: SitingParameters) -> dict[str, Any]:
    return {f: getattr(params, f) for f in params.__dataclass_fields__}


def _arrivals(params: SitingParameters) -> tuple[float, str, list[dict[str, Any]]]:
    if params.arrivals_per_year is not None:
        return params.arrivals_per_year, "set by the user", []
    latest = gap_inputs.latest_figure(settings.COUNTRY, ARRIVAL_INDICATORS)
    if latest is None:
        return 0.0, "no figure", []
    source = {
        "title": latest.source,
        "indicator": latest.indicator,
        "year": latest.year,
        "value": latest.value,
        "url": latest.source_url,
    }
    basis = f"latest registered domestic-violence crimes ({latest.indicator}, {latest.year})"
    return float(latest.value), basis, [source]


def _solve_capacity(
    params: SitingParameters,
    places: gap_inputs.Places,
    problem: Any,
    services: list[Service],
) -> tuple[SitingResult, tuple[SiteLoad, ...], dict[str, Any], list[dict[str, Any]]]:
    from scipy.sparse import csr_matrix

    arrivals, basis, sources = _arrivals(params)
    women_total = float(places.women.sum())
    k = params.add or DEFAULT_NEW_SITES
    counted = places_for(params, services, k)
    existing_places = np.array(counted.existing, dtype=np.int64)
    existing_covers = csr_matrix(
        _travel(
            params,
            places,
            np.array([s.lat for s in services], dtype=np.float64),
            np.array([s.lon for s in services], dtype=np.float64),
            tuple(gap_inputs.service_component(s) for s in services),
        )
        <= params.radius_km
        if services
        else np.zeros((len(places.codes), 0), dtype=bool)
    )
    demand = Demand(
        arrivals_per_woman_year=arrivals / women_total if women_total else 0.0,
        mean_stay_days=params.mean_stay_days,
        target_probability=params.target_probability,
    )
    result, loads = capacitated_covering(
        problem,
        k,
        places_per_site=counted.per_new_site,
        existing_covers=existing_covers,
        existing_places=existing_places,
        demand=demand,
        exact=params.exact,
        time_limit_s=params.time_limit_s,
    )
    model = {
        "arrivals_per_year": arrivals,
        "arrivals_basis": basis,
        "mean_stay_days": params.mean_stay_days,
        "places_per_new_site": counted.per_new_site,
        "places_basis": counted.new_basis,
        "target_probability": params.target_probability,
        "existing_places": {s.code: int(p) for s, p in zip(services, existing_places, strict=True)},
        "existing_places_basis": counted.existing_basis,
        "model": "Erlang-B loss model (M/G/c/c) per site; a site carries at most the load at "
        "which its turn-away probability equals the target",
    }
    return result, loads, model, sources + counted.sources


def _site_rows(
    result: SitingResult, sites: inputs.Sites, locked: tuple[int, ...]
) -> list[dict[str, Any]]:
    return [
        {
            "rank": rank,
            "code": sites.codes[j],
            "name": sites.names[j],
            "lat": round(float(sites.lats[j]), 5),
            "lon": round(float(sites.lons[j]), 5),
            "component": sites.components[j],
            "locked": j in locked,
            "marginal_gain": _finite(gain),
        }
        for rank, (j, gain) in enumerate(zip(result.sites, result.gains, strict=False), start=1)
    ]


def _finite(value: float) -> float | None:
    return None if not math.isfinite(value) else round(value, 3)


def siting_report(params: SitingParameters) -> dict[str, Any]:
    """Solve the siting problem for the parameters; the JSON contract of `gbvwatch site`."""
    places = inputs.demand_places(params)
    sites = inputs.candidate_sites(params)
    services = inputs.existing_services(params)
    try:
        costs = _travel(params, places, sites.lats, sites.lons, sites.components)
        before = _existing_km(params, places, services)
    except ValueError as exc:  # SitingError, or a travel model refusing its inputs
        raise ParameterError(labels.refusal(exc)) from exc
    locked = tuple(sites.codes.index(c) for c in params.locked)
    objective = _objective_code(params)
    if params.add is None and objective != "cover_all":
        params = replace(params, add=max(len(locked), min(DEFAULT_NEW_SITES, len(sites.codes))))
    try:
        problem = problem_from_costs(
            costs, places.women, existing_km=before, radius_km=params.radius_km, locked=locked
        )
        capacity_model: dict[str, Any] | None = None
        loads: tuple[SiteLoad, ...] = ()
        sources: list[dict[str, Any]] = []
        if objective == "capacity":
            result, loads, capacity_model, sources = _solve_capacity(
                params, places, problem, services
            )
        else:
            result = siting_solve(
                problem,
                objective,
                params.add,
                exact=params.exact,
                time_limit_s=params.time_limit_s,
            )
    except SitingError as exc:
        raise ParameterError(labels.refusal(exc)) from exc
    after = _nearest_after(before, costs, result.sites)
    report: dict[str, Any] = {
        "country": settings.COUNTRY,
        "generated_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "objective": objective,
        "objective_value": round(result.objective_value, 6),
        "bound": round(result.bound, 6),
        "gap": round(result.gap, 9),
        "status": result.status,
        "method": result.method,
        "seconds": round(result.seconds, 3),
        "sites": _site_rows(result, sites, locked),
        "gain_unit": labels.gain_unit_in_english(objective),
        "women_newly_within_radius": round(
            float(places.women[(after <= params.radius_km) & ~(before <= params.radius_km)].sum())
        ),
        "before": _metrics(before, places.women, params.radius_km),
        "after": _metrics(after, places.women, params.radius_km),
        "per_profile": _per_profile(params, places, costs, result.sites),
        "existing_services": [_service_row(s) for s in services],
        "inputs": {
            "demand_points": len(places.codes),
            "candidate_sites": len(sites.codes),
            "women": round(float(places.women.sum())),
            "women_unreachable": round(result.unreachable_women),
        },
        "notes": list(result.notes),
        "assumptions": assumptions(params),
        "sources": _sources(services) + sources,
        "demand": [
            {"id": c, "name": n, "lat": float(la), "lon": float(lo), "women": round(float(w))}
            for c, n, la, lo, w in zip(
                places.codes, places.names, places.lats, places.lons, places.women, strict=True
            )
        ],
    }
    if capacity_model is not None:
        report["capacity"] = {
            **capacity_model,
            "sites": [
                _load_row(load, sites, services, capacity_model["existing_places_basis"])
                for load in loads
            ],
        }
    return report


def _load_row(
    load: SiteLoad, sites: inputs.Sites, services: list[Service], existing_basis: dict[str, str]
) -> dict[str, Any]:
    code = sites.codes[load.site] if load.site >= 0 else services[-1 - load.site].code
    return {
        "code": code,
        "new": load.site >= 0,
        "places_basis": "" if load.site >= 0 else existing_basis.get(code, ""),
        "women_served": round(load.women),
        "load_erlangs": round(load.load_erlangs, 3),
        "places": load.places,
        "turn_away_probability": round(load.turn_away_probability, 4),
    }


def _service_row(service: Service) -> dict[str, Any]:
    # A confidential address is shown at city precision only, as everywhere else.
    digits = 2 if service.address_confidential else 5
    return {
        "code": service.code,
        "name": service.name,
        "lat": round(float(service.lat or 0.0), digits),
        "lon": round(float(service.lon or 0.0), digits),
    }


def _sources(services: list[Service]) -> list[dict[str, Any]]:
    years = AdminUnit.objects.aggregate(lo=Min("population_year"), hi=Max("population_year"))
    rows: list[dict[str, Any]] = [
        {
            "title": "women per administrative unit (dataset units, "
            f"population year {years['lo']}-{years['hi']})",
            "what": "demand weights",
        }
    ]
    rows.extend(
        {"title": src.citation, "service": s.code, "url": src.url, "date": src.date}
        for s in services
        for src in s.sources.all()
    )
    return rows


def assumptions(params: SitingParameters) -> dict[str, Any]:
    """The parameters and modelling choices every figure above depends on."""
    values = {k: v for k, v in asdict(params).items() if k != "road_graph"}
    values["extra_sites"] = [asdict(s) for s in params.extra_sites]
    values["travel_model"] = (
        f"road graph '{params.road_graph_name}' (points snapped to nodes, snap x circuity)"
        if params.road_graph is not None
        else "great-circle distance x circuity factor, within one road-network component"
    )
    values["demand_weights"] = (
        "women of each unit at its administrative centre; cities inside a rayon weigh nothing"
        if params.demand == "units"
        else "settlement population x its unit's share of women"
    )
    values["candidates"] = (
        "every administrative unit's centre, less the removed, plus the added sites"
    )
    values["existing"] = (
        "operating services of the kind whose records say they accept the profile are kept; "
        + ("'not known' counted as accepting" if params.unknown_accepts else "'not known' is no")
    )
    values["new_sites"] = "each new site is assumed to accept the profile it is planned for"
    values["optimality"] = (
        "status 'optimal' means the bound equals the value (gap 0): no choice of sites does better"
    )
    return values
