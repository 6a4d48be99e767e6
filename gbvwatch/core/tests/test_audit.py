"""The audit chain detects edited, deleted, reordered and truncated entries."""

from __future__ import annotations

import pytest
from django.core.management import CommandError, call_command
from django.db import connection, transaction

from gbvwatch.core.audit import audit_append, audit_verify
from gbvwatch.core.models import AuditEntry


def _append(n: int) -> None:
    for i in range(n):
        with transaction.atomic():
            audit_append(actor="test", action="thing.touch", details={"i": i})


def _drop_guards() -> None:
    """What an attacker with database access would do first."""
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("DROP TRIGGER core_auditentry_no_update")
            cursor.execute("DROP TRIGGER core_auditentry_no_delete")
        else:
            cursor.execute("DROP TRIGGER core_auditentry_append_only ON core_auditentry")


@pytest.mark.django_db
def test_intact_chain_verifies():
    _append(5)
    report = audit_verify()
    assert report.ok, report.problems
    assert report.entries == 5 and report.head_seq == 5


@pytest.mark.django_db
def test_orm_refuses_to_update_or_delete_entries():
    _append(1)
    entry = AuditEntry.objects.get()
    with pytest.raises(RuntimeError):
        entry.save()
    with pytest.raises(RuntimeError):
        entry.delete()


@pytest.mark.django_db
def test_database_refuses_raw_update_and_delete():
    _append(2)
    for sql in ("UPDATE core_auditentry SET action = 'x'", "DELETE FROM core_auditentry"):
        with (
            pytest.raises(Exception, match="append-only"),
            transaction.atomic(),
            connection.cursor() as cursor,
        ):
            cursor.execute(sql)
    assert audit_verify().ok


@pytest.mark.django_db
def test_edited_entry_is_detected():
    _append(4)
    _drop_guards()
    AuditEntry.objects.filter(seq=2).update(action="thing.innocent")
    report = audit_verify()
    assert not report.ok
    assert any(p.seq == 2 and "edited" in p.message for p in report.problems)


@pytest.mark.django_db
def test_deleted_entry_is_detected():
    _append(4)
    _drop_guards()
    AuditEntry.objects.filter(seq=3).delete()
    report = audit_verify()
    assert any(p.seq == 4 and "missing" in p.message for p in report.problems)


@pytest.mark.django_db
def test_reordered_entries_are_detected():
    _append(4)
    _drop_guards()
    a, b = AuditEntry.objects.get(seq=2), AuditEntry.objects.get(seq=3)
    # Swap the two rows' sequence numbers, keeping each row's own content and hash.
    AuditEntry.objects.filter(pk=a.pk).update(seq=1000)
    AuditEntry.objects.filter(pk=b.pk).update(seq=2)
    AuditEntry.objects.filter(pk=a.pk).update(seq=3)
    report = audit_verify()
    assert not report.ok
    assert any("link broken" in p.message for p in report.problems)


@pytest.mark.django_db
def test_truncated_tail_is_detected_by_head_and_by_anchor():
    _append(5)
    anchor = audit_verify()
    _drop_guards()
    AuditEntry.objects.filter(seq__gte=4).delete()
    report = audit_verify()
    assert any("head says entry 5" in p.message for p in report.problems)
    # Even if the attacker also rewrites the head, an anchor kept offline catches it.
    from gbvwatch.core.models import AuditHead

    last = AuditEntry.objects.get(seq=3)
    AuditHead.objects.filter(pk=1).update(seq=3, entry_hash=last.entry_hash)
    assert audit_verify().ok
    report = audit_verify(anchor=(anchor.head_seq, anchor.head_hash))
    assert any("anchor" in p.message for p in report.problems)


@pytest.mark.django_db
def test_audit_verify_command_fails_on_a_broken_chain(capsys):
    _append(3)
    call_command("audit", "verify")
    assert "chain intact" in capsys.readouterr().out
    _drop_guards()
    AuditEntry.objects.filter(seq=1).update(actor_label="someone-else")
    with pytest.raises(CommandError):
        call_command("audit", "verify")
    assert "edited" in capsys.readouterr().out
