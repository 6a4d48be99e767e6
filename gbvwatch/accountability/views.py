"""Pages of complaints: the accountability overview (impunity rates, overdue complaints), filing
a complaint on a case, a complaint with its responses, and recording a response.

Filing and answering need no unlock (encrypted to the organisation's public key); reading a
reference or a response's note does, like every sensitive read (423 when locked)."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from gbvwatch.accountability import actions, queries
from gbvwatch.accountability.forms import ClockForm, ComplaintForm, ResponseForm
from gbvwatch.cases import attacks_queries
from gbvwatch.cases import queries as incident_queries
from gbvwatch.cases.models import Attack, Incident
from gbvwatch.core import crypto, keyring
from gbvwatch.core.access import member_required, signed_in
from gbvwatch.core.actions import ActionError


def _case(request: HttpRequest, kind: str, case_id: str) -> Incident | Attack:
    if kind == "incident":
        return incident_queries.incident_get(signed_in(request), case_id)
    return attacks_queries.attack_get(signed_in(request), case_id)


@member_required("cases.view")
def overview(request: HttpRequest) -> HttpResponse:
    """Impunity rates of the organisation's complaints and the overdue list."""
    form = ClockForm(request.GET or None)
    days = settings.COMPLAINT_OVERDUE_DAYS
    if form.is_valid() and form.cleaned_data["overdue_days"]:
        days = form.cleaned_data["overdue_days"]
    figures = queries.accountability_for(
        signed_in(request), today=timezone.localdate(), overdue_days=days
    )
    context = {
        "figures": figures,
        "form": form,
        "complaints": queries.complaints_for(signed_in(request))[:200],
    }
    return render(request, "accountability/overview.html", context)


@member_required("cases.edit")
def complaint_file(request: HttpRequest, kind: str, case_id: str) -> HttpResponse:
    """File a complaint about an incident or an attack."""
    case = _case(request, kind, case_id)
    form = ComplaintForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            complaint = actions.complaint_file(
                actor=signed_in(request), case=case, **form.cleaned_data
            )
        except ActionError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("The complaint was recorded."))
            return redirect("accountability:complaint_detail", complaint_id=complaint.pk)
    return render(request, "accountability/complaint_form.html", {"form": form, "case": case})


@member_required("cases.view")
def complaint_detail(request: HttpRequest, complaint_id: str) -> HttpResponse:
    """One complaint: its reference, responses and clock (decrypted; the read is audited)."""
    complaint = queries.complaint_get(signed_in(request), complaint_id)
    try:
        revealed = actions.complaint_reveal(
            actor=signed_in(request), complaint=complaint, private_key=keyring.private_key(request)
        )
    except (keyring.KeysLockedError, crypto.DecryptionError):
        return render(request, "cases/locked.html", {}, status=423)
    context = {
        "complaint": complaint,
        "revealed": revealed,
        "form": ResponseForm(),
        "days": (timezone.localdate() - complaint.filed_on).days,
    }
    return render(request, "accountability/complaint_detail.html", context)


@member_required("cases.edit")
def complaint_respond(request: HttpRequest, complaint_id: str) -> HttpResponse:
    """Record a dated response (or a dated note that there was none) on a complaint."""
    complaint = queries.complaint_get(signed_in(request), complaint_id)
    form = ResponseForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            actions.complaint_respond(
                actor=signed_in(request), complaint=complaint, **form.cleaned_data
            )
        except ActionError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("The response was recorded."))
            return redirect("accountability:complaint_detail", complaint_id=complaint.pk)
    context = {"form": form, "complaint": complaint}
    return render(request, "accountability/response_form.html", context)
