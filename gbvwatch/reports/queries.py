"""Scoped reads of reports: another organisation's report or snapshot is not found (404)."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from gbvwatch.core.access import has_permission
from gbvwatch.core.scoping import get_by_uuid_or_404, scope_to_organisation
from gbvwatch.reports.models import Report, ReportSnapshot


def reports_for(user: Any) -> QuerySet[Report]:
    """The reports of the user's organisation (none for non-members), newest first."""
    if not has_permission(user, "reports.view"):
        return Report.objects.none()
    return scope_to_organisation(Report.objects.all(), user)


def report_get(user: Any, report_id: Any) -> Report:
    """One report of the user's organisation; Http404 otherwise (also for a malformed id)."""
    return get_by_uuid_or_404(reports_for(user), report_id)


def snapshots_of(report: Report) -> QuerySet[ReportSnapshot]:
    """The snapshots of a report already read through report_get, newest first."""
    return report.snapshots.all().defer("inputs")


def snapshot_get(user: Any, report: Report, snapshot_id: Any) -> ReportSnapshot:
    """One snapshot of a report of the user's organisation; Http404 otherwise."""
    scoped = report_get(user, report.pk)
    return get_by_uuid_or_404(scoped.snapshots.all(), snapshot_id)
