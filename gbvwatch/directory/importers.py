"""Import support services from CSV or GeoJSON, all or nothing per file, upserting by code.

The format is the one `services export` writes (see SERVICE_COLUMNS). `sources` holds one or
more entries separated by " | ", each a URL or a citation optionally followed by " @ date".
The `original_*` columns keep the source's own wording and go into `Service.original`.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from gbvwatch.analysis.hours import HoursError, parse_hours
from gbvwatch.core.audit import audit_append
from gbvwatch.core.models import Organisation
from gbvwatch.directory.actions import SourceInput
from gbvwatch.directory.models import (
    CapacityUnit,
    Kind,
    LocationPrecision,
    Service,
    Source,
    Status,
    Tri,
)
from gbvwatch.geography.importers import (
    ImportProblem,
    ImportRejected,
    ImportResult,
    RawRow,
    RowReader,
    assign_changes,
    duplicate_problems,
    read_table,
)
from gbvwatch.geography.models import AdminUnit

# The `original_*` columns and the keys they take in Service.original.
ORIGINAL_COLUMNS = {
    "original_capacity": "capacity",
    "original_hours": "hours",
    "original_status": "status",
    "original_target_group": "target_group",
    "original_location": "location",
}
SERVICE_COLUMNS = (
    "code",
    "name",
    "kind",
    "operator",
    "sector",
    "unit_code",
    "city",
    "lat",
    "lon",
    "location_precision",
    "address",
    "address_confidential",
    "capacity",
    "capacity_unit",
    "accepts_women",
    "accepts_children",
    "boys_max_age",
    "accepts_men",
    "accepts_transgender",
    "wheelchair_access",
    "languages",
    "open_24_7",
    "hours",
    "closes_on_public_holidays",
    "status",
    "opened",
    "phone",
    "website",
    "target_group",
    "notes",
    *ORIGINAL_COLUMNS,
    "sources",
)
SOURCE_SEPARATOR = " | "
DATE_SEPARATOR = " @ "
_URL = re.compile(r"https?://[^\s<>\"]+")
_TRI_FIELDS = (
    "accepts_women",
    "accepts_children",
    "accepts_men",
    "accepts_transgender",
    "wheelchair_access",
)


@dataclass(frozen=True)
class ParsedService:
    """A validated service row, ready to upsert by code, with its sources."""

    line: int
    code: str
    unit_code: str
    fields: dict[str, Any]
    sources: tuple[SourceInput, ...]


def format_sources(sources: Sequence[SourceInput]) -> str:
    """The `sources` cell for a list of sources (the inverse of parse_sources)."""
    entries = []
    for source in sources:
        text = source.citation
        if source.url and source.url not in text:
            text = f"{text} {source.url}".strip()
        entries.append(f"{text}{DATE_SEPARATOR}{source.date}" if source.date else text)
    return SOURCE_SEPARATOR.join(entries)


def parse_sources(text: str) -> tuple[list[SourceInput], list[str]]:
    """Sources from a `sources` cell, and a message for each malformed entry."""
    sources: list[SourceInput] = []
    errors: list[str] = []
    for number, entry in enumerate(text.split(SOURCE_SEPARATOR), start=1):
        citation, _sep, date = entry.strip().rpartition(DATE_SEPARATOR)
        if not _sep:
            citation, date = entry.strip(), ""
        citation, date = citation.strip(), date.strip()
        match = _URL.search(citation)
        url = match.group(0).rstrip(".,;:") if match else ""
        source = SourceInput(citation=citation, url=url, date=date)
        try:
            Source(citation=citation, url=url, date=date).full_clean(exclude=["service"])
        except ValidationError as exc:
            details = "; ".join(f"{k}: {' '.join(v)}" for k, v in exc.message_dict.items())
            message = _("source %(number)d: %(details)s")
            errors.append(message % {"number": number, "details": details})
            continue
        sources.append(source)
    return sources, errors


def _identity(r: RowReader) -> dict[str, Any]:
    return {
        "code": r.text("code", required=True),
        "name": r.text("name", required=True),
        "kind": r.choice("kind", Kind.values),
        "operator": r.text("operator"),
        "sector": r.text("sector"),
    }


def _location(r: RowReader) -> dict[str, Any]:
    fields = {
        "city": r.text("city"),
        "lat": r.latitude("lat"),
        "lon": r.longitude("lon"),
        "location_precision": r.choice("location_precision", LocationPrecision.values),
        "address": r.text("address"),
        "address_confidential": r.flag("address_confidential", default=True),
    }
    has_point = bool(r.text("lat") or r.text("lon"))
    if fields["location_precision"] == LocationPrecision.NATIONAL:
        if has_point:
            r.problem("lat", _("a national service has no coordinates: leave lat and lon empty"))
        if r.text("unit_code"):
            r.problem("unit_code", _("a national service has no district: leave it empty"))
    elif "location_precision" not in r.bad_fields:
        for name in ("lat", "lon"):
            if not r.text(name):
                r.problem(name, _("required unless location_precision is national"))
    return fields


def _access(r: RowReader) -> dict[str, Any]:
    fields: dict[str, Any] = {
        "capacity": r.integer("capacity"),
        "capacity_unit": r.choice("capacity_unit", CapacityUnit.values, default=""),
        "boys_max_age": r.integer("boys_max_age"),
        "languages": r.text("languages"),
    }
    for name in _TRI_FIELDS:
        fields[name] = r.choice(name, Tri.values, default=Tri.UNKNOWN)
    if fields["capacity"] is not None and not fields["capacity_unit"]:
        r.problem("capacity_unit", _("say what the capacity counts (places, family_places, beds)"))
    return fields


def _hours_problem(r: RowReader, hours: str, open_24_7: bool) -> None:
    try:
        parsed = parse_hours(hours)
    except HoursError as exc:
        r.problem("hours", _('"%(value)s": %(error)s') % {"value": hours, "error": exc})
        return
    if parsed.is_24_7 and not open_24_7:
        r.problem("open_24_7", _("the hours say 24/7: set open_24_7 to 1"))
    elif open_24_7 and not parsed.unknown and not parsed.is_24_7:
        r.problem("hours", _("open_24_7 is 1 but the hours are not round the clock"))


def _time(r: RowReader) -> dict[str, Any]:
    fields: dict[str, Any] = {
        "open_24_7": r.flag("open_24_7", default=False),
        "hours": r.text("hours"),
        "closes_on_public_holidays": r.choice(
            "closes_on_public_holidays", Tri.values, default=Tri.UNKNOWN
        ),
        "status": r.choice("status", Status.values),
        "opened": r.text("opened"),
    }
    if "open_24_7" not in r.bad_fields:
        _hours_problem(r, fields["hours"], fields["open_24_7"])
    return fields


def _details(r: RowReader) -> dict[str, Any]:
    return {
        "phone": r.text("phone"),
        "website": r.text("website"),
        "target_group": r.text("target_group"),
        "notes": r.text("notes"),
        "original": {key: r.text(col) for col, key in ORIGINAL_COLUMNS.items() if r.text(col)},
    }


def _parse_service(
    row: RawRow, problems: list[ImportProblem], units: Collection[str]
) -> ParsedService:
    r = RowReader(row, problems)
    fields = {**_identity(r), **_location(r), **_access(r), **_time(r), **_details(r)}
    unit_code = r.text("unit_code")
    if unit_code and unit_code not in units and "unit_code" not in r.bad_fields:
        r.problem("unit_code", _('no unit "%(code)s" exists') % {"code": unit_code})
    sources, errors = parse_sources(r.text("sources", required=True))
    for message in errors if r.text("sources") else []:
        r.problem("sources", message)
    exclude = ["organisation", "unit"]
    r.full_clean(Service(**fields), exclude=exclude, renames={"unit": "unit_code"})
    return ParsedService(row.line, fields["code"], unit_code, fields, tuple(sources))


def _ownership_problems(
    items: Sequence[ParsedService], organisation: Organisation | None, where: str
) -> list[ImportProblem]:
    # An organisation may change its own entries and shared ones, never another's.
    if organisation is None:
        return []
    owners = dict(
        Service.objects.filter(code__in=[i.code for i in items]).values_list(
            "code", "organisation_id"
        )
    )
    message = _("this service is maintained by another organisation")
    return [
        ImportProblem(item.line, "code", message, where)
        for item in items
        if owners.get(item.code) not in (None, organisation.pk)
    ]


def services_parse(
    rows: Sequence[RawRow], *, organisation: Organisation | None = None
) -> list[ParsedService]:
    """Validate service rows against each other and the database; raises ImportRejected."""
    units = set(AdminUnit.objects.values_list("code", flat=True))
    problems = duplicate_problems(rows)
    items = [_parse_service(row, problems, units) for row in rows]
    where = rows[0].where if rows else "line"
    problems.extend(_ownership_problems(items, organisation, where))
    if problems:
        raise ImportRejected(sorted(problems, key=lambda p: p.row))
    return items


def _sources_of(service: Service) -> tuple[SourceInput, ...]:
    return tuple(SourceInput(s.citation, s.url, s.date) for s in service.sources.all())


def _save_sources(service: Service, sources: Sequence[SourceInput]) -> None:
    service.sources.all().delete()
    Source.objects.bulk_create(
        Source(service=service, citation=s.citation, url=s.url, date=s.date) for s in sources
    )


def _upsert(
    item: ParsedService, obj: Service | None, values: Mapping[str, Any]
) -> tuple[Service, str]:
    if obj is None:
        obj = Service.objects.create(**values)
        _save_sources(obj, item.sources)
        return obj, "created"
    changed = assign_changes(obj, values)
    if changed:
        obj.save()
    if _sources_of(obj) != item.sources:
        _save_sources(obj, item.sources)
        changed = True
    return obj, "updated" if changed else "unchanged"


def services_write(
    items: Sequence[ParsedService],
    *,
    organisation: Organisation | None = None,
    keep_organisation_entries: bool = False,
) -> ImportResult:
    """Upsert validated services by code; call inside a transaction.

    `organisation` becomes the maintainer of every row written. With keep_organisation_entries,
    rows whose service an organisation maintains, or that someone edited in the app, are
    skipped (the dataset loader's rule)."""
    units = dict(AdminUnit.objects.values_list("code", "pk"))
    codes = [i.code for i in items]
    existing = {
        s.code: s for s in Service.objects.filter(code__in=codes).prefetch_related("sources")
    }
    counts = {"created": 0, "updated": 0, "unchanged": 0, "skipped": 0}
    for item in items:
        obj = existing.get(item.code)
        kept = obj is not None and (obj.organisation_id is not None or obj.locally_modified)
        if kept and keep_organisation_entries:
            counts["skipped"] += 1
            continue
        values = {**item.fields, "unit_id": units.get(item.unit_code)}
        if organisation is not None:
            values["organisation_id"] = organisation.pk
        existing[item.code], outcome = _upsert(item, obj, values)
        counts[outcome] += 1
    return ImportResult(**counts)


def services_import(
    data: bytes, *, name: str, actor: Any, organisation: Organisation | None = None
) -> ImportResult:
    """Import services from CSV or GeoJSON, all or nothing, with one audit entry.

    With an organisation, it maintains the rows written, and rows of other organisations are
    refused; without one (an operator's import), rows keep their maintainer."""
    rows = read_table(data, SERVICE_COLUMNS, ("lat", "lon"))
    with transaction.atomic():
        items = services_parse(rows, organisation=organisation)
        result = services_write(items, organisation=organisation)
        details = {"file": name, **result.as_dict()}
        audit_append(
            actor=actor,
            action="services.import",
            organisation_id=organisation.pk if organisation else None,
            details=details,
        )
    return result
