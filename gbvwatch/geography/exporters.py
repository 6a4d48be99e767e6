"""Export units, boundaries and settlements as CSV or GeoJSON that the importers accept back.

Also the shared pieces of every export: CSV cells guarded against spreadsheet formulas,
GeoJSON feature collections, and a plain text table for the command line.
"""

from __future__ import annotations

import csv
import io
import json
import os
import tempfile
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from gbvwatch.geography.importers import NEEDS_QUOTE, SETTLEMENT_COLUMNS, UNIT_COLUMNS
from gbvwatch.geography.models import AdminUnit, Boundary, Settlement

FORMATS = ("csv", "geojson")


def neutralise_cell(text: str) -> str:
    """Prefix a quote to a cell a spreadsheet would run as a formula (=, +, -, @, tab, CR).

    Cells that already start with quotes before such a character get one more, so that the
    importer, which strips exactly one, gives back the original text in every case."""
    return "'" + text if NEEDS_QUOTE.match(text) else text


def cell_text(value: Any) -> str:
    """A value as CSV text: empty for None, 1/0 for booleans, shortest round-trip floats."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, float):
        return repr(value)
    return str(value)


def csv_text(columns: Sequence[str], rows: Iterable[Mapping[str, Any]]) -> str:
    """CSV text with a header row; every cell is formula-guarded."""
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow([neutralise_cell(cell_text(row.get(c))) for c in columns])
    return buffer.getvalue()


def point_feature(
    properties: Mapping[str, Any], lat: float | None, lon: float | None
) -> dict[str, Any]:
    """A GeoJSON Feature with a Point at (lon, lat), or a null geometry without coordinates."""
    geometry = None
    if lat is not None and lon is not None:
        geometry = {"type": "Point", "coordinates": [lon, lat]}
    return {"type": "Feature", "geometry": geometry, "properties": dict(properties)}


def geojson_text(features: Iterable[Mapping[str, Any]]) -> str:
    """A GeoJSON FeatureCollection as UTF-8 text, one feature per line."""
    lines = [json.dumps(f, ensure_ascii=False, separators=(",", ":")) for f in features]
    body = ",\n".join(lines)
    return '{"type":"FeatureCollection","features":[\n' + body + "\n]}\n"


def format_table(headers: Sequence[str], rows: Iterable[Sequence[Any]]) -> str:
    """A plain text table with aligned columns, for terminals."""
    cells = [[cell_text(v) for v in row] for row in rows]
    widths = [max([len(h), *(len(r[i]) for r in cells)]) for i, h in enumerate(headers)]
    lines = ["  ".join(h.ljust(w) for h, w in zip(headers, widths, strict=True)).rstrip()]
    lines.append("  ".join("-" * w for w in widths))
    for row in cells:
        lines.append("  ".join(v.ljust(w) for v, w in zip(row, widths, strict=True)).rstrip())
    return "\n".join(lines) + "\n"


def unit_row(unit: AdminUnit) -> dict[str, Any]:
    """A unit as a dict keyed by the units file's columns (typed values)."""
    row = {c: getattr(unit, c) for c in UNIT_COLUMNS if c != "parent_code"}
    row["parent_code"] = unit.parent.code if unit.parent else ""
    return row


def units_for_export() -> list[AdminUnit]:
    """All units, parents before their children, then by code (so the file imports in order)."""
    units = list(AdminUnit.objects.select_related("parent").order_by("code"))
    depth = {u.code: _depth(u) for u in units}
    return sorted(units, key=lambda u: (depth[u.code], u.code))


def _depth(unit: AdminUnit) -> int:
    depth, current, seen = 0, unit.parent, {unit.pk}
    while current is not None and current.pk not in seen:
        seen.add(current.pk)
        depth, current = depth + 1, current.parent
    return depth


def units_export(fmt: str = "csv") -> str:
    """Every unit as CSV, or GeoJSON points at the administrative centres."""
    rows = [unit_row(u) for u in units_for_export()]
    if fmt == "csv":
        return csv_text(UNIT_COLUMNS, rows)
    return geojson_text(
        point_feature(
            {k: v for k, v in row.items() if k not in ("centre_lat", "centre_lon")},
            row["centre_lat"],
            row["centre_lon"],
        )
        for row in rows
    )


def boundaries_export() -> str:
    """Every boundary polygon as GeoJSON with properties unit_code and source_id."""
    boundaries = Boundary.objects.select_related("unit").order_by("unit__code", "source_id")
    return geojson_text(
        {
            "type": "Feature",
            "geometry": b.geometry,
            "properties": {"unit_code": b.unit.code, "source_id": b.source_id},
        }
        for b in boundaries
    )


def settlement_row(settlement: Settlement) -> dict[str, Any]:
    """A settlement as a dict keyed by the settlements file's columns."""
    row = {c: getattr(settlement, c) for c in SETTLEMENT_COLUMNS if c != "unit_code"}
    row["unit_code"] = settlement.unit.code
    return row


def settlements_export(fmt: str = "csv") -> str:
    """Every settlement as CSV, or GeoJSON points."""
    rows = [settlement_row(s) for s in Settlement.objects.select_related("unit").order_by("code")]
    if fmt == "csv":
        return csv_text(SETTLEMENT_COLUMNS, rows)
    return geojson_text(
        point_feature(
            {k: v for k, v in row.items() if k not in ("lat", "lon")}, row["lat"], row["lon"]
        )
        for row in rows
    )


def save_text(path: Path, text: str) -> None:
    """Write text as UTF-8 to a temporary file beside `path`, fsync it, then rename it over."""
    path = path.resolve()
    fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
