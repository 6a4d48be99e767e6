"""The coalition's statistics: counts of coded fields across the organisations that share, with
small cells and cells dominated by one organisation hidden, each figure with its inputs,
assumptions and sources. Suppression is delegated to gbvwatch.analysis.suppression."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from gbvwatch.accountability.models import OUTCOME_STATUSES, Authority, ComplaintStatus
from gbvwatch.analysis.suppression import CountTable, PublishedCell, SuppressedTable, suppress
from gbvwatch.cases.models import (
    AgeBand,
    AttackType,
    GenderIdentity,
    IncidentType,
    Platform,
    YesNoUnknown,
)
from gbvwatch.stats import queries

UNKNOWN = "unknown"
Record = tuple[int, dict[str, str]]  # (organisation id, coded value per dimension)
Margins = frozenset[tuple[str, str]]  # totals as (dimension, key)
GRAND_TOTAL = ("*", "*")


class ParameterError(ValueError):
    """A parameter the person can fix; the message names it."""


@dataclass(frozen=True)
class StatsParameters:
    """Everything that shapes the figures; each value is echoed in the report's assumptions."""

    year: int | None = None
    k: int = 5  # non-zero counts below this are shown "<k"
    k_subnational: int = 10  # the same, for tables of sensitive categories by district
    min_organisations: int = 3  # a shown non-zero figure needs this many contributors
    dominance_share: float = 0.75  # and no organisation above this share of it


def parameters_from(data: Mapping[str, Any]) -> StatsParameters:
    """Parse the year (the only setting people choose) from a query string or CLI options."""
    raw = data.get("year")
    if raw in (None, ""):
        return StatsParameters()
    try:
        year = int(str(raw))
    except ValueError as exc:
        raise ParameterError(_("year: expected a year such as 2021.")) from exc
    if not 1900 <= year <= timezone.localdate().year:
        raise ParameterError(_("year: expected a year between 1900 and this year."))
    return StatsParameters(year=year)


def _labels(choices: Any) -> dict[str, str]:
    return {key: str(label) for key, label in choices}


def _years(records: list[Record], params: StatsParameters) -> dict[str, str]:
    present = {dims["year"] for _, dims in records}
    keys = sorted(y for y in present if y != UNKNOWN)
    if params.year is not None:
        keys = [str(params.year)]
    elif UNKNOWN in present:
        keys.append(UNKNOWN)
    return {y: (str(_("Year not known")) if y == UNKNOWN else y) for y in keys}


def _protected(
    contributions: dict[tuple[int, int], Counter[int]], params: StatsParameters
) -> frozenset[tuple[int, int]]:
    """Cells too few organisations make up, or that one organisation dominates."""
    cells = set()
    for cell, by_org in contributions.items():
        total = sum(by_org.values())
        if total == 0:
            continue
        if (
            len(+by_org) < params.min_organisations
            or max(by_org.values()) > params.dominance_share * total
        ):
            cells.add(cell)
    return frozenset(cells)


def _cell(cell: PublishedCell) -> dict[str, Any]:
    return {"value": cell.value, "label": cell.label, "status": str(cell.status)}


@dataclass(frozen=True)
class _Shape:
    table_id: str
    title: str
    row_dim: str
    col_dim: str
    row_labels: dict[str, str]
    col_labels: dict[str, str]


def count_table(
    *,
    table_id: str,
    title: str,
    records: list[Record],
    rows: tuple[str, dict[str, str]],
    columns: tuple[str, dict[str, str]],
    k: int,
    params: StatsParameters,
    margins: Margins = frozenset(),
) -> dict[str, Any]:
    """Cross-tabulate records by two coded dimensions, suppress, and describe the result.

    `margins` lists totals, as (dimension, key), that another table of the same records hides:
    they are hidden here too, or the other table's protection could be undone."""
    shape = _Shape(table_id, title, rows[0], columns[0], rows[1], columns[1])
    r_at = {key: i for i, key in enumerate(shape.row_labels)}
    c_at = {key: j for j, key in enumerate(shape.col_labels)}
    n_rows, n_cols = len(r_at), len(c_at)
    row_dim, col_dim = shape.row_dim, shape.col_dim
    interior = Counter((dims[row_dim], dims[col_dim], org) for org, dims in records)
    by_cell: dict[tuple[int, int], Counter[int]] = defaultdict(Counter)
    for (row_key, col_key, org), n in interior.items():
        i, j = r_at.get(row_key), c_at.get(col_key)
        if i is None or j is None:
            continue
        for cell in ((i, j), (i, n_cols), (n_rows, j), (n_rows, n_cols)):
            by_cell[cell][org] += n
    if not n_rows:
        return _describe(shape, None, k)
    counts = tuple(
        tuple(sum(by_cell[(i, j)].values()) for j in range(n_cols)) for i in range(n_rows)
    )
    linked = {(i, n_cols) for key, i in r_at.items() if (row_dim, key) in margins}
    linked |= {(n_rows, j) for key, j in c_at.items() if (col_dim, key) in margins}
    linked |= {(n_rows, n_cols)} if GRAND_TOTAL in margins else set()
    protect = _protected(by_cell, params) | linked
    return _describe(shape, suppress(CountTable(counts), k=k, protect=protect), k)


def hidden_margins(table: dict[str, Any]) -> Margins:
    """The totals of a described table that are not shown, as (dimension, key)."""
    hidden = {
        (table["row_dimension"], row["key"])
        for row in table["rows"]
        if row["total"]["value"] is None
    }
    for column, cell in zip(table["columns"], table["totals"]["cells"], strict=True):
        if cell["value"] is None:
            hidden.add((table["column_dimension"], column["key"]))
    if table["totals"]["total"]["value"] is None:
        hidden.add(GRAND_TOTAL)
    return frozenset(hidden)


def linked_tables(
    build: Callable[[list[Record], StatsParameters, Margins], list[dict[str, Any]]],
    records: list[Record],
    params: StatsParameters,
) -> list[dict[str, Any]]:
    """Tables of the same records share totals (each year's, the grand total): a total hidden
    in one is hidden in all, repeated until no table hides a new one (the set only grows)."""
    margins: Margins = frozenset()
    while True:
        tables = build(records, params, margins)
        found = frozenset().union(*(hidden_margins(t) for t in tables))
        if found <= margins:
            return tables
        margins |= found


def _describe(shape: _Shape, out: SuppressedTable | None, k: int) -> dict[str, Any]:
    """The table as published; `out` None means there was no record to count."""
    zero = {"value": 0, "label": "0", "status": "shown"}
    rows = [
        {
            "key": key,
            "label": label,
            "cells": [_cell(c) for c in row[:-1]],
            "total": _cell(row[-1]),
        }
        for (key, label), row in zip(
            shape.row_labels.items(), out.cells if out else (), strict=False
        )
    ]
    last = out.cells[-1] if out else None
    return {
        "id": shape.table_id,
        "title": shape.title,
        "k": k,
        "row_dimension": shape.row_dim,
        "column_dimension": shape.col_dim,
        "columns": [{"key": key, "label": label} for key, label in shape.col_labels.items()],
        "rows": rows,
        "totals": {
            "cells": [_cell(c) for c in last[:-1]] if last else [zero for _ in shape.col_labels],
            "total": _cell(last[-1]) if last else zero,
        },
        "withheld": bool(out and out.withheld),
        "hidden": {
            "small": out.hidden_small if out else 0,
            "complement": out.hidden_complement if out else 0,
            "protected": out.hidden_protected if out else 0,
        },
    }


def _incident_tables(
    records: list[Record], params: StatsParameters, margins: Margins
) -> list[dict[str, Any]]:
    years = ("year", _years(records, params))
    units: dict[str, str] = {}
    for _org, dims in records:
        units.setdefault(dims["unit"], dims["unit_label"])
    units = dict(sorted(units.items(), key=lambda kv: (kv[0] == UNKNOWN, kv[1])))
    spec = [
        (
            "incidents_by_year_type",
            _("Incidents by year and type"),
            years,
            ("type", _labels(IncidentType.choices)),
            params.k,
        ),
        (
            "incidents_by_district_year",
            _("Incidents by district and year"),
            ("unit", units),
            years,
            params.k_subnational,
        ),
        (
            "incidents_by_year_age_band",
            _("Incidents by year and survivor's age"),
            years,
            ("age_band", _labels(AgeBand.choices)),
            params.k,
        ),
        (
            "incidents_by_year_gender_identity",
            _("Incidents by year and survivor's gender identity"),
            years,
            ("gender_identity", _labels(GenderIdentity.choices)),
            params.k,
        ),
        (
            "incidents_by_year_disability",
            _("Incidents by year and survivor's disability"),
            years,
            ("disability", _labels(YesNoUnknown.choices)),
            params.k,
        ),
    ]
    return [
        count_table(
            table_id=t,
            title=str(title),
            records=records,
            rows=r,
            columns=c,
            k=k,
            params=params,
            margins=margins,
        )
        for t, title, r, c, k in spec
    ]


def _attack_tables(
    records: list[Record], params: StatsParameters, margins: Margins
) -> list[dict[str, Any]]:
    years = ("year", _years(records, params))
    kinds = {**_labels(AttackType.choices), UNKNOWN: str(_("Not known"))}
    return [
        count_table(
            table_id="attacks_by_year_type",
            title=_("Digital attacks by year and main kind"),
            records=records,
            rows=years,
            columns=("kind", kinds),
            k=params.k,
            params=params,
            margins=margins,
        ),
        count_table(
            table_id="attacks_by_year_platform",
            title=_("Digital attacks by year and platform"),
            records=records,
            rows=years,
            columns=("platform", _labels(Platform.choices)),
            k=params.k,
            params=params,
            margins=margins,
        ),
    ]


def _complaint_tables(
    records: list[Record], params: StatsParameters, margins: Margins
) -> list[dict[str, Any]]:
    years = ("year", _years(records, params))
    groups = ("outcome", {"no_outcome": _("No outcome"), "outcome": _("Outcome")})
    case_kinds = {"incident": str(_("GBV incidents")), "attack": str(_("Digital attacks"))}
    spec = [
        (
            "complaints_by_year_status",
            _("Complaints by year filed and status"),
            years,
            ("status", _labels(ComplaintStatus.choices)),
        ),
        ("impunity_by_year", _("Complaints without an outcome, by year filed"), years, groups),
        (
            "impunity_by_authority",
            _("Complaints without an outcome, by authority"),
            ("authority", _labels(Authority.choices)),
            groups,
        ),
        (
            "impunity_by_case_type",
            _("Complaints without an outcome, by kind of case"),
            ("case_type", case_kinds),
            groups,
        ),
    ]
    return [
        count_table(
            table_id=t,
            title=str(title),
            records=records,
            rows=r,
            columns=(c[0], {k: str(v) for k, v in c[1].items()}),
            k=params.k,
            params=params,
            margins=margins,
        )
        for t, title, r, c in spec
    ]


def impunity_rates(table: dict[str, Any]) -> list[dict[str, Any]]:
    """Rate of complaints without an outcome per row, where both its counts are published."""
    rates = []
    for row in [*table["rows"], {**table["totals"], "key": "total", "label": _("All")}]:
        no_outcome, total = row["cells"][0]["value"], row["total"]["value"]
        rate = None if no_outcome is None or not total else no_outcome / total
        rates.append(
            {
                "key": row["key"],
                "label": str(row["label"]),
                "complaints": row["total"]["label"],
                "without_outcome": row["cells"][0]["label"],
                "rate": rate,
                "rate_percent": None if rate is None else round(100 * rate, 1),
            }
        )
    return rates


def _gather(params: StatsParameters) -> dict[str, Any]:
    """Coded values of the records that count, and how many were left out for lack of consent."""
    sharing = queries.sharing_organisation_ids()
    incidents: list[Record] = []
    attacks: list[Record] = []
    complaints: list[Record] = []
    left_out = Counter[str]()
    unit_names = queries.unit_names()
    no_district = str(_("District not known"))
    for org, year, kind, unit, age, gender, disability, counts in queries.incident_rows(
        sharing, params.year
    ):
        if not counts:
            left_out["incidents"] += 1
            continue
        dims = {"year": _year_key(year), "type": kind, "unit": unit or UNKNOWN, "age_band": age,
                "gender_identity": gender, "disability": disability,
                "unit_label": unit_names.get(unit or UNKNOWN, no_district)}  # fmt: skip
        incidents.append((org, dims))
    for org, year, kinds, platform, counts in queries.attack_rows(sharing, params.year):
        if not counts:
            left_out["attacks"] += 1
            continue
        kind = kinds[0] if kinds else UNKNOWN
        attacks.append((org, {"year": _year_key(year), "kind": kind, "platform": platform}))
    for org, year, status, authority, about_incident, counts in queries.complaint_rows(
        sharing, params.year
    ):
        if not counts:  # the case it is about is not counted, so neither is the complaint
            left_out["complaints"] += 1
            continue
        dims = {
            "year": _year_key(year),
            "status": status,
            "authority": authority,
            "case_type": "incident" if about_incident else "attack",
            "outcome": "outcome" if status in OUTCOME_STATUSES else "no_outcome",
        }
        complaints.append((org, dims))
    return {
        "sharing": sharing,
        "incidents": incidents,
        "attacks": attacks,
        "complaints": complaints,
        "left_out": left_out,
    }


def _year_key(year: int | None) -> str:
    return UNKNOWN if year is None else str(year)


def _small(n: int, k: int) -> str:
    return f"<{k}" if 0 < n < k else str(n)


def _headline(table: dict[str, Any]) -> int | None:
    value = table["totals"]["total"]["value"]
    return None if value is None else int(value)


def stats_report(params: StatsParameters) -> dict[str, Any]:
    """The coalition's figures as a JSON-ready dict; reads coded fields only, decrypts nothing."""
    data = _gather(params)
    tables = [
        *linked_tables(_incident_tables, data["incidents"], params),
        *linked_tables(_attack_tables, data["attacks"], params),
        *linked_tables(_complaint_tables, data["complaints"], params),
    ]
    by_id = {t["id"]: t for t in tables}
    impunity = {
        name: impunity_rates(by_id[f"impunity_by_{name}"])
        for name in ("year", "authority", "case_type")
    }
    overall = impunity["year"][-1]
    contributing = {org for key in ("incidents", "attacks", "complaints") for org, _ in data[key]}
    return {
        "generated_at": timezone.now().isoformat(timespec="seconds"),
        "year": params.year,
        "incidents_total": _headline(by_id["incidents_by_year_type"]),
        "attacks_total": _headline(by_id["attacks_by_year_type"]),
        "complaints_total": _headline(by_id["impunity_by_year"]),
        "impunity_rate": overall["rate"],
        "impunity_rate_percent": overall["rate_percent"],
        "impunity": impunity,
        "tables": tables,
        "inputs": {
            "organisations_sharing": len(data["sharing"]),
            "organisations_contributing": _small(len(contributing), params.min_organisations),
            "left_out_without_consent": {
                key: _small(data["left_out"][key], params.k)
                for key in ("incidents", "attacks", "complaints")
            },
        },
        "parameters": asdict(params),
        "assumptions": assumptions(params),
        "sources": [
            {
                "name": str(_("Case records and complaints of the member organisations")),
                "note": str(
                    _(
                        "Coded fields only (type, dates, district, age band, gender identity, "
                        "disability, platform, authority, status); nothing is decrypted."
                    )
                ),
            }
        ],
    }


def assumptions(params: StatsParameters) -> list[str]:
    """What the figures assume, in words, with the parameters in force."""
    return [
        _(
            "Only organisations whose coordinator agreed to share with the coalition are counted, "
            "and of their records only those whose survivor or activist consented both to being "
            "counted in statistics and to being shared with the coalition; the others are left out "
            "and counted as such."
        ),
        _(
            'Non-zero counts below %(k)s are shown as "<%(k)s" (below %(ks)s in tables by '
            'district); "x" hides a count of %(k)s or more so that no hidden count can be worked '
            "out from the totals of its row or column."
        )
        % {"k": params.k, "ks": params.k_subnational},
        _(
            "A non-zero figure is shown only when at least %(n)s organisations contribute to it "
            "and none contributes more than %(share)s%% of it, so no organisation's own numbers "
            "can be read off."
        )
        % {"n": params.min_organisations, "share": round(100 * params.dominance_share)},
        _(
            "Year: of the incident (else the date reported, else of first contact); of the start "
            "of an attack (else its detection, else its report); of the filing of a complaint."
        ),
        _(
            "An attack of several kinds is counted once, under the first kind recorded for it, so "
            "that rows and columns add up to the totals."
        ),
        _(
            "A complaint had an outcome when someone was charged or convicted or the harm was "
            "redressed; every other status (no response, refused, investigating, closed without "
            "action) counts as without outcome in the impunity rate."
        ),
        _(
            "Suppression protects each table against its own totals, and a total that tables of "
            "the same records share is hidden in all of them alike; it does not guarantee how "
            "narrow the range of a hidden count can be made, nor protect against every other "
            "combination of tables."
        ),
    ]
