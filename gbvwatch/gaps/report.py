"""The service-gap report: standards, travel distance, capacity and availability, each figure
with its inputs, assumptions and sources. Computation is delegated to gbvwatch.analysis."""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np
from django.conf import settings
from django.db.models import Sum

from gbvwatch.analysis import capacity
from gbvwatch.analysis.access import Nearest, RoadGraph, nearest_services, nearest_services_by_road
from gbvwatch.analysis.access import women_beyond_km as beyond
from gbvwatch.analysis.availability import (
    Gap,
    ServiceSchedule,
    days_without_service,
    gap_for_any,
    gaps_for_places,
    open_hours_matrix,
)
from gbvwatch.analysis.hours import parse_hours
from gbvwatch.directory.models import Service, Tri
from gbvwatch.gaps import inputs
from gbvwatch.gaps.profiles import KIND_GROUPS, PROFILES, Profile, accepts
from gbvwatch.gaps.refusals import refusals_section
from gbvwatch.geography.models import AdminUnit
from gbvwatch.reference.models import KeyFigure, Standard

THRESHOLDS_KM = (50, 100, 200, 300)
ACCESS_KINDS = ("shelter", "crisis_centre", "rape_crisis_centre", "forensic_medical", "counselling")
AVAILABILITY_KINDS = ("forensic_medical", "rape_crisis_centre", "helpline", "shelter")
# A figure that may stand in when service-level capacities are incomplete.
REPORTED_AGGREGATES = {"shelter_family_places": "shelter_places_claimed"}
ARRIVAL_INDICATORS = ("dv_criminal_cases", "dv_crimes", "dv_crimes_registered")


@dataclass(frozen=True)
class GapParameters:
    """Everything a user may set; each value is echoed in the report's assumptions."""

    year: int
    circuity: float = 1.3
    profiles: tuple[str, ...] = tuple(PROFILES)
    persons_per_family_place: float = 2.0
    mean_stay_days: float = 90.0
    arrivals_per_year: float | None = None
    target_probability: float = 0.05
    availability_threshold_km: float = 100.0
    unknown_accepts: bool = False
    road_graph: RoadGraph | None = field(default=None, compare=False)
    road_graph_name: str = ""


def _source(figure: KeyFigure) -> dict[str, Any]:
    return {
        "title": figure.source,
        "indicator": figure.indicator,
        "year": figure.year,
        "value": figure.value,
        "unit": figure.unit,
        "source": figure.source,
        "url": figure.source_url,
        "notes": figure.notes,
    }


def _service_sources(services: list[Service]) -> list[dict[str, str]]:
    return [
        {
            "title": src.citation,
            "service": s.code,
            "citation": src.citation,
            "url": src.url,
            "date": src.date,
        }
        for s in services
        for src in s.sources.all()
    ]


# -- standards -------------------------------------------------------------------------------


def _totals() -> tuple[float, float]:
    agg = AdminUnit.objects.filter(counted_in_national_total=True).aggregate(
        population=Sum("population"), women=Sum("women")
    )
    return float(agg["population"] or 0), float(agg["women"] or 0)


def _available(
    standard: Standard, services: list[Service], params: GapParameters
) -> dict[str, Any]:
    """What is available towards a standard, and on what basis it was counted."""
    if standard.capacity_unit != "family_places":
        counted = (
            [s for s in services if s.open_24_7]
            if standard.code == "national_helpline"
            else services
        )
        basis = "services_counted"
        note = f"{len(counted)} operating services of kinds {standard.service_kinds}"
        if standard.code == "national_helpline":
            note += f" that are open 24/7 (of {len(services)} operating helplines)"
        return {"value": float(len(counted)), "basis": basis, "note": note, "figure": None}
    stated = [s for s in services if s.capacity is not None and s.capacity_unit]
    total = sum(
        capacity.to_family_places(
            float(s.capacity or 0),
            s.capacity_unit,
            persons_per_family_place=params.persons_per_family_place,
        )
        for s in stated
    )
    counts = {"stated": total, "unstated": len(services) - len(stated)}
    if len(stated) == len(services):
        note = f"sum of the stated capacities of {len(services)} operating services"
        return {
            "value": total,
            "basis": "service_capacities",
            "note": note,
            "figure": None,
            **counts,
        }
    aggregate = inputs.figure(settings.COUNTRY, REPORTED_AGGREGATES.get(standard.code, ""))
    note = f"{len(stated)} of {len(services)} operating services state a capacity"
    if aggregate is None:
        note += "; no reported aggregate; the sum of the stated capacities is a lower bound"
        return {
            "value": total,
            "basis": "service_capacities_incomplete",
            "note": note,
            "figure": None,
            **counts,
        }
    note += (
        f"; the reported aggregate '{aggregate.indicator}' ({aggregate.value:g} {aggregate.unit},"
        " each place one survivor, i.e. one family place) stands in"
    )
    return {
        "value": aggregate.value,
        "basis": "reported_aggregate",
        "note": note,
        "figure": aggregate,
        **counts,
    }


def standards_section(params: GapParameters) -> list[dict[str, Any]]:
    """Required, available, shortfall and ratio for every stored standard."""
    totals = _totals()
    return [standard_row(s, params, totals=totals) for s in Standard.objects.order_by("code")]


def standard_kinds(standard: Standard) -> tuple[str, ...]:
    """The directory kinds a standard counts."""
    return tuple(k.strip() for k in standard.service_kinds.split(",") if k.strip())


def standard_row(
    standard: Standard,
    params: GapParameters,
    *,
    per_unit: bool = True,
    totals: tuple[float, float] | None = None,
) -> dict[str, Any]:
    """One standard nationally: required, available (and on what basis), shortfall, ratio,
    inputs and sources; for a standard in family places, the stated capacities and how many
    services state none; with `per_unit`, the same per administrative unit. `totals`
    (population, women) saves the query when the caller has them."""
    population, women = totals or _totals()
    services = inputs.operating_services(standard_kinds(standard))
    available = _available(standard, services, params)
    spec = capacity.StandardSpec(
        code=standard.code,
        amount=standard.amount,
        per=standard.per,
        denominator=standard.denominator,
        counts=standard.capacity_unit,
    )
    result = capacity.coverage(
        spec, population=population, women=women, available=available["value"]
    )
    sources = [{"title": standard.source, "url": standard.source_url, "version": standard.version}]
    if available["figure"] is not None:
        sources.append(_source(available["figure"]))
    sources.extend(_service_sources(services))
    return {
        "standard": standard.code,
        "title": standard.title,
        "counts": standard.capacity_unit,
        "required": round(result.required, 2),
        "available": round(result.available, 2),
        "available_basis": available["basis"],
        "available_note": available["note"],
        "shortfall": round(result.shortfall, 2),
        "ratio_required_to_available": _round(result.ratio_required_to_available),
        "share_met": round(result.share_met, 4),
        "inputs": {
            "population": population,
            "women": women,
            "per": standard.per,
            "amount": standard.amount,
            "denominator": standard.denominator,
        },
        "sources": sources,
        **(
            {
                "stated_capacity": round(available["stated"], 2),
                "services_without_capacity": available["unstated"],
            }
            if "stated" in available
            else {}
        ),
        **({"per_unit": _per_unit(spec, services, params)} if per_unit else {}),
    }


def _service_amount(service: Service, spec: capacity.StandardSpec, params: GapParameters) -> float:
    """What one service contributes towards a standard (places converted, or one service)."""
    if spec.counts != "family_places":
        return 1.0
    if service.capacity is None or not service.capacity_unit:
        return 0.0
    return capacity.to_family_places(
        float(service.capacity),
        service.capacity_unit,
        persons_per_family_place=params.persons_per_family_place,
    )


def _per_unit(
    spec: capacity.StandardSpec, services: list[Service], params: GapParameters
) -> list[dict[str, Any]]:
    """Required and available in each unit counted in the national total (stated capacities
    only: a national aggregate cannot be split by place). Empty for national standards."""
    if spec.denominator == "national":
        return []
    in_unit: dict[int, float] = {}
    for service in services:
        unit_id = service.unit.parent_id or service.unit_id if service.unit else None
        if unit_id is not None:
            in_unit[unit_id] = in_unit.get(unit_id, 0.0) + _service_amount(service, spec, params)
    rows = []
    for unit in AdminUnit.objects.filter(counted_in_national_total=True).order_by("code"):
        result = capacity.coverage(
            spec,
            population=float(unit.population or 0),
            women=float(unit.women or 0),
            available=in_unit.get(unit.pk, 0.0),
        )
        rows.append(
            {
                "unit_id": unit.code,
                "required": round(result.required, 2),
                "available": round(result.available, 2),
                "shortfall": round(result.shortfall, 2),
            }
        )
    return rows


def _round(value: float | None, digits: int = 3) -> float | None:
    return None if value is None or not math.isfinite(value) else round(value, digits)


# -- travel distance --------------------------------------------------------------------------


def _nearest(places: inputs.Places, services: list[Service], params: GapParameters) -> Nearest:
    lats = np.array([s.lat for s in services], dtype=np.float64)
    lons = np.array([s.lon for s in services], dtype=np.float64)
    if params.road_graph is not None:
        return nearest_services_by_road(
            params.road_graph, places.lats, places.lons, lats, lons, snap_circuity=params.circuity
        )
    return nearest_services(
        places.lats,
        places.lons,
        np.array(places.components),
        lats,
        lons,
        np.array([inputs.service_component(s) for s in services]),
        circuity=params.circuity,
    )


def _located(kind: str, profile: Profile, params: GapParameters) -> list[Service]:
    return [
        s
        for s in inputs.operating_services(KIND_GROUPS[kind])
        if s.lat is not None
        and s.lon is not None
        and accepts(profile, s, unknown_accepts=params.unknown_accepts)
    ]


def _access_row(
    kind: str, profile: Profile, places: inputs.Places, params: GapParameters
) -> tuple[dict[str, Any], Nearest | None]:
    services = _located(kind, profile, params)
    row: dict[str, Any] = {"service_kind": kind, "profile": profile.code, "services": len(services)}
    total = float(places.women.sum())
    if not services:
        row.update(
            no_service=True,
            women_beyond_km={str(t): round(total) for t in THRESHOLDS_KM},
            share_of_women_beyond_km={str(t): 1.0 for t in THRESHOLDS_KM},
            farthest=[],
            unreachable_unit_ids=[],
        )
        return row, None
    nearest = _nearest(places, services, params)
    far = beyond(nearest.road_km, places.women, THRESHOLDS_KM)
    finite = [i for i in np.argsort(-nearest.road_km) if math.isfinite(nearest.road_km[i])]
    row.update(
        no_service=False,
        women_beyond_km={str(t): round(far[t]) for t in THRESHOLDS_KM},
        share_of_women_beyond_km={
            str(t): round(far[t] / total, 4) if total else 0.0 for t in THRESHOLDS_KM
        },
        farthest=[
            {
                "unit_id": places.codes[i],
                "name": places.names[i],
                "road_km": round(float(nearest.road_km[i]), 1),
                "straight_km": round(float(nearest.straight_km[i]), 1),
                "nearest_service": services[int(nearest.service_index[i])].code,
            }
            for i in finite[:5]
        ],
        unreachable_unit_ids=[
            c for c, d in zip(places.codes, nearest.road_km, strict=True) if not math.isfinite(d)
        ],
    )
    return row, nearest


def _place_table(places: inputs.Places, by_kind: dict[str, Nearest | None]) -> list[dict[str, Any]]:
    table = []
    for i, code in enumerate(places.codes):
        entry: dict[str, Any] = {
            "id": code,
            "name": places.names[i],
            "women": round(float(places.women[i])),
        }
        for kind, nearest in by_kind.items():
            value = None if nearest is None else float(nearest.road_km[i])
            entry[f"{kind}_road_km"] = (
                None if value is None or not math.isfinite(value) else round(value, 1)
            )
        table.append(entry)
    return table


def access_section(params: GapParameters) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """Distance to the nearest accepting service, per kind and profile; tables for one profile."""
    units, settlements = inputs.unit_places(), inputs.settlement_places()
    rows, unit_nearest, settlement_nearest = [], {}, {}
    first = PROFILES[params.profiles[0]]
    for kind in ACCESS_KINDS:
        for code in params.profiles:
            row, nearest = _access_row(kind, PROFILES[code], units, params)
            rows.append(row)
            if code == first.code:
                unit_nearest[kind] = nearest
                services = _located(kind, first, params)
                settlement_nearest[kind] = (
                    _nearest(settlements, services, params) if services else None
                )
    tables = {
        "profile": first.code,
        "units": _place_table(units, unit_nearest),
        "settlements": _place_table(settlements, settlement_nearest),
    }
    return rows, tables


# -- capacity against demand -----------------------------------------------------------------


def capacity_section(params: GapParameters, standards: list[dict[str, Any]]) -> dict[str, Any]:
    """Erlang-B turn-away probability for the shelter places available."""
    shelter = next((s for s in standards if s["standard"] == "shelter_family_places"), None)
    places = int(shelter["available"]) if shelter else 0
    sources: list[dict[str, Any]] = []
    arrivals = params.arrivals_per_year
    basis = "set by the user"
    if arrivals is None:
        latest = inputs.latest_figure(settings.COUNTRY, ARRIVAL_INDICATORS)
        arrivals = float(latest.value) if latest else 0.0
        basis = (
            f"latest registered domestic-violence crimes ({latest.indicator}, {latest.year})"
            if latest
            else "no figure"
        )
        if latest:
            sources.append(_source(latest))
    model = capacity.loss_model(
        arrivals_per_year=arrivals,
        mean_stay_days=params.mean_stay_days,
        places=places,
        target_probability=params.target_probability,
    )
    return {
        "arrivals_per_year": model.arrivals_per_year,
        "arrivals_basis": basis,
        "mean_stay_days": model.mean_stay_days,
        "places": model.places,
        "places_basis": shelter["available_basis"] if shelter else "none",
        "offered_load_erlangs": round(model.offered_load_erlangs, 2),
        "turn_away_probability": round(model.turn_away_probability, 4),
        "expected_turned_away_per_year": round(model.expected_turned_away_per_year),
        "target_probability": model.target_probability,
        "places_for_5_percent": capacity.servers_for_blocking(model.offered_load_erlangs, 0.05),
        "places_for_target": model.places_for_target,
        "model": "Erlang-B loss model (M/G/c/c): who finds every place taken is turned away",
        "sources": sources,
    }


def capacity_by_profile(params: GapParameters, general: dict[str, Any]) -> list[dict[str, Any]]:
    """Shelter places open to each profile and the turn-away probability they give.

    For the general profile (a woman) the places of the capacity section are used; for the
    others, the stated capacities of the shelters whose records say they accept that person."""
    shelters = inputs.operating_services(KIND_GROUPS["shelter"])
    rows = []
    for code in params.profiles:
        profile = PROFILES[code]
        open_to = [
            s for s in shelters if accepts(profile, s, unknown_accepts=params.unknown_accepts)
        ]
        if code == "woman":
            places, basis = general["places"], general["places_basis"]
        else:
            places = int(
                sum(
                    capacity.to_family_places(
                        float(s.capacity),
                        s.capacity_unit,
                        persons_per_family_place=params.persons_per_family_place,
                    )
                    for s in open_to
                    if s.capacity is not None and s.capacity_unit
                )
            )
            basis = f"stated capacities of {len(open_to)} shelters accepting this profile"
        load = general["offered_load_erlangs"]
        rows.append(
            {
                "profile": code,
                "shelters": len(open_to),
                "places": places,
                "places_basis": basis,
                "turn_away_probability": round(capacity.erlang_b(load, places), 4),
            }
        )
    return rows


# -- round-the-clock and holiday availability -------------------------------------------------


def _schedule(service: Service) -> ServiceSchedule:
    closes = {Tri.YES: True, Tri.NO: False}.get(Tri(service.closes_on_public_holidays))
    return ServiceSchedule(parse_hours(service.hours), service.open_24_7, closes)


def _reachable(places: inputs.Places, services: list[Service], params: GapParameters) -> np.ndarray:
    """(places x services): within the threshold by road estimate; national lines reach all."""
    from gbvwatch.analysis.geo import distance_matrix_km

    reach = np.ones((len(places.codes), len(services)), dtype=bool)
    located = [j for j, s in enumerate(services) if s.lat is not None and s.lon is not None]
    if located:
        svc = [services[j] for j in located]
        km = (
            distance_matrix_km(
                places.lats,
                places.lons,
                np.array([s.lat for s in svc], dtype=np.float64),
                np.array([s.lon for s in svc], dtype=np.float64),
            )
            * params.circuity
        )
        same = (
            np.array(places.components)[:, None]
            == np.array([inputs.service_component(s) for s in svc])[None, :]
        )
        reach[:, located] = (km <= params.availability_threshold_km) & same
    return reach


def _gap_json(kind: str, year: int, gap: Gap, hours_in_year: int) -> dict[str, Any]:
    return {
        "service_kind": kind,
        "year": year,
        "hours_without_service": gap.hours_without_service,
        "share_of_year_without_service": round(gap.hours_without_service / hours_in_year, 4),
        "longest_gap_days": gap.longest_gap_days,
        "longest_gap_start": gap.longest_gap_days_start.isoformat()
        if gap.longest_gap_days_start
        else None,
        "longest_gap_hours": gap.longest_gap_hours,
        "longest_gap_hours_start": gap.longest_gap_start.isoformat()
        if gap.longest_gap_start
        else None,
    }


def availability_section(params: GapParameters) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """Hours without service and the longest stretch, nationally and per unit."""
    closed = inputs.closed_dates(settings.COUNTRY, params.year)
    working = inputs.working_weekend_dates(settings.COUNTRY, params.year)
    units = inputs.unit_places()
    woman = PROFILES["woman"]
    rows, per_unit = [], {}
    for kind in AVAILABILITY_KINDS:
        services = [
            s
            for s in inputs.operating_services(KIND_GROUPS[kind])
            if accepts(woman, s, unknown_accepts=params.unknown_accepts)
        ]
        matrix = open_hours_matrix(
            [_schedule(s) for s in services],
            year=params.year,
            closed_dates=closed,
            working_weekend_dates=working,
        )
        hours = int(matrix.is_open.shape[1])
        row = _gap_json(kind, params.year, gap_for_any(matrix), hours)
        assumed = [s.code for s, u in zip(services, matrix.unknown, strict=True) if u]
        row.update(
            days_without_service=[d.isoformat() for d in days_without_service(matrix)],
            services=len(services),
            schedules_assumed=assumed,
            basis=(
                f"{len(assumed)} of {len(services)} services have hours or holiday behaviour not "
                "known: unknown hours count as closed, unknown holiday behaviour as open"
                if assumed
                else f"hours and holiday behaviour of all {len(services)} services are known"
                if services
                else "no operating service of this kind"
            ),
            sources=_service_sources(services),
        )
        rows.append(row)
        gaps = gaps_for_places(matrix, _reachable(units, services, params))
        per_unit[kind] = {
            code: _gap_json(kind, params.year, g, hours)
            for code, g in zip(units.codes, gaps, strict=True)
        }
    return rows, per_unit


# -- the whole report -------------------------------------------------------------------------


def gaps_report(params: GapParameters) -> dict[str, Any]:
    """Every section of the gap analysis as plain data (the JSON contract of `gbvwatch gaps`)."""
    standards = standards_section(params)
    access, access_tables = access_section(params)
    availability, availability_units = availability_section(params)
    capacity_figures = capacity_section(params, standards)
    return {
        "country": settings.COUNTRY,
        "generated_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "standards": standards,
        "access": access,
        "access_tables": access_tables,
        "capacity": capacity_figures,
        "capacity_by_profile": capacity_by_profile(params, capacity_figures),
        "availability": availability,
        "availability_units": availability_units,
        "refusals": refusals_section(params.year),
        "assumptions": assumptions(params),
    }


def assumptions(params: GapParameters) -> dict[str, Any]:
    """The parameters and modelling choices every figure above depends on."""
    values = {k: v for k, v in asdict(params).items() if k not in {"road_graph"}}
    values["profiles"] = list(params.profiles)
    values["travel_model"] = (
        f"road graph '{params.road_graph_name}' (points snapped to nodes, snap x circuity)"
        if params.road_graph is not None
        else "great-circle distance x circuity factor, within one road-network component"
    )
    values["women_weights"] = (
        "women of each unit at its administrative centre; cities inside a rayon weigh nothing, "
        "as the rayon's figure includes them"
    )
    values["acceptance"] = (
        "a service counts for a profile when its record says it accepts that person"
        + (
            "; 'not known' counted as accepting"
            if params.unknown_accepts
            else "; 'not known' counts as not accepting"
        )
    )
    values["family_place"] = f"one woman plus children: {params.persons_per_family_place:g} persons"
    values["holidays"] = "public holidays and transferred days off of the holidays package"
    values["availability_resolution"] = (
        "hours; a service counts as open in an hour if open in any minute of it"
    )
    return values
