"""The figures a report quotes, computed from the frozen inputs only, each with the note of its
inputs, assumptions and sources. Missing data gives a 'no data' figure with the reason."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

from django.utils import formats, translation
from django.utils.translation import gettext as _

Inputs = Mapping[str, Any]
SHELTER_STANDARD = "shelter_family_places"
NOT_GBV_GROUP = "none"
NOT_ASSESSED = "not_assessed"


@dataclass(frozen=True)
class SourceRef:
    """A source a figure rests on: its title and, when it has one, its address."""

    title: str
    url: str = ""


@dataclass(frozen=True)
class SourceNote:
    """What a figure was computed from: inputs (name, value), assumptions and sources."""

    inputs: tuple[tuple[str, str], ...] = ()
    assumptions: tuple[str, ...] = ()
    sources: tuple[SourceRef, ...] = ()


@dataclass(frozen=True)
class Figure:
    """One quoted figure: its value, the text to print (localised), unit, label and note.

    `missing` holds the reason when there is no data; `text` then says so."""

    key: str
    value: float | int | str | None
    text: str
    unit: str
    label: str
    note: SourceNote = field(default_factory=SourceNote)
    missing: str = ""

    @property
    def available(self) -> bool:
        return not self.missing


def number(value: float, digits: int = 0) -> str:
    """A number formatted for the active language (grouping and decimal separator)."""
    return formats.number_format(round(value, digits), digits, use_l10n=True, force_grouping=True)


def percent(share: float, digits: int = 1) -> str:
    """A share 0..1 as a localised percentage."""
    return f"{number(100 * share, digits)}%"


def date_text(iso: str) -> str:
    """An ISO date as the active language writes it."""
    return formats.date_format(dt.date.fromisoformat(iso), "DATE_FORMAT", use_l10n=True)


def no_data(key: str, label: str, unit: str, reason: str, note: SourceNote | None = None) -> Figure:
    """A figure that could not be computed, saying why."""
    return Figure(key, None, _("no data"), unit, label, note or SourceNote(), missing=reason)


def _refs(sources: Iterable[Any]) -> tuple[SourceRef, ...]:
    """Source references from a section's `sources` (dicts or strings), in order, deduplicated."""
    seen: dict[tuple[str, str], None] = {}
    for src in sources:
        if isinstance(src, str):
            seen.setdefault((src, ""), None)
            continue
        title = src.get("title") or src.get("name") or src.get("citation") or ""
        detail = src.get("what") or src.get("note") or ""
        title = f"{title}: {detail}" if detail else title
        seen.setdefault((str(title), str(src.get("url") or "")), None)
    return tuple(SourceRef(t, u) for t, u in seen if t or u)


def _pairs(values: Mapping[str, Any]) -> tuple[tuple[str, str], ...]:
    return tuple((k, str(v)) for k, v in values.items())


def _gap_assumptions(gaps: Inputs, keys: Sequence[str]) -> tuple[str, ...]:
    given = gaps.get("assumptions") or {}
    return tuple(f"{k}: {given[k]}" for k in keys if k in given)


# -- UPR recommendations --------------------------------------------------------------------


def _upr_note(upr: Inputs) -> SourceNote:
    inputs = upr.get("inputs") or {}
    documents = ", ".join(
        f"{d['document']} (cycle {d['cycle']})" for d in inputs.get("documents", [])
    )
    return SourceNote(
        inputs=(
            ("recommendations", str(upr.get("total", 0))),
            ("documents", documents),
            ("taxonomy", str(inputs.get("taxonomy_version", ""))),
        ),
        assumptions=tuple(upr.get("assumptions") or ()),
        sources=_refs(upr.get("sources") or ()),
    )


def upr_figures(upr: Inputs) -> list[Figure]:
    """GBV recommendations in total, by group and by status."""
    from gbvwatch.upr.models import Status
    from gbvwatch.upr.taxonomy import category_label

    note = _upr_note(upr)
    unit = _("recommendations")
    if not upr.get("total"):
        reason = _("no UPR recommendations are loaded")
        return [no_data("upr_gbv_total", _("GBV recommendations received"), unit, reason, note)]
    groups = {k: int(v) for k, v in upr["by_group"].items() if k != NOT_GBV_GROUP}
    gbv = sum(groups.values())
    out = [
        Figure("upr_total", upr["total"], number(upr["total"]), unit, _("Recommendations received"),
               note),
        Figure("upr_gbv_total", gbv, number(gbv), unit, _("GBV recommendations received"), note),
    ]  # fmt: skip
    for code, count in groups.items():
        label = category_label(code)
        out.append(Figure(f"upr_group_{code}", count, number(count), unit, label, note))
    statuses = {NOT_ASSESSED: _("not assessed"), **{s.value: s.label for s in Status}}
    for code, count in upr["by_status"].items():
        label = str(statuses.get(code, code))
        out.append(Figure(f"upr_status_{code}", count, number(count), unit, label, note))
    return out + _gbv_statuses(upr, statuses, note)


def _gbv_statuses(upr: Inputs, labels: Mapping[str, Any], note: SourceNote) -> list[Figure]:
    """The status of the GBV recommendations only (empty for a summary without the counts
    by group and status, as frozen before they existed)."""
    by_group_status = upr.get("by_group_status") or {}
    totals: dict[str, int] = {}
    for group, counts in by_group_status.items():
        if group == NOT_GBV_GROUP:
            continue
        for code, count in counts.items():
            totals[code] = totals.get(code, 0) + int(count)
    unit = _("recommendations")
    return [
        Figure(f"upr_gbv_status_{code}", count, number(count), unit,
               str(labels.get(code, code)), note)
        for code, count in totals.items()
    ]  # fmt: skip


# -- shelters, distance, availability, capacity ---------------------------------------------


def _shelter_row(gaps: Inputs) -> Mapping[str, Any] | None:
    return next((s for s in gaps.get("standards", []) if s["standard"] == SHELTER_STANDARD), None)


def shelter_figures(gaps: Inputs) -> list[Figure]:
    """Shelter places available against the standard: required, shortfall and ratio."""
    row = _shelter_row(gaps)
    unit = _("family places")
    keys = ("shelter_places", "shelter_places_required", "shelter_shortfall", "shelter_ratio")
    labels = (
        _("Shelter places available"),
        _("Shelter places the standard requires"),
        _("Shortfall of shelter places"),
        _("Places required for each place available"),
    )
    if row is None:
        reason = _("no shelter standard is stored")
        return [no_data(k, lbl, unit, reason) for k, lbl in zip(keys, labels, strict=True)]
    note = SourceNote(
        inputs=(
            *_pairs(row["inputs"]),
            ("available_basis", row["available_basis"]),
            ("available_note", row["available_note"]),
        ),
        assumptions=(
            row["title"],
            *_gap_assumptions(gaps, ("family_place", "persons_per_family_place")),
        ),
        sources=_refs(row["sources"]),
    )
    ratio = row["ratio_required_to_available"]
    out = [
        Figure(keys[0], row["available"], number(row["available"]), unit, labels[0], note),
        Figure(keys[1], row["required"], number(row["required"]), unit, labels[1], note),
        Figure(keys[2], row["shortfall"], number(row["shortfall"]), unit, labels[2], note),
    ]
    if ratio is None:
        out.append(no_data(keys[3], labels[3], _("times"), _("no shelter place available"), note))
    else:
        out.append(Figure(keys[3], ratio, number(ratio, 1), _("times"), labels[3], note))
    return out


def place_name(units: Mapping[str, Mapping[str, str]], code: str, fallback: str) -> str:
    """A unit's name in the active language (local name for az), else `fallback`."""
    names = units.get(code) or {}
    language = (translation.get_language() or "en")[:2]
    return names.get(language) or fallback


def shelter_city_figure(inputs: Inputs) -> Figure:
    """The cities or districts that have an operating shelter for survivors of domestic violence."""
    gaps, services, units = (
        inputs.get("gaps") or {},
        inputs.get("services") or [],
        inputs.get("units") or {},
    )
    english = (translation.get_language() or "en")[:2] == "en"
    label = _("Cities with a shelter")
    row = _shelter_row(gaps)
    note = SourceNote(
        inputs=(("services", ", ".join(s["code"] for s in services if s["kind"] == "shelter_dv")),),
        assumptions=(_("operating shelters for survivors of domestic violence in the directory"),),
        sources=_refs(row["sources"][1:] if row else ()),
    )
    places = sorted(
        {
            (s["city"] if english and s["city"] else place_name(units, s["unit"], s["city"]))
            for s in services
            if s["kind"] == "shelter_dv"
        }
        - {""}
    )
    if not places:
        return no_data("shelter_cities", label, "", _("no operating shelter is listed"), note)
    return Figure("shelter_cities", len(places), _and_list(places), "", label, note)


def _and_list(items: Sequence[str]) -> str:
    if len(items) == 1:
        return items[0]
    return _("%(first)s and %(last)s") % {"first": ", ".join(items[:-1]), "last": items[-1]}


def _access_row(gaps: Inputs, kind: str, profile: str = "woman") -> Mapping[str, Any] | None:
    return next(
        (
            a
            for a in gaps.get("access", [])
            if a["service_kind"] == kind and a["profile"] == profile
        ),
        None,
    )


def distance_figures(inputs: Inputs) -> list[Figure]:
    """The farthest district from a shelter, its distance, and women beyond 100 and 300 km."""
    gaps, units = inputs.get("gaps") or {}, inputs.get("units") or {}
    row = _access_row(gaps, "shelter")
    keys = ("farthest_district", "farthest_district_km")
    labels = (
        _("District farthest from a shelter"),
        _("Distance from there to the nearest shelter"),
    )
    note = SourceNote(
        inputs=(("shelters", str(row["services"] if row else 0)),
                ("unreachable_units", ", ".join(row["unreachable_unit_ids"]) if row else "")),
        assumptions=_gap_assumptions(
            gaps, ("travel_model", "circuity", "women_weights", "acceptance")
        ),
        sources=_refs((_shelter_row(gaps) or {}).get("sources", ())),
    )  # fmt: skip
    if row is None or row["no_service"] or not row["farthest"]:
        reason = _("no shelter with a known location accepts women")
        out = [no_data(k, lbl, "km", reason, note) for k, lbl in zip(keys, labels, strict=True)]
    else:
        far = row["farthest"][0]
        name = place_name(units, far["unit_id"], far["name"])
        out = [
            Figure(keys[0], far["unit_id"], name, "", labels[0], note),
            Figure(keys[1], far["road_km"], number(far["road_km"]), "km", labels[1], note),
        ]
    for km in ("100", "300"):
        women = row["women_beyond_km"].get(km) if row else None
        share = row["share_of_women_beyond_km"].get(km) if row else None
        label_w = _("Women living more than %(km)s km from a shelter") % {"km": km}
        label_s = _("Share of women living more than %(km)s km from a shelter") % {"km": km}
        if women is None or share is None:
            reason = _("no distance computed")
            out += [no_data(f"women_beyond_{km}km", label_w, _("women"), reason, note),
                    no_data(f"share_beyond_{km}km", label_s, "%", reason, note)]  # fmt: skip
            continue
        out += [
            Figure(f"women_beyond_{km}km", women, number(women), _("women"), label_w, note),
            Figure(f"share_beyond_{km}km", share, percent(share), "%", label_s, note),
        ]
    return out


def forensic_figures(gaps: Inputs) -> list[Figure]:
    """The longest stretch of the report year without forensic examination, and its start."""
    row = next(
        (a for a in gaps.get("availability", []) if a["service_kind"] == "forensic_medical"), None
    )
    labels = (
        _("Longest stretch without forensic examination"),
        _("First day of that stretch"),
    )
    note = SourceNote(
        inputs=(("year", str(row["year"] if row else "")),
                ("services", str(row["services"] if row else 0)),
                ("basis", row["basis"] if row else "")),
        assumptions=_gap_assumptions(gaps, ("holidays", "availability_resolution")),
        sources=_refs(row["sources"] if row else ()),
    )  # fmt: skip
    if row is None or not row["services"] or not row["longest_gap_start"]:
        reason = _("no operating forensic examination service, or no gap in the year")
        return [
            no_data("forensic_gap_days", labels[0], _("days"), reason, note),
            no_data("forensic_gap_start", labels[1], "", reason, note),
        ]
    days, start = row["longest_gap_days"], row["longest_gap_start"]
    return [
        Figure("forensic_gap_days", days, number(days), _("days"), labels[0], note),
        Figure("forensic_gap_start", start, date_text(start), "", labels[1], note),
    ]


def capacity_figures(gaps: Inputs) -> list[Figure]:
    """Turn-away probability of the shelter places, and the places needed for 5%."""
    cap = gaps.get("capacity")
    labels = (
        _("Probability that a survivor finds every shelter place taken"),
        _("Shelter places needed to turn away at most 5%"),
        _("Survivors turned away each year (expected)"),
    )
    if not cap or not cap.get("arrivals_per_year"):
        reason = _("no figure of arrivals (registered domestic-violence crimes)")
        return [
            no_data("turn_away_probability", labels[0], "%", reason),
            no_data("places_for_5_percent", labels[1], _("places"), reason),
            no_data("turned_away_per_year", labels[2], _("survivors"), reason),
        ]
    note = SourceNote(
        inputs=(("arrivals_per_year", f"{cap['arrivals_per_year']:g}"),
                ("arrivals_basis", cap["arrivals_basis"]),
                ("mean_stay_days", f"{cap['mean_stay_days']:g}"),
                ("places", str(cap["places"])), ("places_basis", cap["places_basis"])),
        assumptions=(cap["model"],),
        sources=_refs(cap["sources"]),
    )  # fmt: skip
    p, need, lost = (
        cap["turn_away_probability"],
        cap["places_for_5_percent"],
        cap["expected_turned_away_per_year"],
    )
    return [
        Figure("turn_away_probability", p, percent(p), "%", labels[0], note),
        Figure("places_for_5_percent", need, number(need), _("places"), labels[1], note),
        Figure("turned_away_per_year", lost, number(lost), _("survivors"), labels[2], note),
    ]


def refusal_figures(gaps: Inputs) -> list[Figure]:
    """Refusals by reason (the profile turned away), case records and public reports apart."""
    from gbvwatch.cases.models import RefusalReason
    from gbvwatch.directory.models import Kind

    section = gaps.get("refusals") or {}
    note = SourceNote(
        inputs=(("year", str(section.get("year", ""))),),
        assumptions=(str(section.get("suppression", "")),),
        sources=_refs(section.get("sources", ())),
    )
    rows = section.get("rows") or []
    if not rows:
        reason = _("no refusal recorded or reported in the year")
        return [no_data("refusals", _("Refusals by services"), _("refusals"), reason, note)]
    reasons, kinds = dict(RefusalReason.choices), dict(Kind.choices)
    out = []
    for row in rows:
        label = _("%(kind)s: %(reason)s") % {
            "kind": kinds.get(row["service_kind"], row["service_kind"]),
            "reason": reasons.get(row["reason"], row["reason"]),
        }
        cases, public = row["case_records"], row["public_reports"]
        text = _("%(cases)s in case records, %(public)s reported anonymously") % {
            "cases": _count(cases),
            "public": _count(public),
        }
        key = f"refusals_{row['service_kind']}_{row['reason']}"
        out.append(Figure(key, f"{cases}/{public}", text, _("refusals"), label, note))
    return out


def _count(value: int | str | None) -> str:
    """A published count: a number, or its suppression label ('<5', 'x') unchanged."""
    return number(value) if isinstance(value, int) else str(value)


# -- digital attacks and impunity (coalition statistics) ------------------------------------


def _stats_note(stats: Inputs) -> SourceNote:
    inputs = stats.get("inputs") or {}
    left_out = inputs.get("left_out_without_consent") or {}
    return SourceNote(
        inputs=(
            ("organisations_sharing", str(inputs.get("organisations_sharing", ""))),
            ("organisations_contributing", str(inputs.get("organisations_contributing", ""))),
            *((f"left_out_without_consent.{k}", str(v)) for k, v in left_out.items()),
        ),
        assumptions=tuple(stats.get("assumptions") or ()),
        sources=_refs(stats.get("sources") or ()),
    )


def _table_total_label(stats: Inputs, table_id: str) -> str:
    table = next((t for t in stats.get("tables", []) if t["id"] == table_id), None)
    return str(table["totals"]["total"]["label"]) if table else ""


def stats_figures(stats: Inputs) -> list[Figure]:
    """Digital attacks, complaints and the impunity rate, as published after suppression."""
    note = _stats_note(stats)
    unit_a, unit_c = _("attacks"), _("complaints")
    specs = (
        ("attacks_total", stats.get("attacks_total"), "attacks_by_year_type", unit_a,
         _("Digital attacks documented by the coalition")),
        ("complaints_total", stats.get("complaints_total"), "impunity_by_year", unit_c,
         _("Complaints filed about attacks and incidents")),
        ("incidents_total", stats.get("incidents_total"), "incidents_by_year_type", _("incidents"),
         _("GBV incidents documented by the coalition")),
    )  # fmt: skip
    out = []
    for key, value, table, unit, label in specs:
        shown = _table_total_label(stats, table)
        if value is None and shown in ("", "0"):
            out.append(no_data(key, label, unit, _("no shared records"), note))
        elif value is None:  # suppressed: print the label ("<5" or "x"), never the count
            out.append(Figure(key, shown, shown, unit, label, note))
        else:
            out.append(Figure(key, value, number(value), unit, label, note))
    rate = stats.get("impunity_rate")
    label = _("Complaints without an outcome (impunity rate)")
    if rate is None:
        reason = _("no complaint, or its counts are hidden by suppression")
        out.append(no_data("impunity_rate", label, "%", reason, note))
    else:
        out.append(Figure("impunity_rate", rate, percent(rate, 0), "%", label, note))
    return out


# -- all of them ----------------------------------------------------------------------------

_SECTIONS: tuple[Callable[[Inputs], list[Figure]], ...] = (
    lambda i: upr_figures(i.get("upr") or {}),
    lambda i: shelter_figures(i.get("gaps") or {}),
    lambda i: [shelter_city_figure(i)],
    distance_figures,
    lambda i: forensic_figures(i.get("gaps") or {}),
    lambda i: capacity_figures(i.get("gaps") or {}),
    lambda i: refusal_figures(i.get("gaps") or {}),
    lambda i: stats_figures(i.get("stats") or {}),
)


def figures_compute(inputs: Inputs, *, language: str) -> dict[str, Figure]:
    """Every figure, by key, with texts in `language`; reads only `inputs`."""
    with translation.override(language):
        return {f.key: f for section in _SECTIONS for f in section(inputs)}


def figures_json(figures: Mapping[str, Figure]) -> list[dict[str, Any]]:
    """The figures as JSON-ready dicts (stored with a snapshot)."""
    return [asdict(f) for f in figures.values()]
