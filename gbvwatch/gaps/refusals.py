"""Refusals as evidence of the gap: services that turned someone away, by kind and reason, from
two sources kept apart: refusals recorded in case records (with consent to be counted) and
anonymous reports through the public page (not verified; reports a coordinator dismissed are
left out). Counts from 1 to 4 are shown as "<5" so that no survivor can be singled out."""

from __future__ import annotations

from collections import Counter
from typing import Any

from gbvwatch.cases.models import Refusal, RefusalReason
from gbvwatch.directory.models import Kind
from gbvwatch.public.models import RefusalReport

SMALL_CELL = 5


def suppressed(count: int) -> int | str:
    """A count as it may be shown: '<5' for 1 to 4 (SECURITY.md, publishing statistics)."""
    return f"<{SMALL_CELL}" if 0 < count < SMALL_CELL else count


def refusals_section(year: int) -> dict[str, Any]:
    """Refusals in the year by kind of service and reason, per source, with the sources."""
    cases = Counter(
        Refusal.objects.filter(incident__consent_statistics=True, refused_on__year=year)
        .values_list("service_kind", "reason")
        .iterator()
    )
    public = Counter(
        RefusalReport.objects.filter(dismissed=False, month__year=year)
        .values_list("service_kind", "reason")
        .iterator()
    )
    kinds, reasons = dict(Kind.choices), dict(RefusalReason.choices)
    rows = [
        {
            "service_kind": kind,
            "label": str(kinds.get(kind, kind)),
            "reason": reason,
            "reason_label": str(reasons.get(reason, reason)),
            "case_records": suppressed(cases[(kind, reason)]),
            "public_reports": suppressed(public[(kind, reason)]),
        }
        for kind, reason in sorted(set(cases) | set(public))
    ]
    return {
        "year": year,
        "rows": rows,
        "sources": [
            {
                "title": "case records of member organisations",
                "what": "refusals recorded by caseworkers, dated in the year, of incidents "
                "whose survivor consented to be counted in statistics",
            },
            {
                "title": "anonymous reports through the public find-help page (/info/)",
                "what": "reports whose month of refusal is in the year; not verified; "
                "reports dismissed by a coordinator are not counted; rate-limited per visitor",
            },
        ],
        "suppression": f"counts from 1 to {SMALL_CELL - 1} shown as <{SMALL_CELL}; no totals",
    }
