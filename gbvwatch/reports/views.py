"""Report pages: the list and a new report, a report's narrative and its generations (with a
progress bar), a snapshot's preview, figures and downloads."""

from __future__ import annotations

import uuid
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.clickjacking import xframe_options_sameorigin
from django.views.decorators.http import require_POST

from gbvwatch.core.access import has_permission, member_required
from gbvwatch.core.actions import ActionError
from gbvwatch.reports import actions, jobs, queries
from gbvwatch.reports.forms import DownloadForm, NarrativeForm, ReportCreateForm
from gbvwatch.reports.inputs import canonical_json
from gbvwatch.reports.models import Report
from gbvwatch.reports.render import report_render

# The preview is the report's own HTML (its styles inline, no script), shown in a sandboxed
# frame of the snapshot page: nothing in it may run, load or navigate.
DOWNLOAD_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; sandbox"
PREVIEW_CSP = f"{DOWNLOAD_CSP}; frame-ancestors 'self'"


@member_required("reports.view")
def report_list(request: HttpRequest) -> HttpResponse:
    """The organisation's reports, and (for builders) the form for a new one."""
    can_build = has_permission(request.user, "reports.build")
    form = ReportCreateForm(request.POST or None) if can_build else None
    status = 200
    if request.method == "POST":
        if form is None:
            return HttpResponse(status=403)
        if form.is_valid():
            try:
                report = actions.report_create(user=request.user, **form.cleaned_data)
            except ActionError as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(
                    request, _("The report is created. Edit its texts, then generate it.")
                )
                return redirect("reports:report_detail", report_id=report.pk)
        status = 400
    context = {"reports": queries.reports_for(request.user), "form": form}
    return render(request, "reports/report_list.html", context, status=status)


def _detail_context(request: HttpRequest, report: Report, form: NarrativeForm) -> dict[str, Any]:
    return {
        "report": report,
        "form": form,
        "snapshots": queries.snapshots_of(report)[:20],
        "can_build": has_permission(request.user, "reports.build"),
        "job_id": uuid.uuid4(),
    }


@member_required("reports.view")
def report_detail(request: HttpRequest, report_id: Any) -> HttpResponse:
    """A report: its narrative blocks (saved by builders) and its generations."""
    report = queries.report_get(request.user, report_id)
    form = NarrativeForm(request.POST or None, report=report)
    status = 200
    if request.method == "POST":
        if not has_permission(request.user, "reports.build"):
            return HttpResponse(status=403)
        if form.is_valid():
            try:
                actions.report_narrative_update(
                    user=request.user, report=report, blocks=form.cleaned_data
                )
            except ActionError as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(
                    request, _("The texts are saved. Generate the report to use them.")
                )
                return redirect("reports:report_detail", report_id=report.pk)
        status = 400
    context = _detail_context(request, report, form)
    return render(request, "reports/report_detail.html", context, status=status)


@require_POST
@member_required("reports.build")
def report_generate(request: HttpRequest, report_id: Any) -> HttpResponse:
    """Generate a snapshot now (the page's script watches the job meanwhile)."""
    report = queries.report_get(request.user, report_id)
    try:
        job_id = jobs.job_id_parse(request.POST.get("job", ""))
        job = jobs.report_job_run(user=request.user, report=report, job_id=job_id)
    except ActionError as exc:
        messages.error(request, str(exc))
        return redirect("reports:report_detail", report_id=report.pk)
    if job.snapshot_id is None:
        messages.error(request, job.error)
        return redirect("reports:report_detail", report_id=report.pk)
    messages.success(request, _("The report is generated from the current data."))
    return redirect("reports:snapshot_detail", report_id=report.pk, snapshot_id=job.snapshot_id)


@member_required("reports.view")
def job_status(request: HttpRequest, report_id: Any, job_id: Any) -> JsonResponse:
    """Where a generation is: its step, fraction and result, as JSON."""
    job = jobs.job_get(request.user, report_id, job_id)
    return JsonResponse(jobs.job_json(job))


@member_required("reports.view")
def snapshot_detail(request: HttpRequest, report_id: Any, snapshot_id: Any) -> HttpResponse:
    """A generation: its data hash, its figures with their sources, a preview, downloads."""
    report = queries.report_get(request.user, report_id)
    snapshot = queries.snapshot_get(request.user, report, snapshot_id)
    context = {
        "report": report,
        "snapshot": snapshot,
        "form": DownloadForm(initial={"format": "pdf", "lang": report.language}),
    }
    return render(request, "reports/snapshot_detail.html", context)


@xframe_options_sameorigin
@member_required("reports.view")
def snapshot_preview(request: HttpRequest, report_id: Any, snapshot_id: Any) -> HttpResponse:
    """The snapshot as HTML in the report's language, for the preview frame."""
    report = queries.report_get(request.user, report_id)
    snapshot = queries.snapshot_get(request.user, report, snapshot_id)
    data, content_type, _name = report_render(snapshot, fmt="html")
    response = HttpResponse(data, content_type=content_type)
    response["Content-Security-Policy"] = PREVIEW_CSP
    return response


@member_required("reports.view")
def snapshot_download(request: HttpRequest, report_id: Any, snapshot_id: Any) -> HttpResponse:
    """The snapshot in a format and language, as a file; the rendering is audited."""
    report = queries.report_get(request.user, report_id)
    snapshot = queries.snapshot_get(request.user, report, snapshot_id)
    form = DownloadForm({"format": "pdf", "lang": report.language, **request.GET.dict()})
    if not form.is_valid():
        context = {"report": report, "snapshot": snapshot, "form": form}
        return render(request, "reports/snapshot_detail.html", context, status=400)
    fmt, language = form.cleaned_data["format"], form.cleaned_data["lang"]
    data, content_type, name = report_render(
        snapshot, fmt=fmt, language=language, user=request.user
    )
    response = HttpResponse(data, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    if fmt == "html":
        response["Content-Security-Policy"] = DOWNLOAD_CSP
    return response


@member_required("reports.view")
def snapshot_inputs(request: HttpRequest, report_id: Any, snapshot_id: Any) -> HttpResponse:
    """The frozen inputs as canonical JSON: their SHA-256 is the snapshot's data hash, so
    anyone can check which data a quoted figure came from."""
    report = queries.report_get(request.user, report_id)
    snapshot = queries.snapshot_get(request.user, report, snapshot_id)
    response = HttpResponse(canonical_json(snapshot.inputs), content_type="application/json")
    name = f"inputs-{snapshot.data_hash[:12]}.json"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
