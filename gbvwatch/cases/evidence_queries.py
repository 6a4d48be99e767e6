"""Scoped reads of evidence: another organisation's evidence is simply not found (404)."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from gbvwatch.cases.models import Evidence
from gbvwatch.core.scoping import get_by_uuid_or_404, scope_to_organisation


def evidence_for(user: Any) -> QuerySet[Evidence]:
    """Evidence of the user's organisation (metadata only; nothing decrypted)."""
    return scope_to_organisation(Evidence.objects.select_related("incident", "attack"), user)


def evidence_get(user: Any, evidence_id: str) -> Evidence:
    """One evidence record of the user's organisation; another organisation's is a 404."""
    return get_by_uuid_or_404(evidence_for(user), evidence_id)
