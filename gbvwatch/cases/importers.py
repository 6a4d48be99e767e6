"""CSV import of incidents (e.g. a monitoring spreadsheet of femicides from media reports):
all or nothing, every problem named by line and field, sensitive columns encrypted on the way
in (to the organisation's public key: importing needs no unlocked session)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from gbvwatch.cases import actions
from gbvwatch.cases.models import (
    AgeBand,
    GenderIdentity,
    Incident,
    IncidentType,
    Relationship,
    Setting,
    YesNoUnknown,
)
from gbvwatch.core.audit import audit_append
from gbvwatch.core.models import User
from gbvwatch.geography.importers import (
    ImportProblem,
    ImportRejected,
    ImportResult,
    RawRow,
    RowReader,
    decode_upload,
    read_csv_rows,
)
from gbvwatch.geography.models import AdminUnit

INCIDENT_COLUMNS = (
    "type", "incident_date", "first_contact_date", "reported_date", "unit_code", "setting",
    "age_band", "gender_identity", "disability", "perpetrator", "consent_statistics",
    "consent_referral", "consent_coalition", "consent_advocacy", "survivor_name", "contact",
    "exact_place", "narrative",
)  # fmt: skip
TEXT_LIMIT = 20_000


@dataclass(frozen=True)
class ParsedIncident:
    line: int
    fields: dict[str, Any]
    secrets: actions.IncidentSecrets


def _date(r: RowReader, name: str) -> dt.date | None:
    """YYYY-MM-DD, or YYYY-MM (the first of the month) as media reports often give."""
    value = r.text(name)
    if not value:
        return None
    for pattern in ("%Y-%m-%d", "%Y-%m"):
        try:
            return dt.datetime.strptime(value, pattern).date()  # noqa: DTZ007 - a date only
        except ValueError:
            continue
    r.problem(name, _('"%(value)s" is not a date like 2023-03-18 or 2023-03') % {"value": value})
    return None


def _secret(r: RowReader, name: str) -> str:
    value = r.row.values.get(name, "")
    if "\x00" in value or len(value) > TEXT_LIMIT:
        r.problem(name, _("the text contains a NUL character or is longer than 20,000 characters"))
        return ""
    return value.strip()


def _parse(row: RawRow, problems: list[ImportProblem], units: dict[str, int]) -> ParsedIncident:
    r = RowReader(row, problems)
    unit_code = r.text("unit_code")
    if unit_code and unit_code not in units:
        r.problem("unit_code", _('no district "%(code)s"') % {"code": unit_code})
    fields = {
        "type": r.choice("type", IncidentType.values),
        "incident_date": _date(r, "incident_date"),
        "first_contact_date": _date(r, "first_contact_date"),
        "reported_date": _date(r, "reported_date"),
        "unit_id": units.get(unit_code),
        "setting": r.choice("setting", Setting.values, default=Setting.UNKNOWN),
        "age_band": r.choice("age_band", AgeBand.values, default=AgeBand.UNKNOWN),
        "gender_identity": r.choice("gender_identity", GenderIdentity.values, default="unknown"),
        "disability": r.choice("disability", YesNoUnknown.values, default=YesNoUnknown.UNKNOWN),
        "perpetrator": r.choice("perpetrator", Relationship.values, default="unknown"),
        **{c: r.flag(c, default=False) for c in INCIDENT_COLUMNS if c.startswith("consent_")},
    }
    secrets = actions.IncidentSecrets(
        *(_secret(r, n) for n in ("survivor_name", "contact", "narrative", "exact_place"))
    )
    return ParsedIncident(row.line, fields, secrets)


def incidents_import(data: bytes, *, name: str, actor: User) -> ImportResult:
    """Import incidents for the actor's organisation; nothing is written if any row is wrong."""
    rows = read_csv_rows(decode_upload(data), INCIDENT_COLUMNS)
    problems: list[ImportProblem] = []
    units = dict(AdminUnit.objects.values_list("code", "pk"))
    parsed = [_parse(row, problems, units) for row in rows]
    if problems:
        raise ImportRejected(problems)
    with transaction.atomic():
        for item in parsed:
            actions.incident_create(
                actor=actor, incident=Incident(**item.fields), secrets=item.secrets, refusals=[]
            )
        audit_append(
            actor=actor,
            action="incidents.import",
            organisation_id=actor.membership.organisation_id,
            details={"file": name, "created": len(parsed)},
        )
    return ImportResult(created=len(parsed))
