"""Reads for working a case: its history from the audit log, and the people it can be given to."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from gbvwatch.cases.models import Attack, Incident
from gbvwatch.core.access import PERMISSIONS
from gbvwatch.core.models import AuditEntry, User

# What each audited action means, for people reading a case's history.
ACTION_LABELS = {
    "create": _("recorded"),
    "update": _("edited"),
    "read": _("opened"),
    "note": _("added a note"),
    "assign": _("assigned"),
    "shred": _("destroyed the sensitive content"),
    "import": _("imported"),
    "add": _("added evidence"),
    "downloaded": _("downloaded an original file"),
    "working_copy_downloaded": _("downloaded a working copy"),
    "integrity_failure": _("found a file that failed its integrity check"),
}
# The encrypted fields have no model field of their own (only `<name>_enc`).
SENSITIVE_LABELS = {
    "survivor_name": _("Survivor's name or pseudonym"),
    "contact": _("Contact (how to reach her safely)"),
    "narrative": _("What happened"),
    "exact_place": _("Exact place"),
    "target_identity": _("Real identity of the target"),
    "losses": _("What was lost"),
}
HISTORY_LIMIT = 200


@dataclass(frozen=True)
class HistoryEntry:
    """One line of a case's history: when, who, what, and which coded fields changed."""

    at: datetime
    actor: str
    action: str
    label: str
    fields: tuple[str, ...]
    assigned_to: str


def _field_label(model: type[Any], name: str) -> str:
    if name in SENSITIVE_LABELS:
        return str(SENSITIVE_LABELS[name])
    try:
        return str(model._meta.get_field(name.removesuffix("_id")).verbose_name)
    except Exception:  # a field since removed: show its code
        return name


def case_history(case: Incident | Attack, *, reads: bool = False) -> list[HistoryEntry]:
    """The case's audit entries (and its evidence's), newest first; reads only when asked."""
    label = case._meta.label_lower
    evidence_ids = [str(pk) for pk in case.evidence.values_list("pk", flat=True)]
    entries = AuditEntry.objects.filter(
        Q(object_type=label, object_id=str(case.pk))
        | Q(object_type="cases.evidence", object_id__in=evidence_ids),
        organisation_id=case.organisation_id,
    )
    if not reads:
        entries = entries.exclude(action__endswith=".read")
    rows = list(entries.order_by("-seq")[:HISTORY_LIMIT])
    names = dict(
        User.objects.filter(pk__in={r.details.get("assigned_to") for r in rows}).values_list(
            "pk", "username"
        )
    )
    history = []
    for row in rows:
        verb = row.action.split(".", 1)[-1]
        changed = row.details.get("coded_fields_changed", []) + row.details.get(
            "sensitive_fields_changed", []
        )
        history.append(
            HistoryEntry(
                at=row.at,
                actor=row.actor_label,
                action=row.action,
                label=str(ACTION_LABELS.get(verb, row.action)),
                fields=tuple(_field_label(type(case), name) for name in changed),
                assigned_to=names.get(row.details.get("assigned_to"), ""),
            )
        )
    return history


def case_reads(case: Incident | Attack) -> QuerySet[AuditEntry]:
    """Who opened the case's sensitive fields, newest first."""
    return AuditEntry.objects.filter(
        object_type=case._meta.label_lower,
        object_id=str(case.pk),
        action__endswith=".read",
        organisation_id=case.organisation_id,
    ).order_by("-seq")


def caseworkers_for(user: Any) -> QuerySet[User]:
    """Active members of the user's organisation whose role may work cases."""
    roles = PERMISSIONS["cases.edit"]
    return User.objects.filter(
        membership__organisation_id=user.membership.organisation_id,
        membership__is_active=True,
        membership__role__in=roles,
        is_active=True,
    ).order_by("username")
