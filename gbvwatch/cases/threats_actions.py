"""Threat sharing: indicators of chosen attacks out as a STIX 2.1 bundle, and the detection
output of the Mobile Verification Toolkit in as evidence plus indicators.

Both decrypt or compute blind indexes, so both need the organisation key of the session. Every
export and import is audited (who, which attacks, how many indicators, which TLP): never a value.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gbvwatch.cases.attacks_actions import attack_reveal, indicator_add
from gbvwatch.cases.attacks_index import IndicatorError, normalise
from gbvwatch.cases.casework_actions import is_shredded
from gbvwatch.cases.evidence_actions import evidence_attach, evidence_dir
from gbvwatch.cases.models import Attack, Evidence
from gbvwatch.cases.threats_mvt import MAX_BYTES, MvtFindings, MvtFormatError, mvt_findings_parse
from gbvwatch.cases.threats_stix import (
    TLP_MARKINGS,
    SharedAttack,
    SharedIndicator,
    stix_bundle_build,
)
from gbvwatch.core.actions import ActionError
from gbvwatch.core.audit import audit_append
from gbvwatch.core.models import User

__all__ = ["MvtFormatError", "attacks_stix_export", "attacks_stix_preview", "mvt_import"]


def _first_seen(attack: Attack) -> date:
    for day in (attack.started_on, attack.detected_on, attack.reported_on):
        if day is not None:
            return day
    return timezone.localdate(attack.created_at)


def attacks_stix_preview(
    *, actor: User, attacks: Iterable[Attack], private_key: bytes
) -> tuple[SharedAttack, ...]:
    """Exactly what a STIX export of these attacks would share (indicators decrypted, each
    attack's read audited); ActionError for another organisation's or a destroyed attack."""
    shared = []
    for attack in attacks:
        if attack.organisation_id != actor.membership.organisation_id:
            raise ActionError(_("This record belongs to another organisation."))
        if is_shredded(attack):
            raise ActionError(_("This record was destroyed; nothing can be shared from it."))
        secrets = attack_reveal(actor=actor, attack=attack, private_key=private_key)
        first = _first_seen(attack)
        shared.append(
            SharedAttack(
                attack_types=tuple(attack.attack_types),
                platform=attack.platform,
                first_seen=first,
                last_seen=attack.detected_on or first,
                indicators=tuple(
                    SharedIndicator(i.kind, normalise(i.kind, i.value)) for i in secrets.indicators
                ),
            )
        )
    return tuple(shared)


def attacks_stix_export(
    *, actor: User, attacks: list[Attack], tlp: str, private_key: bytes, now: datetime | None = None
) -> str:
    """The STIX 2.1 bundle (JSON text) of the attacks' indicators, marked `tlp`; the export is
    audited with the attacks' ids, the number of indicators and the marking."""
    if tlp not in TLP_MARKINGS:
        raise ActionError(_("Choose a TLP marking."))
    if not attacks:
        raise ActionError(_("Choose at least one attack."))
    shared = attacks_stix_preview(actor=actor, attacks=attacks, private_key=private_key)
    bundle = stix_bundle_build(shared, tlp=tlp, now=now or timezone.now())
    with transaction.atomic():
        audit_append(
            actor=actor,
            action="attacks.stix_export",
            organisation_id=actor.membership.organisation_id,
            details={
                "attacks": [str(attack.pk) for attack in attacks],
                "indicators": sum(len(a.indicators) for a in shared),
                "tlp": tlp,
                "objects": len(bundle.objects),
            },
        )
    return str(bundle.serialize(pretty=True))


@dataclass(frozen=True)
class MvtImported:
    """What an MVT import did: the evidence kept, the indicators added and what was not."""

    evidence: Evidence
    findings: MvtFindings
    added: tuple[tuple[str, str], ...]  # (kind, value) added to the attack
    already_present: int


def _check(kind: str, value: str) -> str:
    try:
        return normalise(kind, value)
    except IndicatorError as exc:
        raise ValueError(f"{value[:80]!r}: {exc}") from exc


def _read(upload: UploadedFile) -> bytes:
    if upload.size is not None and upload.size > MAX_BYTES:
        raise MvtFormatError(_("The file is larger than 20 MB; MVT detection files are smaller."))
    data = bytearray()
    for chunk in upload.chunks():
        data += chunk
        if len(data) > MAX_BYTES:
            raise MvtFormatError(
                _("The file is larger than 20 MB; MVT detection files are smaller.")
            )
    return bytes(data)


def mvt_import(
    *, actor: User, attack: Attack, upload: UploadedFile, description: str, private_key: bytes
) -> MvtImported:
    """Keep an MVT JSON file as evidence of the attack and add its matched indicators.

    All or nothing: the whole file is parsed and every value checked before anything is
    written; MvtFormatError names the record at fault. Values the attack already has are
    counted, not added twice."""
    if attack.organisation_id != actor.membership.organisation_id:
        raise ActionError(_("This record belongs to another organisation."))
    if is_shredded(attack):
        raise ActionError(_("This record was destroyed; nothing can be added to it."))
    findings = mvt_findings_parse(_read(upload), check=_check)
    present = {
        (i.kind, normalise(i.kind, i.value))
        for i in attack_reveal(actor=actor, attack=attack, private_key=private_key).indicators
    }
    new = [(i.kind, i.value) for i in findings.indicators if (i.kind, i.value) not in present]
    evidence: Evidence | None = None
    try:
        with transaction.atomic():
            evidence = evidence_attach(
                actor=actor, parent=attack, upload=upload, description=description, hash_only=False
            )
            for kind, value in new:
                indicator_add(
                    actor=actor, attack=attack, kind=kind, value=value, private_key=private_key
                )
            audit_append(
                actor=actor,
                action="attack.mvt_import",
                obj=attack,
                organisation_id=attack.organisation_id,
                details={
                    "evidence": str(evidence.pk),
                    "records": findings.records,
                    "detections": findings.detections,
                    "indicators_added": len(new),
                    "already_present": len(findings.indicators) - len(new),
                    "other_types": dict(findings.other_types),
                },
            )
    except BaseException:
        if evidence is not None:  # its row was rolled back; its file must go too
            for name in (evidence.stored_name, evidence.working_copy_name):
                if name:
                    (evidence_dir() / name).unlink(missing_ok=True)
        raise
    return MvtImported(evidence, findings, tuple(new), len(findings.indicators) - len(new))
