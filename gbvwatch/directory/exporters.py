"""Export services as CSV or GeoJSON in the format `services import` reads back.

The public view (include_confidential=False) holds operating services only; for services with
a confidential address it blanks the address and, like the public API, gives the coordinates at
city precision (2 decimals, about 1 km). The full view is for members and operators.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from gbvwatch.directory.actions import SourceInput
from gbvwatch.directory.importers import ORIGINAL_COLUMNS, SERVICE_COLUMNS, format_sources
from gbvwatch.directory.models import PUBLIC_FIELDS, Service
from gbvwatch.directory.queries import services_for_members, services_public
from gbvwatch.geography.exporters import csv_text, geojson_text, point_feature

PUBLIC_DECIMALS = 2  # as the public API: confidential services at city precision
_DIRECT = tuple(
    c for c in SERVICE_COLUMNS if c not in ("unit_code", "sources", "address", *ORIGINAL_COLUMNS)
)


def services_for_export(*, include_confidential: bool) -> QuerySet[Service]:
    """The services an export holds: all of them, or only operating ones for the public."""
    queryset = services_for_members() if include_confidential else services_public()
    return queryset.order_by("code")


def service_row(service: Service, *, include_confidential: bool) -> dict[str, Any]:
    """A service as a dict keyed by the services file's columns (typed values)."""
    row: dict[str, Any] = {c: getattr(service, c) for c in _DIRECT}
    hidden = service.address_confidential and not include_confidential
    row["address"] = "" if hidden else service.address
    if hidden:
        row["lat"], row["lon"] = _coarse(service.lat), _coarse(service.lon)
    row["unit_code"] = service.unit.code if service.unit else ""
    for column, key in ORIGINAL_COLUMNS.items():
        row[column] = service.original.get(key, "")
    sources = [SourceInput(s.citation, s.url, s.date) for s in service.sources.all()]
    row["sources"] = format_sources(sources)
    if not include_confidential:  # the public view: members-only columns left empty
        public = {*PUBLIC_FIELDS, "unit_code"}
        row = {c: (v if c in public else "") for c, v in row.items()}
    return {c: row[c] for c in SERVICE_COLUMNS}


def _coarse(value: float | None) -> float | None:
    return None if value is None else round(value, PUBLIC_DECIMALS)


def services_export(*, fmt: str = "csv", include_confidential: bool) -> str:
    """Services as CSV, or GeoJSON points (null geometry for national services)."""
    services = services_for_export(include_confidential=include_confidential)
    rows = [service_row(s, include_confidential=include_confidential) for s in services]
    if fmt == "csv":
        return csv_text(SERVICE_COLUMNS, rows)
    return geojson_text(
        point_feature(
            {k: v for k, v in row.items() if k not in ("lat", "lon")}, row["lat"], row["lon"]
        )
        for row in rows
    )
