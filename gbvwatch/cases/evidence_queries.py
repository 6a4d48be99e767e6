"""Scoped reads of evidence: another organisation's evidence is simply not found (404)."""

from __future__ import annotations

import uuid
from typing import Any

from django.db.models import QuerySet
from django.http import Http404

from gbvwatch.cases.models import Evidence
from gbvwatch.core.scoping import scope_to_organisation


def evidence_for(user: Any) -> QuerySet[Evidence]:
    """Evidence of the user's organisation (metadata only; nothing decrypted)."""
    return scope_to_organisation(Evidence.objects.select_related("incident", "attack"), user)


def evidence_get(user: Any, evidence_id: str) -> Evidence:
    """One evidence record of the user's organisation; another organisation's is a 404."""
    try:
        key = uuid.UUID(str(evidence_id))
    except ValueError as exc:
        raise Http404 from exc
    evidence = evidence_for(user).filter(pk=key).first()
    if evidence is None:
        raise Http404
    return evidence
