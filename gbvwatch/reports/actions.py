"""Writes of the reports domain: creating a report, editing its narrative, freezing a snapshot.
Each runs in a transaction with its audit entry. Coordinators and analysts build reports
(permission reports.build); every member of the organisation reads them (reports.view)."""

from __future__ import annotations

import re
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gbvwatch.core.access import active_membership, has_permission
from gbvwatch.core.actions import ActionError
from gbvwatch.core.audit import audit_append
from gbvwatch.core.models import Membership
from gbvwatch.reports.figures import figures_compute, figures_json
from gbvwatch.reports.inputs import Progress, data_hash, inputs_gather
from gbvwatch.reports.kinds import NARRATIVE_MAX_CHARS, narrative_defaults, narrative_keys
from gbvwatch.reports.models import Report, ReportKind, ReportSnapshot

TITLE_MAX_CHARS = 200
FIRST_YEAR = 1990


def _builder(user: Any, report: Report | None = None) -> Membership:
    """The member's membership if she may build reports (of this report's organisation)."""
    membership = active_membership(user)
    if membership is None or not has_permission(user, "reports.build"):
        raise ActionError(_("Only coordinators and analysts can build reports."))
    if report is not None and report.organisation_id != membership.organisation_id:
        raise ActionError(_("This report does not exist."))
    return membership


# Control characters that PostgreSQL (NUL) or the XML of a Word file cannot hold.
CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _text(value: Any, name: str, max_chars: int) -> str:
    """A checked text value: a string without control characters (other than tab and line
    breaks), at most `max_chars` long."""
    if not isinstance(value, str):
        raise ActionError(_("%(name)s: expected text.") % {"name": name})
    if "\x00" in value:
        raise ActionError(_("%(name)s: contains a NUL character.") % {"name": name})
    if CONTROL_CHARACTERS.search(value):
        raise ActionError(_("%(name)s: contains a control character.") % {"name": name})
    if len(value) > max_chars:
        raise ActionError(
            _("%(name)s: at most %(max)s characters.") % {"name": name, "max": max_chars}
        )
    return value.strip()


def report_parameters_check(*, kind: Any, language: Any, year: Any) -> tuple[str, str, int]:
    """Kind, language and year checked; ActionError names the first bad one."""
    if kind not in ReportKind.values:
        raise ActionError(
            _("type: choose one of %(kinds)s.") % {"kinds": ", ".join(ReportKind.values)}
        )
    languages = [code for code, _name in settings.LANGUAGES]
    if language not in languages:
        raise ActionError(_("language: choose one of %(codes)s.") % {"codes": ", ".join(languages)})
    this_year = timezone.localdate().year
    if isinstance(year, bool) or not isinstance(year, int) or not FIRST_YEAR <= year <= this_year:
        raise ActionError(
            _("year: expected a year from %(first)s to %(last)s.")
            % {"first": FIRST_YEAR, "last": this_year}
        )
    return str(kind), str(language), year


def report_create(*, user: Any, kind: str, language: str, title: str, year: int) -> Report:
    """Create a report of the user's organisation (no snapshot yet); audited."""
    membership = _builder(user)
    kind, language, year = report_parameters_check(kind=kind, language=language, year=year)
    title = _text(title, _("title"), TITLE_MAX_CHARS) or f"{ReportKind(kind).label} {year}"
    with transaction.atomic():
        report = Report.objects.create(
            organisation_id=membership.organisation_id,
            title=title,
            kind=kind,
            language=language,
            year=year,
            author=user,
        )
        audit_append(
            actor=user,
            action="report.create",
            obj=report,
            organisation_id=membership.organisation_id,
            details={"kind": kind, "language": language, "year": year},
        )
    return report


def report_narrative_update(*, user: Any, report: Report, blocks: dict[str, str]) -> Report:
    """Save edited narrative blocks; an empty text, or the default text itself, keeps the
    block's default (so a later version's better default still reaches it). Audited
    with the keys changed (never the text)."""
    _builder(user, report)
    known = narrative_keys(report.kind)
    unknown = sorted(str(k) for k in blocks if k not in known)
    if unknown:
        raise ActionError(
            _("Unknown narrative blocks: %(keys)s; this report has %(known)s.")
            % {"keys": ", ".join(unknown), "known": ", ".join(known)}
        )
    narrative = dict(report.narrative)
    defaults = narrative_defaults(report.language)
    for key, value in blocks.items():
        text = _text(value, key, NARRATIVE_MAX_CHARS)
        if text and text != defaults[key].strip():
            narrative[key] = text
        else:
            narrative.pop(key, None)
    with transaction.atomic():
        report.narrative = narrative
        report.updated_at = timezone.now()
        report.save(update_fields=["narrative", "updated_at"])
        audit_append(
            actor=user,
            action="report.narrative_update",
            obj=report,
            organisation_id=report.organisation_id,
            details={"blocks": sorted(blocks)},
        )
    return report


def report_snapshot_create(
    *, user: Any, report: Report, progress: Progress | None = None
) -> ReportSnapshot:
    """Gather the live data, freeze it with its figures and SHA-256 hash; audited.

    `progress` is called with a step label and a fraction from 0 to 1."""
    _builder(user, report)
    step = progress or (lambda _label, _fraction: None)
    inputs = inputs_gather(year=report.year, progress=step)
    digest = data_hash(inputs)
    step("figures", 0.75)
    figures = figures_json(figures_compute(inputs, language=report.language))
    step("saving", 0.9)
    with transaction.atomic():
        snapshot = ReportSnapshot.objects.create(
            report=report,
            inputs=inputs,
            figures=figures,
            data_hash=digest,
            # The title and narrative are frozen too, so the snapshot renders the same later.
            parameters={
                "year": report.year,
                "stats_year": None,
                "country": inputs["country"],
                "title": report.title,
                "narrative": dict(report.narrative),
            },
            created_by=user,
        )
        Report.objects.filter(pk=report.pk).update(updated_at=timezone.now())
        audit_append(
            actor=user,
            action="report.snapshot",
            obj=snapshot,
            organisation_id=report.organisation_id,
            details={"report": str(report.pk), "data_hash": digest},
        )
    step("done", 1.0)
    return snapshot
