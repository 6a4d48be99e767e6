"""Evidence bundles for lawyers: chosen evidence files of one case, decrypted, in a zip with a
manifest of SHA-256 fingerprints, the custody log, a plain-language README and a verification
script that needs only Python (see evidence_bundle_format, which writes and checks the zip).

The zip is produced as a stream and never stored on the server. Before the first byte, every
chosen file is decrypted, authenticated and checked against the fingerprint taken at intake;
a file that fails stops the export with an error naming it. The export is then recorded in
each file's custody log ("exported", with the SHA-256 of the manifest) and in the audit log."""

from __future__ import annotations

import hashlib
import json
import zlib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gbvwatch.cases import evidence_bundle_format as fmt
from gbvwatch.cases.casework_actions import Case, is_shredded
from gbvwatch.cases.envelope import decrypt_text, open_data_key
from gbvwatch.cases.evidence_actions import (
    _binding,
    _custody,
    _file_aad,
    evidence_dir,
    extension_for,
)
from gbvwatch.cases.evidence_store import read_decrypted
from gbvwatch.cases.models import CustodyAction, Evidence, Incident
from gbvwatch.core.actions import ActionError
from gbvwatch.core.audit import audit_append
from gbvwatch.core.crypto import DecryptionError
from gbvwatch.core.models import User


@dataclass(frozen=True)
class _Member:
    evidence: Evidence
    path: str  # inside the zip; "" for a fingerprint-only record
    crc: int
    data_key: bytes


@dataclass(frozen=True)
class EvidenceBundle:
    """A bundle ready to stream: its file name, the fingerprint of its manifest, its chunks."""

    filename: str
    manifest_sha256: str
    files: int
    chunks: Iterator[bytes]


def _checked(actor: User, evidence: Evidence, private_key: bytes) -> _Member:
    """Decrypt and authenticate the whole original, check its SHA-256; its CRC-32 for the zip."""
    data_key = open_data_key(private_key, bytes(evidence.data_key_sealed))
    if evidence.hash_only:
        return _Member(evidence, "", 0, data_key)
    path = evidence_dir() / evidence.stored_name
    if not evidence.stored_name or not path.is_file():
        raise ActionError(
            _("The file of evidence %(id)s is missing.") % {"id": str(evidence.pk)[:8]}
        )
    digest, crc = hashlib.sha256(), 0
    try:
        for chunk in read_decrypted(
            path, key=data_key, associated_data=_file_aad(evidence, "original")
        ):
            digest.update(chunk)
            crc = zlib.crc32(chunk, crc)
        if digest.hexdigest() != evidence.sha256:
            raise DecryptionError("the evidence file does not match its recorded SHA-256")
    except DecryptionError as exc:
        with transaction.atomic():
            audit_append(
                actor=actor,
                action="evidence.integrity_failure",
                obj=evidence,
                organisation_id=evidence.organisation_id,
                details={"during": "bundle"},
            )
        raise ActionError(
            _("Evidence %(id)s does not match the fingerprint taken when it arrived: nothing was "
              "exported. Tell a coordinator.") % {"id": str(evidence.pk)[:8]}
        ) from exc  # fmt: skip
    name = f"{fmt.FILES_DIR}{evidence.pk}.{extension_for(evidence.content_type)}"
    return _Member(evidence, name, crc, data_key)


def _text(evidence: Evidence, data_key: bytes, field: str) -> str:
    encrypted = bytes(getattr(evidence, f"{field}_enc"))
    return decrypt_text(data_key, _binding(evidence), field, encrypted) if encrypted else ""


def _custody_log(evidence: Evidence) -> list[dict[str, Any]]:
    return [
        {"at": entry.at.isoformat(), "by": entry.actor_label, "action": entry.action,
         "details": entry.details}
        for entry in evidence.custody.all()
    ]  # fmt: skip


def _case_summary(case: Case) -> dict[str, Any]:
    if isinstance(case, Incident):
        return {"kind": "incident", "id": str(case.pk), "type": case.type,
                "date": case.incident_date.isoformat() if case.incident_date else None}  # fmt: skip
    return {"kind": "attack", "id": str(case.pk), "attack_types": list(case.attack_types),
            "platform": case.platform,
            "date": case.started_on.isoformat() if case.started_on else None}  # fmt: skip


def _manifest(
    actor: User, case: Case, members: Sequence[_Member], created: datetime
) -> dict[str, Any]:
    files = [
        {
            "path": m.path,
            "evidence_id": str(m.evidence.pk),
            "sha256": m.evidence.sha256,
            "size": m.evidence.size,
            "content_type": m.evidence.content_type,
            "fingerprint_only": m.evidence.hash_only,
            "original_name": _text(m.evidence, m.data_key, "original_name"),
            "description": _text(m.evidence, m.data_key, "description"),
            "added_at": m.evidence.created_at.isoformat(),
            "custody": _custody_log(m.evidence),
        }
        for m in members
    ]
    return {
        "format": fmt.FORMAT,
        "created_at": created.isoformat(),
        "created_by": actor.get_username(),
        "organisation": actor.membership.organisation.name,
        "case": _case_summary(case),
        "hash_algorithm": "SHA-256",
        "files": files,
    }


def _custody_text(manifest: dict[str, Any]) -> str:
    lines = [_("Chain of custody of each file, oldest first (times in UTC)."), ""]
    labels = dict(CustodyAction.choices)
    for entry in manifest["files"]:
        lines.append(f"{entry['path'] or _('(fingerprint only)')}  SHA-256 {entry['sha256']}")
        for step in entry["custody"]:
            lines.append(
                f"  {step['at']}  {step['by']}  {labels.get(step['action'], step['action'])}"
            )
        lines.append("")
    return "\n".join(lines)


def _readme(manifest: dict[str, Any], files: int) -> str:
    values = {"count": files, "created": manifest["created_at"], "by": manifest["created_by"],
              "organisation": manifest["organisation"]}  # fmt: skip
    paragraphs = [
        _(
            "Evidence bundle from %(organisation)s, made on %(created)s (UTC) by %(by)s. It "
            "holds %(count)s file(s) in the folder “files”, exactly as they were received."
        )
        % values,
        _(
            "manifest.json lists every file with its SHA-256 fingerprint, which was computed when "
            "the file first arrived, its size, its description and its chain of custody (who "
            "added, viewed, downloaded or exported it, and when). custody.txt is the same log in "
            "plain text. manifest.sha256 holds the fingerprints in the format of the sha256sum "
            "command."
        ),
        _(
            "To check that nothing was changed since the export, run with Python 3 (nothing else "
            "is needed):  python3 verify.py THIS-FILE.zip  It answers VERIFIED, or lists what "
            "differs. Any change to any byte of this zip makes the check fail. Without Python, "
            "unpack the zip and run:  sha256sum -c manifest.sha256"
        ),
        _(
            "The check shows that the files match this manifest. To be sure that the manifest is "
            "the one the organisation exported, ask it to confirm the SHA-256 of manifest.json "
            "that verify.py prints: it is recorded in its audit log and in each file's custody "
            "log."
        ),
        _(
            "These files are not encrypted. They may show a survivor or an activist: keep them "
            "only where they are needed and delete copies you no longer need."
        ),
    ]
    return "\n\n".join(paragraphs) + "\n"


def _stream(
    members: Sequence[_Member], fixed: list[tuple[str, bytes]], stamp: tuple[int, int]
) -> Iterator[bytes]:
    """The zip, piece by piece as it is written (files decrypted again while streaming; a file
    changed since the check makes the writer stop, so the download is visibly broken)."""
    buffer: list[bytes] = []
    writer = fmt.BundleWriter(buffer.append, stamp)
    for name, data in fixed:
        writer.add_bytes(name, data)
    for m in members:
        if not m.path:
            continue
        writer.begin(m.path, m.evidence.size, m.crc)
        path = evidence_dir() / m.evidence.stored_name
        aad = _file_aad(m.evidence, "original")
        for chunk in read_decrypted(path, key=m.data_key, associated_data=aad):
            writer.write(chunk)
            yield b"".join(buffer)
            buffer.clear()
        writer.end()
    writer.close()
    yield b"".join(buffer)


def _record(actor: User, case: Case, members: Sequence[_Member], manifest_sha256: str) -> None:
    with transaction.atomic():
        for m in members:
            _custody(
                actor, m.evidence, CustodyAction.EXPORTED, bundle_manifest_sha256=manifest_sha256
            )
        audit_append(
            actor=actor,
            action="evidence.bundle_export",
            obj=case,
            organisation_id=case.organisation_id,
            details={
                "evidence": [str(m.evidence.pk) for m in members],
                "manifest_sha256": manifest_sha256,
            },
        )


def evidence_bundle_export(
    *, actor: User, case: Case, evidence: Sequence[Evidence], private_key: bytes
) -> EvidenceBundle:
    """Check the chosen evidence of one case and return its bundle as a stream of bytes.

    ActionError (nothing exported, nothing recorded) for evidence of another case or
    organisation, destroyed evidence, or a file that fails its check. The custody and audit
    entries are written before the first byte is returned."""
    if case.organisation_id != actor.membership.organisation_id:
        raise ActionError(_("This record belongs to another organisation."))
    if not evidence:
        raise ActionError(_("Choose at least one piece of evidence."))
    own = {e.pk for e in case.evidence.all()}
    for item in evidence:
        if item.pk not in own:
            raise ActionError(_("This evidence belongs to another case."))
        if is_shredded(item):
            raise ActionError(
                _("Evidence %(id)s was destroyed; it cannot be exported.")
                % {"id": str(item.pk)[:8]}
            )
    # Headers, manifest and script take far less than 64 MiB; the zip format here stops at 4 GiB.
    if sum(e.size for e in evidence if not e.hash_only) > fmt.MAX_OFFSET - 64 * 1024 * 1024:
        raise ActionError(_("These files are too large for one bundle: choose fewer."))
    members = [_checked(actor, item, private_key) for item in evidence]
    created = timezone.now().replace(microsecond=0)
    manifest = _manifest(actor, case, members, created)
    manifest_bytes = (json.dumps(manifest, indent=2, ensure_ascii=False) + "\n").encode()
    manifest_sha256 = hashlib.sha256(manifest_bytes).hexdigest()
    included = sum(1 for m in members if m.path)
    fixed = [
        (fmt.README, _readme(manifest, included).encode()),
        (fmt.MANIFEST, manifest_bytes),
        (fmt.CHECKSUMS, fmt.checksums_text(manifest).encode()),
        (fmt.CUSTODY, _custody_text(manifest).encode()),
        (fmt.VERIFIER, Path(fmt.__file__).read_bytes()),
    ]
    _record(actor, case, members, manifest_sha256)
    filename = f"evidence-{str(case.pk)[:8]}-{created:%Y%m%d-%H%M%S}.zip"
    stamp = fmt.dos_stamp(created)
    return EvidenceBundle(filename, manifest_sha256, included, _stream(members, fixed, stamp))
