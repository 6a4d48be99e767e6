"""Generating a snapshot as a job whose progress another request can read.

The generation itself runs in the request that asks for it (under a second on the shipped
dataset); each step is written to the job row in its own short transaction, so the page
(or an API client) can poll the job meanwhile. The job id comes with the form, so the page
knows what to watch before its request returns."""

from __future__ import annotations

import datetime as dt
import logging
import uuid
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from gbvwatch.core.actions import ActionError
from gbvwatch.core.scoping import get_by_uuid_or_404
from gbvwatch.reports.actions import report_snapshot_create
from gbvwatch.reports.models import JobState, Report, ReportJob
from gbvwatch.reports.queries import report_get

logger = logging.getLogger(__name__)
# A job that has not moved for this long was cut off (its worker restarted): shown as failed.
STALE_AFTER = dt.timedelta(minutes=10)


# The steps report_snapshot_create reports, as the page shows them.
STEP_LABELS = {
    "": gettext_lazy("starting"),
    "gaps": gettext_lazy("service gaps: distances, capacity, availability"),
    "upr": gettext_lazy("UPR recommendations"),
    "stats": gettext_lazy("coalition statistics"),
    "services": gettext_lazy("support services"),
    "figures": gettext_lazy("figures and source notes"),
    "saving": gettext_lazy("saving the snapshot"),
    "done": gettext_lazy("done"),
}


def job_id_parse(value: Any) -> uuid.UUID:
    """A job id sent with a form or a request; ActionError when it is not a UUID."""
    try:
        return uuid.UUID(str(value))
    except ValueError as exc:
        raise ActionError(_("job: expected an id such as the form gives.")) from exc


def step_writer(job_id: uuid.UUID) -> Any:
    """The progress callback of a job: each call commits its step and fraction."""

    def step(label: str, fraction: float) -> None:
        ReportJob.objects.filter(pk=job_id).update(
            step=label[:40], fraction=max(0.0, min(1.0, fraction)), updated_at=timezone.now()
        )

    return step


def _finish(job_id: uuid.UUID, **fields: Any) -> None:
    ReportJob.objects.filter(pk=job_id).update(updated_at=timezone.now(), **fields)


def report_job_run(*, user: Any, report: Report, job_id: uuid.UUID) -> ReportJob:
    """Record the job, generate the snapshot with progress written as it goes, and return the
    finished job (done with its snapshot, or failed with a message). Run it outside a
    transaction (as requests are): each step is then committed and other requests see it."""
    try:
        with transaction.atomic():  # a savepoint: a repeated id leaves the request usable
            ReportJob.objects.create(id=job_id, report=report, requested_by=user)
    except IntegrityError as exc:
        raise ActionError(_("This generation was already started.")) from exc
    try:
        snapshot = report_snapshot_create(user=user, report=report, progress=step_writer(job_id))
    except ActionError as exc:
        _finish(job_id, state=JobState.FAILED, error=str(exc))
    except Exception:
        logger.exception("report generation failed (report %s, job %s)", report.pk, job_id)
        message = _("The report could not be generated. The error is in the server log.")
        _finish(job_id, state=JobState.FAILED, error=message)
    else:
        _finish(job_id, state=JobState.DONE, snapshot=snapshot, step="done", fraction=1.0)
    return ReportJob.objects.get(pk=job_id)


def job_get(user: Any, report_id: Any, job_id: Any) -> ReportJob:
    """A job of a report of the user's organisation (Http404 otherwise). A running job that
    has not moved for STALE_AFTER is returned as failed (not saved)."""
    report = report_get(user, report_id)
    job = get_by_uuid_or_404(report.jobs.all(), job_id)
    if job.state == JobState.RUNNING and timezone.now() - job.updated_at > STALE_AFTER:
        job.state = JobState.FAILED
        job.error = _("The generation was interrupted. Start it again.")
    return job


def job_json(job: ReportJob) -> dict[str, Any]:
    """The job as the page's script and the API read it."""
    return {
        "id": str(job.pk),
        "state": job.state,
        "step": job.step,
        "step_label": str(STEP_LABELS.get(job.step, job.step)),
        "fraction": round(job.fraction, 3),
        "snapshot": str(job.snapshot_id) if job.snapshot_id else None,
        "error": job.error,
    }
