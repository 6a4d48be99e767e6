"""Writes and sensitive reads of complaints; each in a transaction with its audit entry.

Audit entries carry coded facts (authority, status, dates), never a reference or a note."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gbvwatch.accountability.models import (
    Authority,
    Complaint,
    ComplaintResponse,
    ComplaintStatus,
)
from gbvwatch.cases.envelope import (
    binding_of,
    decrypt_text,
    encrypt_text,
    new_data_key,
    open_data_key,
    organisation_public_key,
)
from gbvwatch.cases.models import Attack, Incident
from gbvwatch.core.actions import ActionError
from gbvwatch.core.audit import audit_append
from gbvwatch.core.models import User

COMPLAINT_LABEL = "accountability.complaint"
RESPONSE_LABEL = "accountability.complaintresponse"
TEXT_LIMIT = 5_000


@dataclass(frozen=True)
class RevealedResponse:
    """A response with its note decrypted, only ever in memory."""

    received_on: dt.date
    status: str
    status_label: str
    note: str


@dataclass(frozen=True)
class RevealedComplaint:
    """A complaint's reference and its responses' notes, decrypted, only ever in memory."""

    reference: str
    responses: tuple[RevealedResponse, ...]


def _check_date(value: dt.date, *, not_before: dt.date | None = None) -> None:
    if value > timezone.localdate():
        raise ActionError(_("The date is in the future."))
    if not_before is not None and value < not_before:
        raise ActionError(_("The date is before the complaint was filed."))


def complaint_file(
    *,
    actor: User,
    case: Incident | Attack,
    authority: str,
    authority_name: str,
    filed_on: dt.date,
    reference: str = "",
) -> Complaint:
    """Record a complaint about a case; its reference number is encrypted."""
    if actor.membership.organisation_id != case.organisation_id:
        raise ActionError(_("This record belongs to another organisation."))
    if authority not in Authority.values:
        raise ActionError(_("Unknown authority."))
    if len(reference) > TEXT_LIMIT or len(authority_name) > 200:
        raise ActionError(_("A field is too long."))
    _check_date(filed_on)
    complaint = Complaint(
        id=uuid.uuid4(),
        organisation_id=case.organisation_id,
        authority=authority,
        authority_name=authority_name.strip(),
        filed_on=filed_on,
        status=ComplaintStatus.NO_RESPONSE,
        status_on=filed_on,
        created_by=actor,
    )
    if isinstance(case, Incident):
        complaint.incident = case
    else:
        complaint.attack = case
    data_key, complaint.data_key_sealed = new_data_key(
        organisation_public_key(case.organisation_id)
    )
    complaint.reference_enc = encrypt_text(
        data_key, binding_of(complaint, COMPLAINT_LABEL), "reference", reference.strip()
    )
    with transaction.atomic():
        complaint.save(force_insert=True)
        audit_append(
            actor=actor,
            action="complaint.file",
            obj=complaint,
            organisation_id=complaint.organisation_id,
            details={
                "case": f"{case._meta.label_lower}:{case.pk}",
                "authority": authority,
                "filed_on": filed_on.isoformat(),
            },
        )
    return complaint


def complaint_respond(
    *, actor: User, complaint: Complaint, received_on: dt.date, status: str, note: str = ""
) -> ComplaintResponse:
    """Add a dated response; the complaint's status follows the latest response by date."""
    if actor.membership.organisation_id != complaint.organisation_id:
        raise ActionError(_("This record belongs to another organisation."))
    if status not in ComplaintStatus.values:
        raise ActionError(_("Unknown status."))
    if len(note) > TEXT_LIMIT:
        raise ActionError(_("A field is too long."))
    _check_date(received_on, not_before=complaint.filed_on)
    response = ComplaintResponse(
        id=uuid.uuid4(),
        organisation_id=complaint.organisation_id,
        complaint=complaint,
        received_on=received_on,
        status=status,
        created_by=actor,
    )
    data_key, response.data_key_sealed = new_data_key(
        organisation_public_key(complaint.organisation_id)
    )
    response.note_enc = encrypt_text(
        data_key, binding_of(response, RESPONSE_LABEL), "note", note.strip()
    )
    with transaction.atomic():
        response.save(force_insert=True)
        latest = complaint.responses.order_by("-received_on", "-created_at").first()
        assert latest is not None
        complaint.status, complaint.status_on = latest.status, latest.received_on
        complaint.save(update_fields=["status", "status_on", "updated_at"])
        audit_append(
            actor=actor,
            action="complaint.respond",
            obj=complaint,
            organisation_id=complaint.organisation_id,
            details={"status": status, "received_on": received_on.isoformat()},
        )
    return response


def complaint_reveal(*, actor: User, complaint: Complaint, private_key: bytes) -> RevealedComplaint:
    """Decrypt the reference and the responses' notes; the read is audited."""
    data_key = open_data_key(private_key, bytes(complaint.data_key_sealed))
    reference = decrypt_text(
        data_key,
        binding_of(complaint, COMPLAINT_LABEL),
        "reference",
        bytes(complaint.reference_enc),
    )
    responses = []
    for response in complaint.responses.all():
        key = open_data_key(private_key, bytes(response.data_key_sealed))
        note = decrypt_text(
            key, binding_of(response, RESPONSE_LABEL), "note", bytes(response.note_enc)
        )
        label = str(response.get_status_display())
        responses.append(RevealedResponse(response.received_on, response.status, label, note))
    with transaction.atomic():
        audit_append(
            actor=actor,
            action="complaint.read",
            obj=complaint,
            organisation_id=complaint.organisation_id,
        )
    return RevealedComplaint(reference, tuple(responses))
