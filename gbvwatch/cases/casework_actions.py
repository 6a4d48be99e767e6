"""Working a case: notes, assignment to a caseworker, and destruction (crypto-shredding).

A case is an incident or a digital attack. Each write runs in a transaction with its audit entry;
audit entries name who, what and which record, never a note's text."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from django.db import transaction
from django.utils.translation import gettext as _

from gbvwatch.cases.envelope import (
    binding_of,
    decrypt_text,
    encrypt_text,
    new_data_key,
    organisation_public_key,
)
from gbvwatch.cases.envelope import open_data_key as _open_data_key
from gbvwatch.cases.evidence_actions import evidence_dir
from gbvwatch.cases.models import (
    ATTACK_SENSITIVE_FIELDS,
    SENSITIVE_FIELDS,
    Attack,
    CaseNote,
    CustodyAction,
    CustodyEntry,
    Evidence,
    Incident,
)
from gbvwatch.core.access import has_permission
from gbvwatch.core.actions import ActionError
from gbvwatch.core.audit import audit_append
from gbvwatch.core.models import Membership, User

NOTE_LABEL = "cases.note"
NOTE_LIMIT = 20_000  # characters; a longer note is refused, never cut

Case = Incident | Attack


@dataclass(frozen=True)
class RevealedNote:
    """A note with its text decrypted, only ever in memory."""

    id: str
    author: str
    created_at: datetime
    text: str


def _check_own(actor: User, case: Case) -> None:
    if actor.membership.organisation_id != case.organisation_id:
        raise ActionError(_("This record belongs to another organisation."))


def _note_parent(note: CaseNote, case: Case) -> None:
    if isinstance(case, Incident):
        note.incident = case
    else:
        note.attack = case


def note_add(*, actor: User, case: Case, text: str) -> CaseNote:
    """Append an encrypted note to a case (needs only the organisation's public key)."""
    _check_own(actor, case)
    text = text.strip()
    if not text:
        raise ActionError(_("The note is empty."))
    if len(text) > NOTE_LIMIT:
        raise ActionError(_("The note is too long (at most 20,000 characters)."))
    if not case.data_key_sealed:
        raise ActionError(_("This record was destroyed; nothing can be added to it."))
    public_key = organisation_public_key(case.organisation_id)
    note = CaseNote(id=uuid.uuid4(), organisation_id=case.organisation_id, author=actor)
    _note_parent(note, case)
    data_key, note.data_key_sealed = new_data_key(public_key)
    note.text_enc = encrypt_text(data_key, binding_of(note, NOTE_LABEL), "text", text)
    with transaction.atomic():
        note.save(force_insert=True)
        audit_append(
            actor=actor,
            action=f"{case._meta.model_name}.note",
            obj=case,
            organisation_id=case.organisation_id,
            details={"note": str(note.pk), "characters": len(text)},
        )
    return note


def notes_reveal(*, case: Case, private_key: bytes) -> list[RevealedNote]:
    """The case's notes in clear, oldest first (the read of the case is audited by its caller).

    Raises DecryptionError when a note does not open (wrong key, tampered row)."""
    revealed = []
    for note in case.notes.select_related("author"):
        data_key = _open_data_key(private_key, bytes(note.data_key_sealed))
        text = decrypt_text(data_key, binding_of(note, NOTE_LABEL), "text", bytes(note.text_enc))
        author = note.author.get_username() if note.author else _("a former member")
        revealed.append(RevealedNote(str(note.pk), author, note.created_at, text))
    return revealed


def case_assign(*, actor: User, case: Case, assignee: User | None) -> Case:
    """Give the case to a caseworker of the same organisation (or to nobody)."""
    _check_own(actor, case)
    if assignee is not None:
        membership = Membership.objects.filter(
            user=assignee, organisation_id=case.organisation_id, is_active=True
        ).first()
        if membership is None or not has_permission(assignee, "cases.edit"):
            raise ActionError(_("Cases can only be given to caseworkers of your organisation."))
    with transaction.atomic():
        case.assigned_to = assignee
        case.save(update_fields=["assigned_to", "updated_at"])
        audit_append(
            actor=actor,
            action=f"{case._meta.model_name}.assign",
            obj=case,
            organisation_id=case.organisation_id,
            details={"assigned_to": assignee.pk if assignee else None},
        )
    return case


def _shred_evidence(actor: User, evidence: Evidence) -> list[str]:
    """Destroy one evidence record's key and encrypted fields; return its file names."""
    names = [n for n in (evidence.stored_name, evidence.working_copy_name) if n]
    Evidence.objects.filter(pk=evidence.pk).update(
        data_key_sealed=b"",
        original_name_enc=b"",
        description_enc=b"",
        stored_name="",
        working_copy_name="",
    )
    CustodyEntry(
        evidence=evidence,
        actor_id=actor.pk,
        actor_label=actor.get_username(),
        action=CustodyAction.SHREDDED,
        details={"files": len(names)},
    ).save(force_insert=True)
    return names


def _delete_after_commit(names: list[str]) -> None:
    # The keys are gone once the transaction commits; only then are the files removed (a
    # rollback leaves both in place). A crash in between leaves unreadable orphans, which
    # `gbvwatch cases evidence-gc` removes.
    def delete() -> None:
        for name in names:
            (evidence_dir() / name).unlink(missing_ok=True)

    transaction.on_commit(delete)


def evidence_shred(*, actor: User, evidence: Evidence) -> Evidence:
    """Destroy one evidence file: its key, its encrypted name and description, its files.

    The hash, size and custody log remain, so the record shows something existed."""
    if actor.membership.organisation_id != evidence.organisation_id:
        raise ActionError(_("This record belongs to another organisation."))
    with transaction.atomic():
        names = _shred_evidence(actor, evidence)
        audit_append(
            actor=actor,
            action="evidence.shred",
            obj=evidence,
            organisation_id=evidence.organisation_id,
            details={"files": len(names)},
        )
        _delete_after_commit(names)
    evidence.refresh_from_db()
    return evidence


def case_shred(*, actor: User, case: Case) -> Case:
    """Crypto-shred a case: its data key, encrypted fields, notes, indicators and evidence.

    Coded fields remain (they are counted in statistics if consent was given). Backups made
    before keep the sealed keys until they expire: the page says so."""
    _check_own(actor, case)
    fields = SENSITIVE_FIELDS if isinstance(case, Incident) else ATTACK_SENSITIVE_FIELDS
    with transaction.atomic():
        case.data_key_sealed = b""
        for name in fields:
            setattr(case, f"{name}_enc", b"")
        case.save()
        notes = case.notes.count()
        case.notes.all().delete()
        indicators = 0
        if isinstance(case, Attack):
            indicators = case.indicators.count()
            case.indicators.all().delete()
        names: list[str] = []
        evidence = list(case.evidence.exclude(data_key_sealed=b""))
        for item in evidence:
            names += _shred_evidence(actor, item)
        audit_append(
            actor=actor,
            action=f"{case._meta.model_name}.shred",
            obj=case,
            organisation_id=case.organisation_id,
            details={"notes": notes, "indicators": indicators, "evidence": len(evidence)},
        )
        _delete_after_commit(names)
    return case


def is_shredded(record: Case | Evidence) -> bool:
    """True once the record's data key has been destroyed."""
    return not bytes(record.data_key_sealed)
