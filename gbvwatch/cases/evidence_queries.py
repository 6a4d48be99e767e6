"""Scoped reads of evidence: another organisation's evidence is simply not found (404)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet

from gbvwatch.cases.models import Evidence
from gbvwatch.core.models import AuditEntry
from gbvwatch.core.scoping import get_by_uuid_or_404, scope_to_organisation


def evidence_for(user: Any) -> QuerySet[Evidence]:
    """Evidence of the user's organisation (metadata only; nothing decrypted)."""
    return scope_to_organisation(Evidence.objects.select_related("incident", "attack"), user)


def evidence_get(user: Any, evidence_id: str) -> Evidence:
    """One evidence record of the user's organisation; another organisation's is a 404."""
    return get_by_uuid_or_404(evidence_for(user), evidence_id)


@dataclass(frozen=True)
class BundleProvenance:
    """What this instance knows of a bundle: its export record, and files whose fingerprint
    here differs from the bundle's manifest (a bundle rebuilt with a new manifest)."""

    export: AuditEntry | None
    differing: tuple[str, ...]  # evidence ids
    unknown: tuple[str, ...]  # evidence ids this instance does not hold


def bundle_provenance(manifest_sha256: str, manifest: dict[str, Any]) -> BundleProvenance:
    """Instance-wide, for the server's command line only: the audit entry of the export that
    wrote this manifest, and each file's fingerprint against the one taken on arrival."""
    export = (
        AuditEntry.objects.filter(
            action="evidence.bundle_export", details__manifest_sha256=manifest_sha256
        )
        .order_by("seq")
        .first()
    )
    claimed = {
        str(entry.get("evidence_id")): str(entry.get("sha256"))
        for entry in manifest.get("files", [])
        if isinstance(entry, dict)
    }
    ids = [i for i in claimed if _is_uuid(i)]
    held = dict(Evidence.objects.filter(pk__in=ids).values_list("pk", "sha256"))
    held = {str(pk): sha for pk, sha in held.items()}
    differing = tuple(i for i in claimed if i in held and held[i] != claimed[i])
    unknown = tuple(i for i in claimed if i not in held)
    return BundleProvenance(export, differing, unknown)


def _is_uuid(text: str) -> bool:
    try:
        uuid.UUID(text)
    except ValueError:
        return False
    return True
