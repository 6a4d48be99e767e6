"""Pages for working a case (an incident or a digital attack): notes, assignment, history,
and destroying its sensitive content; the organisation's evidence list.

Adding a note or assigning needs no unlock (a note is encrypted to the organisation's public
key); reading notes does, like every sensitive read."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from gbvwatch.cases import attacks_queries, casework_actions, casework_queries, queries
from gbvwatch.cases.casework_actions import NOTE_LIMIT, Case, is_shredded
from gbvwatch.cases.evidence_queries import evidence_for, evidence_get
from gbvwatch.cases.models import Incident
from gbvwatch.core.access import member_required, signed_in
from gbvwatch.core.actions import ActionError
from gbvwatch.core.models import User


class NoteForm(forms.Form):
    text = forms.CharField(
        label=_lazy("New note"),
        max_length=NOTE_LIMIT,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class AssignForm(forms.Form):
    assignee = forms.ModelChoiceField(
        label=_lazy("Caseworker"),
        required=False,
        queryset=User.objects.none(),
        empty_label=_lazy("nobody"),
    )

    def __init__(self, *args: Any, caseworkers: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["assignee"].queryset = caseworkers  # type: ignore[attr-defined]


class ConfirmForm(forms.Form):
    confirm = forms.BooleanField(
        label=_lazy("I understand that this cannot be undone."), required=True
    )


def _case(request: HttpRequest, kind: str, case_id: str) -> Case:
    if kind == "incident":
        return queries.incident_get(signed_in(request), case_id)
    return attacks_queries.attack_get(signed_in(request), case_id)


def _detail(case: Case) -> HttpResponse:
    if isinstance(case, Incident):
        return redirect("cases:incident_detail", incident_id=case.pk)
    return redirect("cases:attack_detail", attack_id=case.pk)


def casework_context(request: HttpRequest, case: Case, private_key: bytes | None) -> dict[str, Any]:
    """What a case's detail page shows besides its own fields: notes, history, forms."""
    user = signed_in(request)
    kind = "incident" if isinstance(case, Incident) else "attack"
    return {
        "case": case,
        "note_url": reverse(f"cases:{kind}_note_add", kwargs={"case_id": case.pk}),
        "assign_url": reverse(f"cases:{kind}_assign", kwargs={"case_id": case.pk}),
        "shred_url": reverse(f"cases:{kind}_shred", kwargs={"case_id": case.pk}),
        "complaint_url": reverse(
            f"accountability:{kind}_complaint_file", kwargs={"case_id": case.pk}
        ),
        "shredded": is_shredded(case),
        "notes": (
            casework_actions.notes_reveal(case=case, private_key=private_key)
            if private_key is not None
            else []
        ),
        "history": casework_queries.case_history(case),
        "reads": casework_queries.case_reads(case)[:10],
        "note_form": NoteForm(),
        "assign_form": AssignForm(
            initial={"assignee": case.assigned_to_id},
            caseworkers=casework_queries.caseworkers_for(user),
        ),
    }


@member_required("cases.edit")
def note_add(request: HttpRequest, kind: str, case_id: str) -> HttpResponse:
    """Append a note to a case (POST); the text is encrypted before it is stored."""
    case = _case(request, kind, case_id)
    if request.method != "POST":
        return _detail(case)
    form = NoteForm(request.POST)
    if form.is_valid():
        try:
            casework_actions.note_add(
                actor=signed_in(request), case=case, text=form.cleaned_data["text"]
            )
        except ActionError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, _("The note was added."))
    else:
        for error in form.errors.get("text", []):
            messages.error(request, str(error))
    return _detail(case)


@member_required("cases.edit")
def case_assign(request: HttpRequest, kind: str, case_id: str) -> HttpResponse:
    """Give a case to a caseworker of the organisation, or to nobody (POST)."""
    user = signed_in(request)
    case = _case(request, kind, case_id)
    if request.method != "POST":
        return _detail(case)
    form = AssignForm(request.POST, caseworkers=casework_queries.caseworkers_for(user))
    if form.is_valid():
        try:
            casework_actions.case_assign(
                actor=user, case=case, assignee=form.cleaned_data["assignee"]
            )
        except ActionError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, _("The caseworker was changed."))
    else:
        messages.error(request, _("Choose a caseworker of your organisation."))
    return _detail(case)


@member_required("cases.shred")
def case_shred(request: HttpRequest, kind: str, case_id: str) -> HttpResponse:
    """Destroy a case's sensitive content after an explicit confirmation."""
    case = _case(request, kind, case_id)
    form = ConfirmForm(request.POST or None)
    if is_shredded(case):
        return _detail(case)
    if request.method == "POST" and form.is_valid():
        casework_actions.case_shred(actor=signed_in(request), case=case)
        messages.success(request, _("The sensitive content of this record was destroyed."))
        return _detail(case)
    context = {"form": form, "case": case, "evidence": case.evidence.count()}
    return render(request, "cases/shred_confirm.html", context)


@member_required("cases.shred")
def evidence_shred(request: HttpRequest, evidence_id: str) -> HttpResponse:
    """Destroy one evidence file after an explicit confirmation."""
    evidence = evidence_get(signed_in(request), evidence_id)
    form = ConfirmForm(request.POST or None)
    if request.method == "POST" and form.is_valid() and not is_shredded(evidence):
        try:
            casework_actions.evidence_shred(actor=signed_in(request), evidence=evidence)
        except ActionError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, _("The evidence file and its key were destroyed."))
        return redirect("cases:evidence_detail", evidence_id=evidence.pk)
    if is_shredded(evidence):
        return redirect("cases:evidence_detail", evidence_id=evidence.pk)
    return render(request, "cases/shred_confirm.html", {"form": form, "evidence": evidence})


@member_required("cases.view")
def evidence_list(request: HttpRequest) -> HttpResponse:
    """The organisation's evidence: fingerprints, sizes, kinds and cases (nothing decrypted)."""
    items = evidence_for(signed_in(request)).select_related("incident", "attack")
    page = Paginator(items, 50).get_page(request.GET.get("page"))
    return render(request, "cases/evidence_list.html", {"page": page})
