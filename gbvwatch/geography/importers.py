"""Import administrative units, their boundaries and settlements, all or nothing per file.

Also the machinery the other importers share: decoding an upload, reading CSV or GeoJSON into
rows, reading typed fields while collecting every problem with its line, and the rejection.
Every import validates the whole file first and writes only when nothing is wrong.
"""

from __future__ import annotations

import csv
import getpass
import io
import json
import math
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from gbvwatch.core.access import active_membership
from gbvwatch.core.audit import audit_append
from gbvwatch.core.models import Organisation, User
from gbvwatch.geography.models import AdminUnit, Boundary, Settlement

# A cell that a spreadsheet would run as a formula; exports put a quote in front (see exporters).
NEEDS_QUOTE = re.compile(r"^'*[=+\-@\t\r]")
MAX_PROBLEMS_SHOWN = 200

UNIT_COLUMNS = (
    "code",
    "name_en",
    "name_local",
    "name_ru",
    "unit_type",
    "iso_3166_2",
    "parent_code",
    "population",
    "women",
    "women_estimated",
    "population_year",
    "counted_in_national_total",
    "centre_name",
    "centre_lat",
    "centre_lon",
    "road_component",
    "notes",
)
SETTLEMENT_COLUMNS = ("code", "name", "lat", "lon", "population", "unit_code")
_ISO_3166_2 = re.compile(r"^[A-Z]{2}-[A-Z0-9]{1,3}$")
_TRUE = frozenset({"1", "true", "yes", "y"})
_FALSE = frozenset({"0", "false", "no", "n"})


@dataclass(frozen=True)
class ImportProblem:
    """One fault of an import file: line (or feature) number, 0 for the whole file; field."""

    row: int
    field: str
    message: str
    where: str = "line"  # "line" in CSV files, "feature" in GeoJSON files

    def __str__(self) -> str:
        values = {"row": self.row, "field": self.field, "message": self.message}
        if self.row == 0:
            if self.field:
                return _('column "%(field)s": %(message)s') % values
            return self.message
        if self.where == "feature":
            if self.field:
                return _('feature %(row)d, field "%(field)s": %(message)s') % values
            return _("feature %(row)d: %(message)s") % values
        if self.field:
            return _('line %(row)d, field "%(field)s": %(message)s') % values
        return _("line %(row)d: %(message)s") % values


class ImportRejected(Exception):
    """The file was refused as a whole; nothing was written. Lists every problem found."""

    def __init__(self, problems: Sequence[ImportProblem]) -> None:
        self.problems = list(problems)
        super().__init__(str(self))

    def __str__(self) -> str:
        shown = [str(p) for p in self.problems[:MAX_PROBLEMS_SHOWN]]
        hidden = len(self.problems) - len(shown)
        if hidden > 0:
            more = ngettext(
                "... and %(count)d more problem", "... and %(count)d more problems", hidden
            )
            shown.append(more % {"count": hidden})
        return "\n".join(shown)


@dataclass(frozen=True)
class ImportResult:
    """What an import did: rows created, updated, left unchanged, skipped, and rows deleted."""

    created: int = 0
    updated: int = 0
    unchanged: int = 0
    skipped: int = 0
    deleted: int = 0

    @property
    def rows(self) -> int:
        """Rows of the file that were processed (created + updated + unchanged + skipped)."""
        return self.created + self.updated + self.unchanged + self.skipped

    def as_dict(self) -> dict[str, int]:
        """The counts as a plain dict (for JSON output and audit details)."""
        return {
            "rows": self.rows,
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "skipped": self.skipped,
            "deleted": self.deleted,
        }


@dataclass(frozen=True)
class RawRow:
    """One data row as text cells by column, with its line (CSV) or feature (GeoJSON) number."""

    line: int
    values: dict[str, str]
    where: str = "line"


def file_problem(message: str) -> ImportRejected:
    """A rejection for a fault of the whole file (size, encoding, structure)."""
    return ImportRejected([ImportProblem(0, "", message)])


def cli_actor(username: str | None) -> tuple[Any, Organisation | None]:
    """Who a command-line import acts as: the named account and its organisation, or else
    the operating-system user's name as a label (no organisation). Unknown names: ValueError."""
    if not username:
        try:
            return getpass.getuser(), None
        except OSError:  # no name for this uid (e.g. in a container)
            return "cli", None
    user = User.objects.filter(username=username).first()
    if user is None:
        raise ValueError(_('no account "%(name)s"') % {"name": username})
    membership = active_membership(user)
    return user, membership.organisation if membership else None


# -- reading files -----------------------------------------------------------------------------


def read_upload(path: Path) -> bytes:
    """Read a file for import, refusing it unread when it exceeds settings.IMPORT_MAX_BYTES."""
    limit = settings.IMPORT_MAX_BYTES
    size = path.stat().st_size
    if size > limit:
        raise _too_big(size, limit)
    with path.open("rb") as handle:
        return handle.read(limit + 1)


def _too_big(size: int, limit: int) -> ImportRejected:
    message = _("the file has %(size)d bytes, more than the limit of %(limit)d bytes")
    return file_problem(message % {"size": size, "limit": limit})


def decode_upload(data: bytes) -> str:
    """Check the size limit and decode UTF-8 (a BOM is dropped); names the first bad byte."""
    limit = settings.IMPORT_MAX_BYTES
    if len(data) > limit:
        raise _too_big(len(data), limit)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        message = _(
            "byte offset %(offset)d (line %(line)d) is not valid UTF-8 (0x%(byte)02x); "
            "save the file as UTF-8"
        )
        raise file_problem(
            message % {"offset": exc.start, "line": line, "byte": data[exc.start]}
        ) from exc
    return text.removeprefix("\ufeff")


def is_geojson(text: str) -> bool:
    """Whether the text looks like JSON (GeoJSON) rather than CSV, judged by content."""
    return text.lstrip().startswith("{")


def unquote_cell(cell: str) -> str:
    """Undo the export's formula guard: drop one leading quote before =, +, -, @, tab or CR."""
    if cell.startswith("'") and NEEDS_QUOTE.match(cell[1:]):
        return cell[1:]
    return cell


def _header_problems(header: list[str], columns: Sequence[str]) -> list[ImportProblem]:
    problems = []
    expected = ", ".join(columns)
    for name in sorted({h for h in header if header.count(h) > 1}):
        problems.append(ImportProblem(1, name, _("the column appears more than once")))
    for name in header:
        if name not in columns:
            message = _("unknown column; the columns are: %(columns)s") % {"columns": expected}
            problems.append(ImportProblem(1, name, message))
    for name in columns:
        if name not in header:
            problems.append(ImportProblem(1, name, _("the column is missing")))
    return problems


def read_csv_rows(text: str, columns: Sequence[str]) -> list[RawRow]:
    """Rows of a CSV text whose header names exactly `columns` (any order); blank rows skipped."""
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = [h.strip() for h in next(reader)]
    except StopIteration:
        raise file_problem(_("the file is empty")) from None
    except csv.Error as exc:
        raise ImportRejected([ImportProblem(1, "", str(exc))]) from exc
    problems = _header_problems(header, columns)
    if problems:
        raise ImportRejected(problems)
    rows: list[RawRow] = []
    start = reader.line_num + 1
    try:
        for record in reader:
            line, start = start, reader.line_num + 1
            if not any(cell.strip() for cell in record):
                continue
            if len(record) != len(header):
                message = _("the row has %(found)d cells but the header has %(expected)d")
                found = {"found": len(record), "expected": len(header)}
                problems.append(ImportProblem(line, "", message % found))
                continue
            cells = (unquote_cell(cell).strip() for cell in record)
            rows.append(RawRow(line, dict(zip(header, cells, strict=True))))
    except csv.Error as exc:
        problems.append(ImportProblem(reader.line_num, "", str(exc)))
    if problems:
        raise ImportRejected(problems)
    return rows


def load_json(text: str) -> Any:
    """Parse JSON text; a syntax error becomes a rejection naming its line and column."""
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        message = _("not valid JSON at line %(line)d, column %(column)d: %(error)s")
        values = {"line": exc.lineno, "column": exc.colno, "error": exc.msg}
        raise file_problem(message % values) from exc


def geojson_features(text: str) -> list[Any]:
    """The features list of a GeoJSON FeatureCollection text; rejects anything else."""
    document = load_json(text)
    if not isinstance(document, dict) or document.get("type") != "FeatureCollection":
        raise file_problem(_("the file is not a GeoJSON FeatureCollection"))
    features = document.get("features")
    if not isinstance(features, list):
        raise file_problem(_('the FeatureCollection has no "features" list'))
    return features


def _property_text(value: Any) -> str | None:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, int | float):
        return repr(value) if isinstance(value, float) else str(value)
    if isinstance(value, str):
        return value.strip()
    return None


def _point_values(
    number: int, geometry: Any, lat_col: str, lon_col: str, problems: list[ImportProblem]
) -> dict[str, str]:
    if geometry is None:
        return {}
    coordinates = geometry.get("coordinates") if isinstance(geometry, dict) else None
    if (
        not isinstance(geometry, dict)
        or geometry.get("type") != "Point"
        or not isinstance(coordinates, list)
        or len(coordinates) < 2
        or not all(_is_number(c) for c in coordinates[:2])
    ):
        message = _("the geometry must be a Point [longitude, latitude] or null")
        problems.append(ImportProblem(number, "geometry", message, "feature"))
        return {}
    return {lon_col: repr(float(coordinates[0])), lat_col: repr(float(coordinates[1]))}


def _same_number(text: str, other: str) -> bool:
    try:
        return float(text) == float(other)
    except ValueError:
        return False


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _feature_row(
    number: int,
    feature: Any,
    columns: Sequence[str],
    coords: tuple[str, str],
    problems: list[ImportProblem],
) -> RawRow | None:
    lat_col, lon_col = coords
    if not isinstance(feature, dict) or not isinstance(feature.get("properties"), dict):
        problems.append(ImportProblem(number, "", _("not a Feature with properties"), "feature"))
        return None
    values: dict[str, str] = {}
    for name, value in feature["properties"].items():
        text = _property_text(value)
        if name not in columns:
            problems.append(ImportProblem(number, name, _("unknown property"), "feature"))
        elif text is None:
            message = _("must be text, a number, true/false or null")
            problems.append(ImportProblem(number, name, message, "feature"))
        else:
            values[name] = text
    point = _point_values(number, feature.get("geometry"), lat_col, lon_col, problems)
    for name in (lat_col, lon_col):
        if values.get(name) and name in point and not _same_number(values[name], point[name]):
            message = _("the property differs from the geometry")
            problems.append(ImportProblem(number, name, message, "feature"))
    values.update(point)
    for name in columns:
        if name not in values and name not in (lat_col, lon_col):
            problems.append(ImportProblem(number, name, _("the property is missing"), "feature"))
        values.setdefault(name, "")
    return RawRow(number, values, "feature")


def read_geojson_rows(text: str, columns: Sequence[str], coords: tuple[str, str]) -> list[RawRow]:
    """Rows of a FeatureCollection of Points (or null geometry) whose properties are `columns`.

    `coords` names the (latitude, longitude) columns that the Point geometry fills in."""
    problems: list[ImportProblem] = []
    rows = []
    for number, feature in enumerate(geojson_features(text), start=1):
        row = _feature_row(number, feature, columns, coords, problems)
        if row is not None:
            rows.append(row)
    if problems:
        raise ImportRejected(problems)
    return rows


def read_table(data: bytes, columns: Sequence[str], coords: tuple[str, str]) -> list[RawRow]:
    """Decode an upload and read its rows from CSV or GeoJSON, whichever the content is."""
    text = decode_upload(data)
    if is_geojson(text):
        return read_geojson_rows(text, columns, coords)
    return read_csv_rows(text, columns)


# -- typed fields ------------------------------------------------------------------------------


class RowReader:
    """Reads typed fields from one raw row, recording a problem for each bad value."""

    def __init__(self, row: RawRow, problems: list[ImportProblem]) -> None:
        self.row = row
        self.problems = problems
        self.bad_fields: set[str] = set()

    def problem(self, field: str, message: str) -> None:
        """Record a problem with a field of this row."""
        self.bad_fields.add(field)
        self.problems.append(ImportProblem(self.row.line, field, message, self.row.where))

    def text(self, name: str, *, required: bool = False) -> str:
        """The stripped cell text; a problem when required and empty."""
        value = self.row.values.get(name, "").strip()
        if required and not value:
            self.problem(name, _("a value is required"))
        return value

    def integer(self, name: str, *, minimum: int = 0) -> int | None:
        """A whole number of at least `minimum`, or None when empty."""
        value = self.text(name)
        if not value:
            return None
        try:
            number = int(value)
        except ValueError:
            self.problem(name, _('"%(value)s" is not a whole number') % {"value": value})
            return None
        if number < minimum:
            message = _('"%(value)s" is less than %(minimum)d')
            self.problem(name, message % {"value": value, "minimum": minimum})
            return None
        return number

    def number(self, name: str, *, low: float, high: float, what: str) -> float | None:
        """A finite decimal number within [low, high], or None when empty."""
        value = self.text(name)
        if not value:
            return None
        try:
            number = float(value)
        except ValueError:
            number = math.nan
        if not math.isfinite(number) or not low <= number <= high:
            message = _('"%(value)s" is not a %(what)s between %(low)g and %(high)g')
            self.problem(name, message % {"value": value, "what": what, "low": low, "high": high})
            return None
        return number

    def latitude(self, name: str) -> float | None:
        """A latitude in degrees, -90 to 90, or None when empty."""
        return self.number(name, low=-90, high=90, what=_("latitude"))

    def longitude(self, name: str) -> float | None:
        """A longitude in degrees, -180 to 180, or None when empty."""
        return self.number(name, low=-180, high=180, what=_("longitude"))

    def choice(self, name: str, choices: Iterable[str], *, default: str | None = None) -> str:
        """One of `choices`; an empty cell gives `default`, or a problem when there is none."""
        options = list(choices)
        value = self.text(name)
        if not value and default is not None:
            return default
        if value not in options:
            shown = ", ".join(o for o in options if o) or "-"
            message = _('"%(value)s" is not one of: %(choices)s')
            self.problem(name, message % {"value": value, "choices": shown})
        return value

    def flag(self, name: str, *, default: bool) -> bool:
        """A yes/no cell (1/0, true/false, yes/no); empty gives `default`."""
        value = self.text(name).lower()
        if not value:
            return default
        if value in _TRUE or value in _FALSE:
            return value in _TRUE
        message = _('"%(value)s" is not 1 or 0 (yes or no)')
        self.problem(name, message % {"value": self.text(name)})
        return default

    def full_clean(
        self, instance: models.Model, *, exclude: Sequence[str], renames: Mapping[str, str]
    ) -> None:
        """Run the model's own validation; fields already reported are not reported again."""
        renamed_back = {column: field for field, column in renames.items()}
        skipped = {renamed_back.get(f, f) for f in self.bad_fields}
        try:
            instance.full_clean(
                exclude=[*exclude, *skipped], validate_unique=False, validate_constraints=False
            )
        except ValidationError as exc:
            for name, messages in exc.message_dict.items():
                column = "" if name == "__all__" else renames.get(name, name)
                for message in messages:
                    self.problem(column, message)


def duplicate_problems(rows: Sequence[RawRow], column: str = "code") -> list[ImportProblem]:
    """A problem for each row whose `column` value already appeared on an earlier row."""
    seen: dict[str, int] = {}
    problems = []
    for row in rows:
        value = row.values.get(column, "").strip()
        if value and value in seen:
            message = _('"%(value)s" already appears on line %(line)d')
            if row.where == "feature":
                message = _('"%(value)s" already appears in feature %(line)d')
            values = {"value": value, "line": seen[value]}
            problems.append(ImportProblem(row.line, column, message % values, row.where))
        seen.setdefault(value, row.line)
    return problems


def assign_changes(obj: models.Model, values: Mapping[str, Any]) -> bool:
    """Set the attributes that differ from `values`; True when anything changed."""
    changed = False
    for name, value in values.items():
        if getattr(obj, name) != value:
            setattr(obj, name, value)
            changed = True
    return changed


# -- administrative units ----------------------------------------------------------------------


@dataclass(frozen=True)
class ParsedUnit:
    """A validated unit row, ready to upsert by code."""

    line: int
    code: str
    parent_code: str
    fields: dict[str, Any]


def _unit_fields(r: RowReader) -> dict[str, Any]:
    return {
        "code": r.text("code", required=True),
        "name_en": r.text("name_en", required=True),
        "name_local": r.text("name_local"),
        "name_ru": r.text("name_ru"),
        "unit_type": r.text("unit_type", required=True),
        "iso_3166_2": r.text("iso_3166_2"),
        "population": r.integer("population"),
        "women": r.integer("women"),
        "women_estimated": r.flag("women_estimated", default=False),
        "population_year": r.integer("population_year", minimum=1),
        "counted_in_national_total": r.flag("counted_in_national_total", default=True),
        "centre_name": r.text("centre_name"),
        "centre_lat": r.latitude("centre_lat"),
        "centre_lon": r.longitude("centre_lon"),
        "road_component": r.text("road_component") or "main",
        "notes": r.text("notes"),
    }


def _parse_unit(row: RawRow, problems: list[ImportProblem], country: str) -> ParsedUnit:
    r = RowReader(row, problems)
    fields = _unit_fields(r)
    iso = fields["iso_3166_2"]
    if iso and not _ISO_3166_2.match(iso):
        r.problem("iso_3166_2", _('"%(value)s" is not an ISO 3166-2 code') % {"value": iso})
    fields["country"] = iso.split("-")[0] if "-" in iso else country
    women, population = fields["women"], fields["population"]
    if women is not None and population is not None and women > population:
        r.problem("women", _("more women than the whole population"))
    r.full_clean(AdminUnit(**fields), exclude=["parent"], renames={"parent": "parent_code"})
    return ParsedUnit(row.line, fields["code"], r.text("parent_code"), fields)


def _parent_problems(units: Sequence[ParsedUnit], where: str) -> list[ImportProblem]:
    parents: dict[str, str | None] = dict(AdminUnit.objects.values_list("code", "parent__code"))
    problems = []
    defined: set[str] = set()
    for unit in units:
        if unit.parent_code and unit.parent_code not in parents and unit.parent_code not in defined:
            message = _('no unit "%(code)s" exists or is defined on an earlier line')
            problems.append(
                ImportProblem(unit.line, "parent_code", message % {"code": unit.parent_code}, where)
            )
        defined.add(unit.code)
        parents[unit.code] = unit.parent_code or None
    for unit in units:
        if _has_cycle(unit.code, parents):
            message = _("the parent chain of this unit leads back to itself")
            problems.append(ImportProblem(unit.line, "parent_code", message, where))
    return problems


def _has_cycle(code: str, parents: Mapping[str, str | None]) -> bool:
    seen = {code}
    current = parents.get(code)
    while current:
        if current in seen:
            return True
        seen.add(current)
        current = parents.get(current)
    return False


def units_parse(rows: Sequence[RawRow], *, country: str) -> list[ParsedUnit]:
    """Validate unit rows against each other and the database; raises ImportRejected."""
    problems = duplicate_problems(rows)
    units = [_parse_unit(row, problems, country) for row in rows]
    where = rows[0].where if rows else "line"
    problems.extend(_parent_problems(units, where))
    if problems:
        raise ImportRejected(sorted(problems, key=lambda p: p.row))
    return units


def units_write(units: Sequence[ParsedUnit]) -> ImportResult:
    """Upsert validated units by code, in file order (parents first); call inside a transaction."""
    existing = {u.code: u for u in AdminUnit.objects.all()}
    created = updated = unchanged = 0
    for unit in units:
        parent = existing.get(unit.parent_code)
        values = {**unit.fields, "parent_id": parent.pk if parent else None}
        obj = existing.get(unit.code)
        if obj is None:
            existing[unit.code] = AdminUnit.objects.create(**values)
            created += 1
        elif assign_changes(obj, values):
            obj.save()
            updated += 1
        else:
            unchanged += 1
    return ImportResult(created=created, updated=updated, unchanged=unchanged)


def units_import(data: bytes, *, name: str, actor: Any, country: str | None = None) -> ImportResult:
    """Import units from CSV or GeoJSON points, all or nothing, with one audit entry."""
    rows = read_table(data, UNIT_COLUMNS, ("centre_lat", "centre_lon"))
    with transaction.atomic():
        units = units_parse(rows, country=country or settings.COUNTRY)
        result = units_write(units)
        details = {"file": name, **result.as_dict()}
        audit_append(actor=actor, action="units.import", details=details)
    return result


# -- boundaries --------------------------------------------------------------------------------


@dataclass(frozen=True)
class ParsedBoundary:
    """A validated boundary feature: its unit, its source identifier and its geometry."""

    feature: int
    unit_code: str
    source_id: str
    geometry: dict[str, Any]


def _position_ok(position: Any) -> bool:
    return (
        isinstance(position, list)
        and len(position) in (2, 3)
        and all(_is_number(v) and math.isfinite(v) for v in position)
        and -180 <= position[0] <= 180
        and -90 <= position[1] <= 90
    )


def _ring_problem(ring: Any) -> str | None:
    if not isinstance(ring, list) or len(ring) < 4:
        return _("every ring needs at least 4 positions")
    if not all(_position_ok(p) for p in ring):
        return _("every position must be [longitude, latitude] in degrees")
    if ring[0][:2] != ring[-1][:2]:
        return _("every ring must end where it starts")
    return None


def geometry_problem(geometry: Any) -> str | None:
    """Why a GeoJSON geometry is not a usable Polygon/MultiPolygon, or None when it is."""
    if not isinstance(geometry, dict) or geometry.get("type") not in ("Polygon", "MultiPolygon"):
        return _("the geometry must be a Polygon or MultiPolygon")
    coordinates = geometry.get("coordinates")
    polygons = [coordinates] if geometry["type"] == "Polygon" else coordinates
    if not isinstance(polygons, list) or not polygons:
        return _("the geometry has no coordinates")
    for polygon in polygons:
        if not isinstance(polygon, list) or not polygon:
            return _("every polygon needs at least one ring")
        for ring in polygon:
            problem = _ring_problem(ring)
            if problem:
                return problem
    return None


def _parse_boundary(
    number: int, feature: Any, known: set[str], problems: list[ImportProblem]
) -> ParsedBoundary | None:
    def problem(field: str, message: str) -> None:
        problems.append(ImportProblem(number, field, message, "feature"))

    if not isinstance(feature, dict) or not isinstance(feature.get("properties"), dict):
        problem("", _("not a Feature with properties"))
        return None
    props = feature["properties"]
    unit_code = str(props.get("unit_code") or props.get("unit_id") or "").strip()
    if not unit_code:
        problem("unit_code", _("a value is required"))
    elif unit_code not in known:
        problem("unit_code", _('no unit "%(code)s" exists') % {"code": unit_code})
    source_id = str(props.get("source_id") or props.get("shapeID") or feature.get("id") or "")
    if len(source_id) > 80:
        problem("source_id", _("at most 80 characters"))
    geometry = feature.get("geometry")
    message = geometry_problem(geometry)
    if message or not isinstance(geometry, dict):
        problem("geometry", message or "")
        return None
    clean = {"type": geometry["type"], "coordinates": geometry["coordinates"]}
    return ParsedBoundary(number, unit_code, source_id.strip(), clean)


def _number_unnamed(items: list[ParsedBoundary]) -> list[ParsedBoundary]:
    # A feature without an identifier gets "<unit>:<n>", its rank among the unit's features.
    counts: dict[str, int] = {}
    numbered = []
    for item in items:
        counts[item.unit_code] = counts.get(item.unit_code, 0) + 1
        source_id = item.source_id or f"{item.unit_code}:{counts[item.unit_code]}"
        numbered.append(ParsedBoundary(item.feature, item.unit_code, source_id, item.geometry))
    return numbered


def boundaries_parse(text: str) -> list[ParsedBoundary]:
    """Validate a boundaries FeatureCollection (property unit_code or unit_id per feature)."""
    known = set(AdminUnit.objects.values_list("code", flat=True))
    problems: list[ImportProblem] = []
    items = []
    for number, feature in enumerate(geojson_features(text), start=1):
        item = _parse_boundary(number, feature, known, problems)
        if item is not None:
            items.append(item)
    items = _number_unnamed(items)
    seen: dict[tuple[str, str], int] = {}
    for item in items:
        key = (item.unit_code, item.source_id)
        if key in seen:
            message = _('"%(value)s" already appears in feature %(line)d')
            values = {"value": item.source_id, "line": seen[key]}
            problems.append(ImportProblem(item.feature, "source_id", message % values, "feature"))
        seen.setdefault(key, item.feature)
    if problems:
        raise ImportRejected(sorted(problems, key=lambda p: p.row))
    return items


def boundaries_write(items: Sequence[ParsedBoundary]) -> ImportResult:
    """Upsert boundaries by (unit, source id); a unit's features not in the file are deleted."""
    units = {u.code: u for u in AdminUnit.objects.filter(code__in={i.unit_code for i in items})}
    existing = {
        (b.unit.code, b.source_id): b
        for b in Boundary.objects.filter(unit__in=units.values()).select_related("unit")
    }
    created = updated = unchanged = 0
    for item in items:
        obj = existing.pop((item.unit_code, item.source_id), None)
        if obj is None:
            Boundary.objects.create(
                unit=units[item.unit_code], source_id=item.source_id, geometry=item.geometry
            )
            created += 1
        elif assign_changes(obj, {"geometry": item.geometry}):
            obj.save()
            updated += 1
        else:
            unchanged += 1
    deleted = Boundary.objects.filter(pk__in=[b.pk for b in existing.values()]).delete()[0]
    return ImportResult(created=created, updated=updated, unchanged=unchanged, deleted=deleted)


def boundaries_import(data: bytes, *, name: str, actor: Any) -> ImportResult:
    """Import a boundaries GeoJSON file, all or nothing, with one audit entry."""
    text = decode_upload(data)
    with transaction.atomic():
        result = boundaries_write(boundaries_parse(text))
        details = {"file": name, **result.as_dict()}
        audit_append(actor=actor, action="boundaries.import", details=details)
    return result


# -- settlements -------------------------------------------------------------------------------


@dataclass(frozen=True)
class ParsedSettlement:
    """A validated settlement row, ready to upsert by code."""

    line: int
    code: str
    unit_code: str
    fields: dict[str, Any]


def _parse_settlement(
    row: RawRow, problems: list[ImportProblem], countries: Mapping[str, str]
) -> ParsedSettlement:
    r = RowReader(row, problems)
    fields: dict[str, Any] = {
        "code": r.text("code", required=True),
        "name": r.text("name", required=True),
        "lat": r.latitude("lat"),
        "lon": r.longitude("lon"),
        "population": r.integer("population"),
    }
    unit_code = r.text("unit_code", required=True)
    if unit_code and unit_code not in countries:
        r.problem("unit_code", _('no unit "%(code)s" exists') % {"code": unit_code})
    fields["country"] = countries.get(unit_code, settings.COUNTRY)
    r.full_clean(Settlement(**fields), exclude=["unit"], renames={"unit": "unit_code"})
    return ParsedSettlement(row.line, fields["code"], unit_code, fields)


def settlements_parse(rows: Sequence[RawRow]) -> list[ParsedSettlement]:
    """Validate settlement rows (unit_code must name an existing unit); raises ImportRejected."""
    countries = dict(AdminUnit.objects.values_list("code", "country"))
    problems = duplicate_problems(rows)
    items = [_parse_settlement(row, problems, countries) for row in rows]
    if problems:
        raise ImportRejected(sorted(problems, key=lambda p: p.row))
    return items


def settlements_write(items: Sequence[ParsedSettlement]) -> ImportResult:
    """Upsert validated settlements by code; call inside a transaction."""
    units = dict(AdminUnit.objects.values_list("code", "pk"))
    existing = {s.code: s for s in Settlement.objects.filter(code__in=[i.code for i in items])}
    created = updated = unchanged = 0
    for item in items:
        values = {**item.fields, "unit_id": units[item.unit_code]}
        obj = existing.get(item.code)
        if obj is None:
            existing[item.code] = Settlement.objects.create(**values)
            created += 1
        elif assign_changes(obj, values):
            obj.save()
            updated += 1
        else:
            unchanged += 1
    return ImportResult(created=created, updated=updated, unchanged=unchanged)


def settlements_import(data: bytes, *, name: str, actor: Any) -> ImportResult:
    """Import settlements from CSV or GeoJSON points, all or nothing, with one audit entry."""
    rows = read_table(data, SETTLEMENT_COLUMNS, ("lat", "lon"))
    with transaction.atomic():
        result = settlements_write(settlements_parse(rows))
        details = {"file": name, **result.as_dict()}
        audit_append(actor=actor, action="settlements.import", details=details)
    return result
