"""The report's charts from the figures a report freezes, in the active language.

Every chart is drawn only from the four arguments of `report_charts` (the gap report, the UPR
summary, the coalition statistics and the operating services) plus static geography (unit
boundaries and names), so a snapshot redraws identically. A chart whose data are missing says
so in the drawing and in its text alternative instead of failing.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from itertools import pairwise
from typing import Any

from django.utils import formats
from django.utils.dates import MONTHS
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from gbvwatch.analysis import charts
from gbvwatch.analysis.charts import Chart, ChartText, NumberFormat
from gbvwatch.analysis.geo import polygons_of
from gbvwatch.directory.models import Kind
from gbvwatch.gaps.profiles import KIND_GROUPS, PROFILES
from gbvwatch.geography.models import AdminUnit, Boundary
from gbvwatch.upr.charts import STATUS_COLOURS
from gbvwatch.upr.models import Status
from gbvwatch.upr.taxonomy import category_label

CHART_KEYS = (
    "shelter_places",
    "women_by_distance",
    "forensic_calendar",
    "cases_by_year",
    "recommendations",
    "distance_map",
    "services_map",
)
BAND_EDGES_KM = (50, 100, 200, 300)  # the thresholds of the gap report's access section
NO_GROUP = "none"
NOT_ASSESSED = "not_assessed"


@dataclass(frozen=True)
class _Inputs:
    gaps: Mapping[str, Any]
    upr: Mapping[str, Any]
    stats: Mapping[str, Any]
    services: Sequence[Mapping[str, Any]]
    numbers: NumberFormat


def report_charts(
    *,
    gaps: Mapping[str, Any],
    upr: Mapping[str, Any],
    stats: Mapping[str, Any],
    services: Sequence[Mapping[str, Any]],
    keys: Sequence[str] | None = None,
) -> dict[str, Chart]:
    """Draw the requested charts (all by default) in the active language; unknown keys raise."""
    wanted = tuple(CHART_KEYS if keys is None else keys)
    unknown = [k for k in wanted if k not in _BUILDERS]
    if unknown:
        raise ValueError(
            f"unknown chart key(s): {', '.join(map(str, unknown))}; "
            f"known keys: {', '.join(CHART_KEYS)}"
        )
    numbers = NumberFormat(
        thousands=str(formats.get_format("THOUSAND_SEPARATOR")),
        decimal=str(formats.get_format("DECIMAL_SEPARATOR")),
    )
    inputs = _Inputs(gaps or {}, upr or {}, stats or {}, services or (), numbers)
    return {key: _BUILDERS[key](inputs) for key in wanted}


# -- shared helpers ---------------------------------------------------------------------------


def _missing(key: str, title: str, reason: str) -> Chart:
    message = _("No data: %(reason)s") % {"reason": reason}
    return charts.no_data_chart(key, ChartText(title, message, _("No data to cite.")), message)


def _sources(items: Sequence[Mapping[str, Any]] | None, field: str = "title") -> str:
    """Distinct source titles in their first order, joined for a footnote."""
    seen: list[str] = []
    for item in items or ():
        title = str(item.get(field) or "").strip()
        if title and title not in seen:
            seen.append(title)
    return "; ".join(seen) or _("not stated")


def _band_labels() -> tuple[str, ...]:
    edges = (0, *BAND_EDGES_KM)
    inner = [
        _("%(low)s–%(high)s km") % {"low": a, "high": b}  # noqa: RUF001 (an en dash for ranges)
        for a, b in pairwise(edges)
    ]
    return (*inner, _("over %(km)s km") % {"km": BAND_EDGES_KM[-1]})


def _unit_names() -> dict[str, str]:
    return {u.code: u.display_name for u in AdminUnit.objects.all()}


def _map_areas() -> list[tuple[str, tuple[charts.Polygon, ...]]]:
    """Each unit's boundary polygons as (lon, lat) tuples, ordered by unit code."""
    by_unit: dict[str, list[charts.Polygon]] = {}
    for boundary in Boundary.objects.select_related("unit").order_by("unit__code", "pk"):
        polygons = by_unit.setdefault(boundary.unit.code, [])
        for polygon in polygons_of(boundary.geometry):
            polygons.append(
                tuple(tuple((float(x), float(y)) for x, y in ring.tolist()) for ring in polygon)
            )
    return [(code, tuple(polygons)) for code, polygons in by_unit.items()]


def _located(services: Sequence[Mapping[str, Any]]) -> list[Mapping[str, Any]]:
    return [s for s in services if s.get("lon") is not None and s.get("lat") is not None]


def _is_shelter(service: Mapping[str, Any]) -> bool:
    return service.get("kind") in (*KIND_GROUPS["shelter"], "shelter")


def _date_text(day: dt.date) -> str:
    return str(formats.date_format(day, "j E"))


# -- the seven charts -------------------------------------------------------------------------


def _shelter_places(data: _Inputs) -> Chart:
    title = _("Shelter places against the standard")
    standard = next(
        (s for s in data.gaps.get("standards", []) if s.get("standard") == "shelter_family_places"),
        None,
    )
    if standard is None or standard.get("required") is None:
        return _missing("shelter_places", title, _("no shelter standard in the gap report."))
    n = data.numbers
    available, required = float(standard["available"]), float(standard["required"])
    ratio = standard.get("ratio_required_to_available")
    ratio_text = (
        _("The standard requires %(ratio)s times the places available.")
        % {"ratio": n.fixed(float(ratio))}
        if ratio is not None
        else _("No places are available, so no ratio can be computed.")
    )
    alt = _(
        "%(available)s shelter family places are available; the standard (%(standard)s) "
        "requires %(required)s, a shortfall of %(shortfall)s. %(ratio)s"
    ) % {
        "available": n.integer(available),
        "standard": standard.get("title", ""),
        "required": n.integer(required),
        "shortfall": n.integer(max(required - available, 0.0)),
        "ratio": ratio_text,
    }
    note = _("Standard: %(standard)s. Places available: %(basis)s. Sources: %(sources)s.") % {
        "standard": standard.get("title", ""),
        "basis": standard.get("available_note", ""),
        "sources": _sources(standard.get("sources")),
    }
    places = charts.ShelterPlaces(
        available_places=available,
        required_places=required,
        available_label=_("Places available"),
        required_label=_("Places the standard requires"),
        axis_label=_("Shelter family places"),
        ratio_label=ratio_text,
        numbers=n,
    )
    return charts.shelter_places_chart(places, ChartText(title, alt, note))


def _total_women(gaps: Mapping[str, Any]) -> float | None:
    units = (gaps.get("access_tables") or {}).get("units")
    if units:
        return float(sum(u.get("women") or 0 for u in units))
    for standard in gaps.get("standards", []):
        women = (standard.get("inputs") or {}).get("women")
        if women:
            return float(women)
    return None


def _bands(row: Mapping[str, Any], total: float) -> tuple[float, ...]:
    """Women in each band from the gap report's 'women beyond X km' counts."""
    beyond = [float(row["women_beyond_km"][str(t)]) for t in BAND_EDGES_KM]
    edges = [total, *beyond]
    return (*(max(a - b, 0.0) for a, b in pairwise(edges)), beyond[-1])


def _women_by_distance(data: _Inputs) -> Chart:
    title = _("Women by road distance to the nearest accepting shelter")
    rows = [
        a
        for a in data.gaps.get("access", [])
        if a.get("service_kind") == "shelter" and a.get("services")
    ]
    total = _total_women(data.gaps)
    if not rows or not total:
        return _missing(
            "women_by_distance", title, _("no shelter accepts any profile, or no population.")
        )
    n, labels = data.numbers, _band_labels()
    series = tuple(
        charts.Series(str(PROFILES[r["profile"]].label), _bands(r, total))
        if r["profile"] in PROFILES
        else charts.Series(str(r["profile"]), _bands(r, total))
        for r in rows
    )
    parts = []
    for s in series:
        bands = "; ".join(
            ngettext(
                "%(band)s: %(women)s woman (%(percent)s%%)",
                "%(band)s: %(women)s women (%(percent)s%%)",
                round(v),
            )
            % {"band": b, "women": n.integer(v), "percent": n.fixed(100 * v / total)}
            for b, v in zip(labels, s.values, strict=True)
        )
        parts.append(f"{s.label}: {bands}.")
    assumptions = data.gaps.get("assumptions") or {}
    note = _(
        "Travel: %(model)s, circuity %(circuity)s. Women: %(weights)s. Acceptance: "
        "%(acceptance)s. Women with no road to an accepting shelter count as over %(km)s km. "
        "Sources: unit populations and the service directory of the dataset."
    ) % {
        "model": assumptions.get("travel_model", ""),
        "circuity": assumptions.get("circuity", ""),
        "weights": assumptions.get("women_weights", ""),
        "acceptance": assumptions.get("acceptance", ""),
        "km": BAND_EDGES_KM[-1],
    }
    chart_data = charts.WomenByDistance(labels, series, _("Women"), n)
    return charts.women_by_distance_chart(chart_data, ChartText(title, " ".join(parts), note))


def _calendar_days(row: Mapping[str, Any], year: int) -> tuple[tuple[bool, ...], bool]:
    """Whole days without service; (days, complete) where only the longest run may be known."""
    first = dt.date(year, 1, 1)
    n_days = (dt.date(year + 1, 1, 1) - first).days
    listed = row.get("days_without_service")
    if listed is not None:
        closed = {dt.date.fromisoformat(d) for d in listed}
        return tuple(first + dt.timedelta(days=i) in closed for i in range(n_days)), True
    start, length = row.get("longest_gap_start"), int(row.get("longest_gap_days") or 0)
    begin = (dt.date.fromisoformat(start) - first).days if start else n_days
    return tuple(begin <= i < begin + length for i in range(n_days)), False


def _forensic_calendar(data: _Inputs) -> Chart:
    title = _("Days without forensic medical examination")
    row = next(
        (
            a
            for a in data.gaps.get("availability", [])
            if a.get("service_kind") == "forensic_medical"
        ),
        None,
    )
    if row is None or row.get("year") is None:
        return _missing("forensic_calendar", title, _("no availability of forensic examination."))
    year = int(row["year"])
    days, complete = _calendar_days(row, year)
    length = int(row.get("longest_gap_days") or 0)
    start = (
        dt.date.fromisoformat(row["longest_gap_start"]) if row.get("longest_gap_start") else None
    )
    longest = (
        ngettext(
            "Longest gap: %(days)s day from %(date)s",
            "Longest gap: %(days)s days from %(date)s",
            length,
        )
        % {"days": length, "date": _date_text(start)}
        if start
        else _("No whole day without examination")
    )
    count = sum(days)
    alt = (
        ngettext(
            "In %(year)s there was %(count)s whole day without forensic medical examination "
            "anywhere in the country.",
            "In %(year)s there were %(count)s whole days without forensic medical examination "
            "anywhere in the country.",
            count,
        )
        % {"year": year, "count": count}
        if complete
        else _("Only the longest gap is known for %(year)s.") % {"year": year}
    )
    alt += (
        " "
        + longest
        + ". "
        + _("No examination in %(percent)s%% of the hours of the year.")
        % {"percent": data.numbers.fixed(100 * float(row.get("share_of_year_without_service", 0)))}
    )
    assumptions = data.gaps.get("assumptions") or {}
    note = _("Basis: %(basis)s. Holidays: %(holidays)s. Sources: %(sources)s.") % {
        "basis": row.get("basis", ""),
        "holidays": assumptions.get("holidays", ""),
        "sources": _sources(row.get("sources")),
    }
    calendar = charts.DayCalendar(
        year=year,
        days_without=days,
        longest_start=start,
        longest_days=length,
        month_labels=tuple(str(MONTHS[m]) for m in range(1, 13)),
        without_label=_("No examination all day")
        if complete
        else _("No examination all day (longest gap only)"),
        with_label=_("Examination possible for part of the day or more"),
        longest_label=longest,
    )
    return charts.forensic_calendar_chart(calendar, ChartText(title, alt, note))


def _year_cells(table: Mapping[str, Any] | None) -> dict[str, tuple[str, charts.CountCell]]:
    """Year key -> (label, published row total) of a statistics table."""
    cells = {}
    for row in (table or {}).get("rows", []):
        total = row["total"]
        value = total.get("value")
        cells[row["key"]] = (
            str(row["label"]),
            charts.CountCell(None if value is None else int(value), str(total["label"])),
        )
    return cells


def _cases_by_year(data: _Inputs) -> Chart:
    title = _("Incidents and digital attacks by year")
    tables = {t.get("id"): t for t in data.stats.get("tables", [])}
    incidents = _year_cells(tables.get("incidents_by_year_type"))
    attacks = _year_cells(tables.get("attacks_by_year_type"))
    years = sorted({*incidents, *attacks}, key=lambda y: (not y.isdigit(), y))
    if not years:
        return _missing("cases_by_year", title, _("no case is shared with the coalition."))
    zero = charts.CountCell(0, "0")
    labels = tuple((incidents.get(y) or attacks[y])[0] for y in years)
    series = (
        charts.CountSeries(
            _("GBV incidents"), tuple(incidents.get(y, ("", zero))[1] for y in years)
        ),
        charts.CountSeries(
            _("Digital attacks"), tuple(attacks.get(y, ("", zero))[1] for y in years)
        ),
    )
    k = int(next((t["k"] for t in tables.values() if "k" in t), 5))
    hidden = _("hidden to protect small counts (height shows no count)")
    alt = " ".join(
        f"{s.label}: "
        + "; ".join(f"{y}: {c.label}" for y, c in zip(labels, s.cells, strict=True))
        + "."
        for s in series
    )
    alt += " " + _('Counts shown as "<%(k)s" or "x" are hidden to protect survivors.') % {"k": k}
    assumptions = [str(a) for a in data.stats.get("assumptions", [])]
    note = _("Source: %(sources)s. %(rules)s") % {
        "sources": _sources(data.stats.get("sources"), "name"),
        "rules": " ".join(assumptions[:3]),
    }
    cases = charts.CasesByYear(labels, series, _("Cases"), hidden, k, data.numbers)
    return charts.cases_by_year_chart(cases, ChartText(title, alt, note))


def _status_labels() -> dict[str, str]:
    return {NOT_ASSESSED: _("not assessed"), **{s.value: str(s.label) for s in Status}}


def _recommendations(data: _Inputs) -> Chart:
    title = _("UPR recommendations by GBV group and status")
    by_group = data.upr.get("by_group") or {}
    groups = [g for g in by_group if g != NO_GROUP]
    if not data.upr.get("total") or not groups:
        return _missing("recommendations", title, _("no UPR recommendation is loaded."))
    labels = _status_labels()
    crossed = data.upr.get("by_group_status")
    if crossed:
        statuses = list(data.upr.get("by_status") or labels)
        counts = tuple(tuple(int(crossed[g].get(s, 0)) for s in statuses) for g in groups)
        status_labels = tuple(labels.get(s, s) for s in statuses)
        colours = tuple(STATUS_COLOURS.get(s, "#999999") for s in statuses)
    else:  # an older summary: totals by group only
        counts = tuple((int(by_group[g]),) for g in groups)
        status_labels = (_("status not broken down by group"),)
        colours = (STATUS_COLOURS[NOT_ASSESSED],)
    group_labels = tuple(category_label(g) for g in groups)
    n = data.numbers
    parts = [
        f"{label}: {n.integer(sum(row))}"
        + (
            " ("
            + ", ".join(f"{s} {n.integer(c)}" for s, c in zip(status_labels, row, strict=True) if c)
            + ")"
            if sum(row)
            else ""
        )
        for label, row in zip(group_labels, counts, strict=True)
    ]
    in_groups = sum(sum(r) for r in counts)
    alt = _("%(in_groups)s of %(total)s recommendations fall in a GBV group. %(groups)s.") % {
        "in_groups": n.integer(in_groups),
        "total": n.integer(data.upr["total"]),
        "groups": "; ".join(parts),
    }
    note = _("Sources: %(sources)s. %(assumptions)s") % {
        "sources": "; ".join(str(s) for s in data.upr.get("sources", [])) or _("not stated"),
        "assumptions": " ".join(str(a) for a in data.upr.get("assumptions", [])[:1]),
    }
    stacked = charts.StackedCounts(
        group_labels, status_labels, colours, counts, _("Recommendations"), n
    )
    return charts.recommendations_chart(stacked, ChartText(title, alt, note))


def _distance_map(data: _Inputs) -> Chart:
    title = _("Road distance to the nearest shelter accepting women, by unit")
    tables = data.gaps.get("access_tables") or {}
    units = {u["id"]: u for u in tables.get("units", [])}
    shelters = [s for s in _located(data.services) if _is_shelter(s)]
    areas = _map_areas()
    if not units or not areas or tables.get("profile") != "woman":
        return _missing("distance_map", title, _("no distances for women or no boundaries."))
    if not shelters and all(u.get("shelter_road_km") is None for u in units.values()):
        return _missing("distance_map", title, _("no shelter accepting women."))
    map_areas = tuple(
        charts.MapArea(polygons, (units.get(code) or {}).get("shelter_road_km"))
        for code, polygons in areas
    )
    labels, n = _band_labels(), data.numbers
    counts = [0] * len(labels)
    for area in map_areas:
        band = charts.band_index(area.value_km, BAND_EDGES_KM)
        if band is not None:
            counts[band] += 1
    no_road = sum(1 for a in map_areas if a.value_km is None)
    names = _unit_names()
    far_code, far = max(
        (
            (c, u["shelter_road_km"])
            for c, u in units.items()
            if u.get("shelter_road_km") is not None
        ),
        key=lambda cu: cu[1],
        default=("", None),
    )
    alt = ngettext(
        "%(count)s shelter. Units by road distance to the nearest one: %(bands)s; no road "
        "connection: %(none)s.",
        "%(count)s shelters. Units by road distance to the nearest one: %(bands)s; no road "
        "connection: %(none)s.",
        len(shelters),
    ) % {
        "count": len(shelters),
        "bands": "; ".join(f"{b} {c}" for b, c in zip(labels, counts, strict=True)),
        "none": no_road,
    }
    if far is not None:
        alt += " " + _("Farthest: %(unit)s, %(km)s km.") % {
            "unit": names.get(far_code, far_code),
            "km": n.fixed(float(far)),
        }
    assumptions = data.gaps.get("assumptions") or {}
    note = _(
        "Distance from each unit's administrative centre. Travel: %(model)s, circuity "
        "%(circuity)s. Acceptance: %(acceptance)s. Boundaries: the dataset's geography."
    ) % {
        "model": assumptions.get("travel_model", ""),
        "circuity": assumptions.get("circuity", ""),
        "acceptance": assumptions.get("acceptance", ""),
    }
    points = charts.PointGroup(
        _("Shelter"), tuple((float(s["lon"]), float(s["lat"])) for s in shelters)
    )
    chart_data = charts.DistanceMap(
        map_areas, tuple(float(e) for e in BAND_EDGES_KM), labels, _("No road connection"),
        _("Road distance"), points,
    )  # fmt: skip
    return charts.distance_map_chart(chart_data, ChartText(title, alt, note))


def _kind_label(kind: str) -> str:
    return str(Kind(kind).label) if kind in Kind.values else kind


def _services_map(data: _Inputs) -> Chart:
    title = _("Operating support services by kind")
    areas = _map_areas()
    if not data.services or not areas:
        return _missing("services_map", title, _("no operating service or no boundaries."))
    located = _located(data.services)
    kinds = sorted({str(s.get("kind", "")) for s in located})
    groups = tuple(
        charts.PointGroup(
            _kind_label(kind),
            tuple((float(s["lon"]), float(s["lat"])) for s in located if s.get("kind") == kind),
        )
        for kind in kinds
    )
    alt = ngettext(
        "%(count)s operating service with a location: %(kinds)s.",
        "%(count)s operating services with a location: %(kinds)s.",
        len(located),
    ) % {
        "count": len(located),
        "kinds": "; ".join(f"{g.label} {len(g.points_lonlat)}" for g in groups),
    }
    unplaced = len(data.services) - len(located)
    if unplaced:
        alt += " " + ngettext(
            "%(count)s service without a location (such as a national line) is not shown.",
            "%(count)s services without a location (such as national lines) are not shown.",
            unplaced,
        ) % {"count": unplaced}
    note = _(
        "Operating services of the directory at their recorded coordinates; services at the "
        "same place are set around it. Boundaries: the dataset's geography."
    )
    map_areas = tuple(charts.MapArea(polygons) for _code, polygons in areas)
    chart_data = charts.PointsMap(map_areas, groups, _("Kind of service"))
    return charts.services_map_chart(chart_data, ChartText(title, alt, note))


_BUILDERS: dict[str, Callable[[_Inputs], Chart]] = {
    "shelter_places": _shelter_places,
    "women_by_distance": _women_by_distance,
    "forensic_calendar": _forensic_calendar,
    "cases_by_year": _cases_by_year,
    "recommendations": _recommendations,
    "distance_map": _distance_map,
    "services_map": _services_map,
}
