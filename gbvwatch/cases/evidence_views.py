"""Pages of evidence files: upload on an incident or an attack, detail with the custody log,
download of the original and of the working copy.

Downloads are always attachments named from the record's id and the detected type (never the
uploaded name), with `nosniff` and `no-store`. Without the organisation key (locked) the page
says so with a 423; a file that does not authenticate is refused with a clear message."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt, csrf_protect

from gbvwatch.cases import attacks_queries, evidence_queries, queries
from gbvwatch.cases.casework_actions import is_shredded
from gbvwatch.cases.evidence_actions import (
    EvidenceTooLarge,
    EvidenceUnavailable,
    evidence_attach,
    evidence_open,
    evidence_reveal,
    extension_for,
)
from gbvwatch.cases.evidence_forms import EvidenceForm
from gbvwatch.cases.evidence_upload import EncryptedUploadHandler
from gbvwatch.cases.models import Attack, Evidence, Incident
from gbvwatch.core import crypto, keyring
from gbvwatch.core.access import member_required, signed_in
from gbvwatch.core.actions import ActionError


def _locked(request: HttpRequest) -> HttpResponse:
    # 423 Locked: the person may see this record, but this session holds no key to open it.
    return render(request, "cases/locked.html", {}, status=423)


@csrf_protect
def _add(request: HttpRequest, parent: Incident | Attack) -> HttpResponse:
    form = EvidenceForm(request.POST, request.FILES) if request.method == "POST" else EvidenceForm()
    if request.method == "POST" and form.is_valid():
        try:
            evidence = evidence_attach(
                actor=signed_in(request),
                parent=parent,
                upload=form.cleaned_data["file"],
                description=form.cleaned_data["description"],
                hash_only=form.cleaned_data["hash_only"],
            )
        except EvidenceTooLarge:
            form.add_error("file", _("The file is larger than the limit; nothing was kept."))
        except ActionError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("The evidence was added."))
            return redirect("cases:evidence_detail", evidence_id=evidence.pk)
    return render(request, "cases/evidence_form.html", {"form": form, "parent": parent})


def _receive_encrypted(request: HttpRequest) -> None:
    """Uploads to these views never reach the disk in clear (see evidence_upload)."""
    request.upload_handlers = [EncryptedUploadHandler(request)]


# csrf_exempt outside, csrf_protect inside (_add): the CSRF check reads the form, which must
# happen after the encrypting upload handler is in place. The check itself still runs.
@csrf_exempt
@member_required("cases.edit")
def incident_evidence_add(request: HttpRequest, incident_id: str) -> HttpResponse:
    """Attach a file (or only its fingerprint) to an incident; no key needed to encrypt."""
    _receive_encrypted(request)
    return _add(request, queries.incident_get(signed_in(request), incident_id))


@csrf_exempt
@member_required("cases.edit")
def attack_evidence_add(request: HttpRequest, attack_id: str) -> HttpResponse:
    """Attach a file (or only its fingerprint) to a digital attack."""
    _receive_encrypted(request)
    return _add(request, attacks_queries.attack_get(signed_in(request), attack_id))


@member_required("cases.view")
def evidence_detail(request: HttpRequest, evidence_id: str) -> HttpResponse:
    """One evidence record: fingerprint, decrypted name and description, custody log."""
    evidence = evidence_queries.evidence_get(signed_in(request), evidence_id)
    secrets = None
    if not is_shredded(evidence):
        try:
            secrets = evidence_reveal(
                actor=signed_in(request),
                evidence=evidence,
                private_key=keyring.private_key(request),
            )
        except (keyring.KeysLockedError, crypto.DecryptionError):
            return _locked(request)
    context = {
        "shredded": secrets is None,
        "evidence": evidence,
        "secrets": secrets,
        "custody": evidence.custody.all(),
        "extension": extension_for(evidence.content_type),
    }
    return render(request, "cases/evidence_detail.html", context)


def _download(request: HttpRequest, evidence: Evidence, *, working_copy: bool) -> HttpResponse:
    try:
        chunks = evidence_open(
            actor=signed_in(request),
            evidence=evidence,
            private_key=keyring.private_key(request),
            working_copy=working_copy,
        )
    except keyring.KeysLockedError:
        return _locked(request)
    except EvidenceUnavailable:
        context = {"evidence": evidence, "problem": "unavailable"}
        return render(request, "cases/evidence_problem.html", context, status=404)
    except crypto.DecryptionError:
        context = {"evidence": evidence, "problem": "integrity"}
        return render(request, "cases/evidence_problem.html", context, status=409)
    if working_copy:
        extension = "jpg" if evidence.content_type == "image/jpeg" else "png"
        filename = f"evidence-{str(evidence.pk)[:8]}-working-copy.{extension}"
    else:
        filename = f"evidence-{str(evidence.pk)[:8]}.{extension_for(evidence.content_type)}"
    response = StreamingHttpResponse(chunks, content_type="application/octet-stream")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "no-store"
    if not working_copy:
        response["Content-Length"] = str(evidence.size)
    # A streamed response; core.access types views as returning HttpResponse.
    return response  # type: ignore[return-value]


@member_required("cases.view")
def evidence_download(request: HttpRequest, evidence_id: str) -> HttpResponse:
    """The original, byte for byte, as an attachment (custody: downloaded)."""
    evidence = evidence_queries.evidence_get(signed_in(request), evidence_id)
    return _download(request, evidence, working_copy=False)


@member_required("cases.view")
def evidence_working_copy(request: HttpRequest, evidence_id: str) -> HttpResponse:
    """The image working copy without metadata, as an attachment (custody: downloaded)."""
    evidence = evidence_queries.evidence_get(signed_in(request), evidence_id)
    return _download(request, evidence, working_copy=True)
