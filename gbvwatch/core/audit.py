"""The hash-chained, append-only audit log: appending inside a write, and verifying the chain."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from typing import Any

from django.db import connection, transaction
from django.db.models import Model
from django.utils import timezone

from gbvwatch.core.models import AuditEntry, AuditHead

GENESIS_HASH = "0" * 64
_PG_LOCK_ID = 0x67627677  # "gbvw": one advisory lock serialises the chain on PostgreSQL


def _canonical(entry: AuditEntry) -> bytes:
    payload = {
        "seq": entry.seq,
        "at": entry.at.isoformat(),
        "actor_id": entry.actor_id,
        "actor_label": entry.actor_label,
        "organisation_id": entry.organisation_id,
        "action": entry.action,
        "object_type": entry.object_type,
        "object_id": entry.object_id,
        "details": entry.details,
        "prev_hash": entry.prev_hash,
    }
    return json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def entry_digest(entry: AuditEntry) -> str:
    """SHA-256 of the entry's canonical form, which includes the previous entry's hash."""
    return hashlib.sha256(_canonical(entry)).hexdigest()


def audit_append(
    *,
    actor: Any,
    action: str,
    obj: Model | None = None,
    organisation_id: int | None = None,
    details: dict[str, Any] | None = None,
) -> AuditEntry:
    """Append one entry; must run inside the transaction of the write it records."""
    if not connection.in_atomic_block:
        raise RuntimeError("audit_append must run inside the write's transaction")
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_PG_LOCK_ID])
    head = AuditHead.objects.select_for_update().filter(pk=1).first()
    seq, prev = (head.seq + 1, head.entry_hash) if head else (1, GENESIS_HASH)
    is_person = actor is not None and getattr(actor, "pk", None) is not None
    entry = AuditEntry(
        seq=seq,
        at=timezone.now().replace(microsecond=0),
        actor_id=actor.pk if is_person else None,
        actor_label=actor.get_username() if is_person else str(actor or "system"),
        organisation_id=organisation_id,
        action=action,
        object_type=obj._meta.label_lower if obj is not None else "",
        object_id=str(obj.pk) if obj is not None else "",
        details=details or {},
        prev_hash=prev,
    )
    entry.entry_hash = entry_digest(entry)
    entry.save()
    AuditHead.objects.update_or_create(pk=1, defaults={"seq": seq, "entry_hash": entry.entry_hash})
    return entry


@dataclass(frozen=True)
class AuditProblem:
    """One inconsistency found in the chain."""

    seq: int
    message: str


@dataclass(frozen=True)
class AuditReport:
    """Result of verifying the chain: entries checked, head, and every problem found."""

    entries: int
    head_seq: int
    head_hash: str
    problems: list[AuditProblem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def audit_verify(*, anchor: tuple[int, str] | None = None) -> AuditReport:
    """Recompute every hash; report edits, deletions, reordering and truncation."""
    problems: list[AuditProblem] = []
    prev_hash, expected_seq, count = GENESIS_HASH, 1, 0
    seen: dict[int, str] = {}
    with transaction.atomic():
        for entry in AuditEntry.objects.order_by("seq").iterator(chunk_size=2000):
            count += 1
            if entry.seq != expected_seq:
                problems.append(
                    AuditProblem(entry.seq, f"expected entry {expected_seq}: entries are missing")
                )
            if entry.prev_hash != prev_hash:
                problems.append(
                    AuditProblem(entry.seq, "previous-hash link broken (deleted or reordered)")
                )
            if entry_digest(entry) != entry.entry_hash:
                problems.append(AuditProblem(entry.seq, "content does not match its hash (edited)"))
            seen[entry.seq] = entry.entry_hash
            prev_hash, expected_seq = entry.entry_hash, entry.seq + 1
        head = AuditHead.objects.filter(pk=1).first()
    last_seq = expected_seq - 1
    if head is None and count:
        problems.append(AuditProblem(last_seq, "head record missing"))
    elif head is not None and (head.seq != last_seq or head.entry_hash != prev_hash):
        problems.append(
            AuditProblem(head.seq, f"head says entry {head.seq} but the log ends at {last_seq}")
        )
    if anchor is not None and seen.get(anchor[0]) != anchor[1]:
        problems.append(AuditProblem(anchor[0], "recorded anchor is no longer in the log"))
    return AuditReport(count, last_seq, prev_hash, problems)
