"""Pages of the case records: list (coded fields only), detail, add and edit.

Sensitive fields are decrypted only on the detail and edit pages, with the organisation key of
the session; when the key is not there (locked) the page says so: never an error, never
ciphertext shown as text."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from gbvwatch.cases import actions, queries
from gbvwatch.cases.casework_actions import is_shredded
from gbvwatch.cases.casework_views import casework_context
from gbvwatch.cases.forms import IncidentFilterForm, IncidentForm
from gbvwatch.cases.models import Incident
from gbvwatch.core import crypto, keyring
from gbvwatch.core.access import member_required, signed_in
from gbvwatch.core.actions import ActionError
from gbvwatch.core.models import User
from gbvwatch.core.queries import members_for


def _assignable(user: User) -> Any:
    return User.objects.filter(pk__in=members_for(user).filter(is_active=True).values("user_id"))


def _locked(request: HttpRequest, incident: Incident | None = None) -> HttpResponse:
    # 423 Locked: the person may see this record, but this session holds no key to open it.
    return render(request, "cases/locked.html", {"incident": incident}, status=423)


@member_required("cases.view")
def incident_list(request: HttpRequest) -> HttpResponse:
    """The organisation's incidents, coded fields only (nothing is decrypted for a list)."""
    user = signed_in(request)
    # "mine" is the old name of "assigned to me", kept so saved links still work.
    data = request.GET.copy()
    if data.get("mine") and not data.get("assigned"):
        data["assigned"] = "me"
    search = IncidentFilterForm(data)
    incidents = queries.incidents_filter(queries.incidents_for(user), user, search.filters())
    page = Paginator(incidents, 50).get_page(request.GET.get("page"))
    query = data.copy()
    query.pop("page", None)
    context = {
        "page": page,
        "search": search,
        "query": query.urlencode(),
        "total": page.paginator.count,
    }
    return render(request, "cases/incident_list.html", context)


@member_required("cases.view")
def incident_detail(request: HttpRequest, incident_id: str) -> HttpResponse:
    """One incident with its sensitive fields decrypted (the read is audited)."""
    incident = queries.incident_get(signed_in(request), incident_id)
    if is_shredded(incident):  # nothing left to decrypt: coded fields and history only
        context = {"incident": incident, **casework_context(request, incident, None)}
        return render(request, "cases/incident_detail.html", context)
    try:
        private = keyring.private_key(request)
        secrets = actions.incident_reveal(
            actor=signed_in(request), incident=incident, private_key=private
        )
        context = {"incident": incident, "secrets": secrets}
        context.update(casework_context(request, incident, private))
    except (keyring.KeysLockedError, crypto.DecryptionError):
        return _locked(request, incident)
    return render(request, "cases/incident_detail.html", context)


@member_required("cases.edit")
def incident_create(request: HttpRequest) -> HttpResponse:
    """Record a new incident; anyone allowed to write encrypts without unlocking anything."""
    user = signed_in(request)
    form = IncidentForm(request.POST or None, assignable=_assignable(user))
    if request.method == "POST" and form.is_valid():
        try:
            incident = actions.incident_create(
                actor=user,
                incident=form.save(commit=False),
                secrets=form.secrets(),
                refusals=form.refusals(),
            )
        except ActionError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("The incident was recorded."))
            return redirect("cases:incident_detail", incident_id=incident.pk)
    return render(request, "cases/incident_form.html", {"form": form, "creating": True})


@member_required("cases.edit")
def incident_edit(request: HttpRequest, incident_id: str) -> HttpResponse:
    """Change an incident; its sensitive fields are shown decrypted, then re-encrypted."""
    user = signed_in(request)
    incident = queries.incident_get(user, incident_id)
    if is_shredded(incident):
        messages.error(request, _("This record was destroyed; it can no longer be edited."))
        return redirect("cases:incident_detail", incident_id=incident.pk)
    try:
        private = keyring.private_key(request)
        current = actions.incident_reveal(actor=user, incident=incident, private_key=private)
    except (keyring.KeysLockedError, crypto.DecryptionError):
        return _locked(request, incident)
    before = {f.attname: getattr(incident, f.attname) for f in Incident._meta.concrete_fields}
    initial = {**current.__dict__}
    refusal = incident.refusals.first()
    if refusal is not None:
        initial.update(
            refusal_kind=refusal.service_kind,
            refusal_reason=refusal.reason,
            refusal_date=refusal.refused_on,
        )
    form = IncidentForm(
        request.POST or None, instance=incident, initial=initial, assignable=_assignable(user)
    )
    if request.method == "POST" and form.is_valid():
        actions.incident_update(
            actor=user,
            incident=form.save(commit=False),
            before=before,
            secrets=form.secrets(),
            refusals=form.refusals(),
            private_key=private,
            before_secrets=current,
        )
        messages.success(request, _("The incident was saved."))
        return redirect("cases:incident_detail", incident_id=incident.pk)
    return render(request, "cases/incident_form.html", {"form": form, "incident": incident})
