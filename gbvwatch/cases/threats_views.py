"""Pages of threat sharing and evidence bundles.

A STIX export first shows exactly what will be shared (decrypted, in this page only), then
sends the bundle after the person re-enters their password. An evidence bundle is streamed to
the browser, never written to the server's disk. An MVT import keeps the file as evidence and
adds its indicators. All of them need the organisation key of the session (423 when locked)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt, csrf_protect

from gbvwatch.cases import attacks_queries, threats_actions
from gbvwatch.cases.casework_actions import is_shredded
from gbvwatch.cases.casework_views import _case
from gbvwatch.cases.evidence_bundle_actions import evidence_bundle_export
from gbvwatch.cases.evidence_upload import EncryptedUploadHandler
from gbvwatch.cases.models import Attack
from gbvwatch.cases.threats_forms import EvidenceBundleForm, MvtImportForm, StixExportForm
from gbvwatch.cases.threats_mvt import MvtFormatError
from gbvwatch.cases.threats_stix import stix_bundle_build
from gbvwatch.core import crypto, keyring
from gbvwatch.core.access import member_required, signed_in
from gbvwatch.core.actions import ActionError
from gbvwatch.core.models import User

SHOWN_ATTACKS = 500  # the most recent attacks with indicators offered for sharing


def _locked(request: HttpRequest) -> HttpResponse:
    return render(request, "cases/locked.html", {}, status=423)


def _password_ok(form: Any, user: User) -> bool:
    if not user.check_password(form.cleaned_data["your_password"]):
        form.add_error("your_password", _("Your password is not correct."))
        return False
    return True


def _shareable(user: User) -> list[Attack]:
    attacks = attacks_queries.attacks_for(user).filter(indicators__isnull=False).distinct()
    attacks = attacks.order_by("-started_on", "-created_at")[:SHOWN_ATTACKS]
    return [a for a in attacks if not is_shredded(a)]


def _attachment(response: HttpResponse | StreamingHttpResponse, filename: str) -> None:
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "no-store"


@member_required("cases.edit")
def stix_export(request: HttpRequest) -> HttpResponse:
    """Choose attacks and a TLP marking, see exactly what is shared, then download STIX."""
    user = signed_in(request)
    attacks = _shareable(user)
    form = StixExportForm(request.POST or None, attacks=attacks)
    context: dict[str, Any] = {"form": form, "attacks": attacks}
    if request.method != "POST" or not form.is_valid():
        return render(request, "cases/stix_export.html", context)
    chosen = [a for a in attacks if str(a.pk) in set(form.cleaned_data["attacks"])]
    try:
        private = keyring.private_key(request)
        if "download" in request.POST and _password_ok(form, user):
            text = threats_actions.attacks_stix_export(
                actor=user, attacks=chosen, tlp=form.cleaned_data["tlp"], private_key=private
            )
            response = HttpResponse(text, content_type="application/stix+json")
            _attachment(response, f"indicators-{timezone.now():%Y%m%d-%H%M%S}.stix.json")
            return response
        shared = threats_actions.attacks_stix_preview(
            actor=user, attacks=chosen, private_key=private
        )
    except (keyring.KeysLockedError, crypto.DecryptionError):
        return _locked(request)
    except ActionError as exc:
        form.add_error(None, str(exc))
        return render(request, "cases/stix_export.html", context)
    bundle = stix_bundle_build(shared, tlp=form.cleaned_data["tlp"], now=timezone.now())
    context.update(shared=shared, preview=bundle.serialize(pretty=True), chosen=chosen)
    return render(request, "cases/stix_export.html", context)


# csrf_exempt outside, csrf_protect inside: the encrypting upload handler must be in place
# before the CSRF check reads the form (as for evidence uploads). The check still runs.
@csrf_exempt
@member_required("cases.edit")
def mvt_import(request: HttpRequest, attack_id: str) -> HttpResponse:
    """Upload MVT detection output: kept as evidence, its indicators added to the attack."""
    request.upload_handlers = [EncryptedUploadHandler(request)]
    return _mvt_import(request, attacks_queries.attack_get(signed_in(request), attack_id))


@csrf_protect
def _mvt_import(request: HttpRequest, attack: Attack) -> HttpResponse:
    posted = request.method == "POST"
    form = MvtImportForm(request.POST, request.FILES) if posted else MvtImportForm()
    context: dict[str, Any] = {"form": form, "attack": attack}
    if posted and form.is_valid():
        try:
            context["imported"] = threats_actions.mvt_import(
                actor=signed_in(request),
                attack=attack,
                upload=form.cleaned_data["file"],
                description=form.cleaned_data["description"],
                private_key=keyring.private_key(request),
            )
        except (keyring.KeysLockedError, crypto.DecryptionError):
            return _locked(request)
        except (MvtFormatError, ActionError, ValueError) as exc:
            # ValueError: an upload over the evidence limit was not kept (evidence_upload).
            form.add_error("file", str(exc) if str(exc) else _("The file could not be read."))
        else:
            messages.success(request, _("The MVT file was kept as evidence."))
    return render(request, "cases/mvt_import.html", context)


@member_required("cases.view")
def evidence_bundle(request: HttpRequest, kind: str, case_id: str) -> HttpResponse:
    """Choose evidence of one case and download it as a verifiable zip (not encrypted)."""
    user = signed_in(request)
    case = _case(request, kind, case_id)
    available = [e for e in case.evidence.all() if not is_shredded(e)]
    form = EvidenceBundleForm(request.POST or None, evidence=available)
    context = {"form": form, "case": case, "kind": kind}
    if request.method != "POST" or not form.is_valid() or not _password_ok(form, user):
        return render(request, "cases/evidence_bundle.html", context)
    chosen = [e for e in available if str(e.pk) in set(form.cleaned_data["evidence"])]
    try:
        bundle = evidence_bundle_export(
            actor=user, case=case, evidence=chosen, private_key=keyring.private_key(request)
        )
    except (keyring.KeysLockedError, crypto.DecryptionError):
        return _locked(request)
    except ActionError as exc:
        form.add_error(None, str(exc))
        return render(request, "cases/evidence_bundle.html", context)
    response = StreamingHttpResponse(bundle.chunks, content_type="application/zip")
    _attachment(response, bundle.filename)
    return response  # type: ignore[return-value]
