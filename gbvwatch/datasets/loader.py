"""Load a shipped dataset through the project's own importers, in one transaction.

The Azerbaijan dataset (`az`) maps its raw files (Azstat units, geoBoundaries polygons, GeoNames
settlements, the UPR report, Council of Europe standards, key figures) into the generic import
formats, validates them with the same code as user imports, and upserts them, so loading twice
changes nothing. Services maintained by an organisation are never overwritten. Public holidays
come from the `holidays` package at load time.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gbvwatch.analysis.calendar import country_calendar
from gbvwatch.analysis.geo import distance_matrix_km, locate
from gbvwatch.core.audit import audit_append
from gbvwatch.directory.importers import SERVICE_COLUMNS, services_parse, services_write
from gbvwatch.geography.importers import (
    ImportProblem,
    ImportRejected,
    ImportResult,
    RawRow,
    RowReader,
    assign_changes,
    boundaries_parse,
    boundaries_write,
    decode_upload,
    read_csv_rows,
    read_table,
    settlements_parse,
    settlements_write,
    units_parse,
    units_write,
)
from gbvwatch.geography.models import AdminUnit, Boundary
from gbvwatch.reference.models import KeyFigure, PublicHoliday, Standard
from gbvwatch.upr.importers import Options as UprOptions
from gbvwatch.upr.importers import recommendations_parse, recommendations_write

DATASETS_DIR = Path(__file__).resolve().parent
FIRST_HOLIDAY_YEAR = 2019
HOLIDAY_YEARS_AHEAD = 2
HOLIDAY_LANGUAGE = "en_US"

AZ_UNIT_COLUMNS = (
    "unit_id",
    "name_az",
    "name_en",
    "unit_type",
    "iso_3166_2",
    "parent_unit",
    "in_nakhchivan_ar",
    "lat",
    "lon",
    "centre_name",
    "centre_geonameid",
    "centre_lat",
    "centre_lon",
    "population_2026",
    "men_2026",
    "women_2026",
    "women_2026_estimated",
    "counted_in_national_total",
    "contested_1990s_2023",
    "notes",
)
AZ_SETTLEMENT_COLUMNS = (
    "geonameid",
    "name",
    "name_ascii",
    "lat",
    "lon",
    "population",
    "geonames_admin1",
    "iso_3166_2",
    "note",
)
STANDARD_COLUMNS = (
    "service",
    "standard",
    "ratio",
    "denominator",
    "required_for_azerbaijan_2026",
    "notes",
    "source",
    "source_url",
)
KEY_FIGURE_COLUMNS = (
    "indicator",
    "year",
    "value",
    "unit",
    "definition",
    "source",
    "source_url",
    "notes",
)
# For each row of the standards file: our code, the directory kinds it counts, and the unit.
STANDARD_KINDS = {
    "helpline": ("national_helpline", "helpline", "services"),
    "shelter_family_place": ("shelter_family_places", "shelter_dv", "family_places"),
    "rape_crisis_centre": ("rape_crisis_centres", "rape_crisis_centre", "services"),
    "sexual_assault_referral_centre": (
        "sexual_assault_centres",
        "sexual_assault_centre",
        "services",
    ),
    "womens_counselling_centre": ("counselling_centres", "counselling", "services"),
}
_RATIO = re.compile(r"^\s*(\d+(?:\.\d+)?) per (country|[\d,]+)\b")
_CONTESTED_NOTE = "outside government control early 1990s-2020/23"


class DatasetError(Exception):
    """A dataset could not be loaded; nothing was written. The message says which file and why."""


@dataclass(frozen=True)
class DatasetReport:
    """What loading a dataset did, part by part (units, boundaries, services, ...)."""

    dataset: str
    parts: dict[str, ImportResult]

    def as_dict(self) -> dict[str, Any]:
        """The report as plain data for JSON output and the audit entry."""
        return {"dataset": self.dataset, "parts": {k: v.as_dict() for k, v in self.parts.items()}}


def dataset_names() -> list[str]:
    """Names of the datasets this installation can load."""
    return sorted(LOADERS)


def dataset_load(
    name: str, *, actor: Any = "load-dataset", today: dt.date | None = None
) -> DatasetReport:
    """Load a dataset in one transaction with one audit entry; raises DatasetError on faults."""
    name = name.lower()  # `make run` passes GBVWATCH_COUNTRY, which may be "AZ"
    loader = LOADERS.get(name)
    if loader is None:
        message = _('no dataset "%(name)s"; available: %(names)s')
        raise DatasetError(message % {"name": name, "names": ", ".join(dataset_names())})
    with transaction.atomic():
        report = DatasetReport(name, loader(DATASETS_DIR / name, today or timezone.localdate()))
        audit_append(actor=actor, action="dataset.load", details=report.as_dict())
    return report


@contextmanager
def _reading(path: Path) -> Iterator[None]:
    try:
        yield
    except ImportRejected as exc:
        message = _("%(file)s was rejected, nothing was loaded:\n%(problems)s")
        raise DatasetError(message % {"file": path.name, "problems": exc}) from exc


def _raw_rows(path: Path, columns: Sequence[str]) -> list[RawRow]:
    return read_csv_rows(decode_upload(path.read_bytes()), columns)


def _float_or_none(text: str) -> float | None:
    try:
        return float(text)
    except ValueError:
        return None


# -- Azerbaijan --------------------------------------------------------------------------------


def load_az(folder: Path, today: dt.date) -> dict[str, ImportResult]:
    """Load every part of the Azerbaijan dataset; call inside a transaction."""
    parts: dict[str, ImportResult] = {}
    steps: list[tuple[str, str, Callable[[Path], ImportResult]]] = [
        ("units", "az_admin_units.csv", _az_units),
        ("boundaries", "az_adm2_boundaries.geojson", _boundaries),
        ("settlements", "az_settlements_geonames.csv", _az_settlements),
        ("services", "services.csv", _services),
        ("recommendations", "upr_aze_cycle2.csv", lambda p: _recommendations(p, "AZ")),
        ("standards", "coe_minimum_standards.csv", _standards),
        ("key_figures", "key_figures.csv", lambda p: _key_figures(p, "AZ")),
    ]
    for part, file_name, step in steps:
        with _reading(folder / file_name):
            parts[part] = step(folder / file_name)
    years = range(FIRST_HOLIDAY_YEAR, today.year + HOLIDAY_YEARS_AHEAD + 1)
    parts["holidays"] = holidays_load("AZ", years)
    return parts


def _az_unit_values(raw: Mapping[str, str], code_by_name: Mapping[str, str]) -> dict[str, str]:
    notes = raw["notes"]
    if raw["contested_1990s_2023"] == "1" and _CONTESTED_NOTE not in notes:
        notes = "; ".join(n for n in (notes, _CONTESTED_NOTE) if n)
    return {
        "code": raw["unit_id"],
        "name_en": raw["name_en"],
        "name_local": raw["name_az"],
        "name_ru": "",
        "unit_type": raw["unit_type"],
        "iso_3166_2": raw["iso_3166_2"],
        "parent_code": code_by_name.get(raw["parent_unit"], raw["parent_unit"]),
        "population": raw["population_2026"],
        "women": raw["women_2026"],
        "women_estimated": raw["women_2026_estimated"],
        "population_year": "2026" if raw["population_2026"] else "",
        "counted_in_national_total": raw["counted_in_national_total"],
        "centre_name": raw["centre_name"],
        "centre_lat": raw["centre_lat"] or raw["lat"],
        "centre_lon": raw["centre_lon"] or raw["lon"],
        "road_component": "nakhchivan" if raw["in_nakhchivan_ar"] == "1" else "main",
        "notes": notes,
    }


def _az_units(path: Path) -> ImportResult:
    raw = _raw_rows(path, AZ_UNIT_COLUMNS)
    code_by_name = {r.values["name_az"]: r.values["unit_id"] for r in raw}
    rows = [RawRow(r.line, _az_unit_values(r.values, code_by_name)) for r in raw]
    rows.sort(key=lambda r: bool(r.values["parent_code"]))  # parents first; lines kept
    return units_write(units_parse(rows, country="AZ"))


def _boundaries(path: Path) -> ImportResult:
    return boundaries_write(boundaries_parse(decode_upload(path.read_bytes())))


def assign_units(points: Sequence[tuple[float, float]]) -> list[str]:
    """Unit code for each (lat, lon): the boundary containing it, else the nearest unit centre
    on the same road-network component as the nearest boundary (all units if none exist)."""
    units = list(AdminUnit.objects.order_by("-counted_in_national_total", "code"))
    boundaries = list(Boundary.objects.select_related("unit").order_by("pk"))
    if not points or not units:
        return [""] * len(points)
    if not boundaries:
        return [_nearest_centre(lat, lon, units).code for lat, lon in points]
    located = locate([(lon, lat) for lat, lon in points], [b.geometry for b in boundaries])
    codes = []
    for i, (lat, lon) in enumerate(points):
        unit = boundaries[int(located.feature_index[i])].unit
        if located.method[i] != "contains":
            same = [u for u in units if u.road_component == unit.road_component]
            unit = _nearest_centre(lat, lon, same)
        codes.append(unit.code)
    return codes


def _nearest_centre(lat: float, lon: float, units: Sequence[AdminUnit]) -> AdminUnit:
    # Ties (a city and its rayon share a centre) go to the first unit: counted ones come first.
    distances = distance_matrix_km(
        [lat], [lon], [u.centre_lat for u in units], [u.centre_lon for u in units]
    )
    return units[int(np.argmin(distances[0]))]


def _az_settlements(path: Path) -> ImportResult:
    raw = _raw_rows(path, AZ_SETTLEMENT_COLUMNS)
    points = [(_float_or_none(r.values["lat"]), _float_or_none(r.values["lon"])) for r in raw]
    valid = [
        (i, (lat, lon))
        for i, (lat, lon) in enumerate(points)
        if lat is not None and lon is not None
    ]
    codes = dict(zip([i for i, _p in valid], assign_units([p for _i, p in valid]), strict=True))
    rows = [
        RawRow(
            r.line,
            {
                "code": f"geonames:{r.values['geonameid']}",
                "name": r.values["name"],
                "lat": r.values["lat"],
                "lon": r.values["lon"],
                "population": r.values["population"],
                "unit_code": codes.get(i, ""),
            },
        )
        for i, r in enumerate(raw)
    ]
    return settlements_write(settlements_parse(rows))


def _services(path: Path) -> ImportResult:
    rows = read_table(path.read_bytes(), SERVICE_COLUMNS, ("lat", "lon"))
    return services_write(services_parse(rows), keep_organisation_entries=True)


# -- reference tables --------------------------------------------------------------------------


def upsert_keyed(
    model: type[models.Model], key: Sequence[str], items: Sequence[dict[str, Any]]
) -> ImportResult:
    """Upsert rows of a small reference table by a natural key; call inside a transaction."""
    existing = {tuple(getattr(o, k) for k in key): o for o in model._default_manager.all()}
    created = updated = unchanged = 0
    for values in items:
        obj = existing.get(tuple(values[k] for k in key))
        if obj is None:
            model._default_manager.create(**values)
            created += 1
        elif assign_changes(obj, values):
            obj.save()
            updated += 1
        else:
            unchanged += 1
    return ImportResult(created=created, updated=updated, unchanged=unchanged)


def _key_problems(keyed: Sequence[tuple[int, tuple[Any, ...]]], field: str) -> list[ImportProblem]:
    seen: dict[tuple[Any, ...], int] = {}
    problems = []
    for line, key in keyed:
        if key in seen:
            message = _("the same entry already appears on line %(line)d")
            problems.append(ImportProblem(line, field, message % {"line": seen[key]}))
        seen.setdefault(key, line)
    return problems


def _recommendations(path: Path, country: str) -> ImportResult:
    # The UPR app's own importer: same validation and classification as `gbvwatch upr import`.
    items = recommendations_parse(path.read_bytes(), source="csv", options=UprOptions(country))
    return recommendations_write(items)


def _ratio(r: RowReader) -> tuple[float, int]:
    match = _RATIO.match(r.text("ratio"))
    if match is None:
        message = _('"%(value)s" is not of the form "1 per 10,000 population" or "1 per country"')
        r.problem("ratio", message % {"value": r.text("ratio")})
        return 1.0, 1
    per = match.group(2)
    return float(match.group(1)), 1 if per == "country" else int(per.replace(",", ""))


def _standard(row: RawRow, problems: list[ImportProblem]) -> dict[str, Any]:
    r = RowReader(row, problems)
    service = r.text("service", required=True)
    code, kinds, capacity_unit = STANDARD_KINDS.get(service, ("", "", ""))
    if service and not kinds:
        r.problem("service", _('no service kinds are defined for "%(code)s"') % {"code": service})
    amount, per = _ratio(r)
    notes = r.text("notes")
    required = r.text("required_for_azerbaijan_2026")
    if required:
        notes = f"{notes} Dataset figure: {required} required for Azerbaijan in 2026.".strip()
    fields = {
        "code": code,
        "title": r.text("standard", required=True),
        "service_kinds": kinds,
        "capacity_unit": capacity_unit,
        "amount": amount,
        "per": per,
        "denominator": r.choice("denominator", Standard.Denominator.values),
        "version": "2008",
        "source": r.text("source", required=True),
        "source_url": r.text("source_url"),
        "notes": notes,
        "is_builtin": True,
    }
    r.full_clean(Standard(**fields), exclude=[], renames={"code": "service"})
    return fields


def _standards(path: Path) -> ImportResult:
    rows = _raw_rows(path, STANDARD_COLUMNS)
    problems: list[ImportProblem] = []
    items = [_standard(row, problems) for row in rows]
    problems.extend(
        _key_problems([(r.line, (i["code"],)) for r, i in zip(rows, items, strict=True)], "service")
    )
    if problems:
        raise ImportRejected(problems)
    # A standard someone edited in the app is theirs now: reloading leaves it alone.
    edited = set(Standard.objects.filter(locally_modified=True).values_list("code", flat=True))
    result = upsert_keyed(Standard, ("code",), [i for i in items if i["code"] not in edited])
    skipped = sum(1 for i in items if i["code"] in edited)
    return ImportResult(result.created, result.updated, result.unchanged, skipped)


def _key_figure(row: RawRow, problems: list[ImportProblem], country: str) -> dict[str, Any]:
    r = RowReader(row, problems)
    fields = {
        "country": country,
        "indicator": r.text("indicator", required=True),
        "year": r.integer("year", minimum=1),
        "value": r.number("value", low=-1e15, high=1e15, what=_("number")),
        "unit": r.text("unit", required=True),
        "definition": r.text("definition"),
        "source": r.text("source", required=True),
        "source_url": r.text("source_url"),
        "notes": r.text("notes"),
    }
    r.full_clean(KeyFigure(**fields), exclude=[], renames={})
    return fields


def _key_figures(path: Path, country: str) -> ImportResult:
    rows = _raw_rows(path, KEY_FIGURE_COLUMNS)
    problems: list[ImportProblem] = []
    items = [_key_figure(row, problems, country) for row in rows]
    keys = [
        (row.line, (i["indicator"], i["year"], i["source_url"]))
        for row, i in zip(rows, items, strict=True)
    ]
    problems.extend(_key_problems(keys, "indicator"))
    if problems:
        raise ImportRejected(problems)
    return upsert_keyed(KeyFigure, ("country", "indicator", "year", "source_url"), items)


def holidays_load(country: str, years: range) -> ImportResult:
    """Store the country's holidays, transfers and weekend workdays for the years, from the
    `holidays` package; days of those years that the package no longer lists are deleted."""
    days = country_calendar(country, years, language=HOLIDAY_LANGUAGE)
    items = [
        {
            "country": country,
            "date": day.date,
            "name": day.name[:200],
            "kind": day.kind,
            "is_working_day": day.is_working_day,
        }
        for day in days
    ]
    result = upsert_keyed(PublicHoliday, ("country", "date", "kind"), items)
    wanted = {(i["date"], i["kind"]) for i in items}
    stale = [
        h.pk
        for h in PublicHoliday.objects.filter(country=country, date__year__in=list(years))
        if (h.date, h.kind) not in wanted
    ]
    deleted = PublicHoliday.objects.filter(pk__in=stale).delete()[0]
    return ImportResult(result.created, result.updated, result.unchanged, 0, deleted)


LOADERS: dict[str, Callable[[Path, dt.date], dict[str, ImportResult]]] = {"az": load_az}
