"""Evidence files: intake (hashed, encrypted, stored under a random name before the row commits),
reading back, and the chain of custody.

Every write and every read appends an audit entry (metadata only) and a custody entry. The
original bytes are never altered; an image also gets a working copy re-encoded without any
metadata (no EXIF or GPS, no XMP, no ICC profile or comments). A hash-only record keeps the
SHA-256 and an encrypted description, never the file."""

from __future__ import annotations

import hashlib
import io
import logging
import time
import uuid
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils.translation import gettext as _

from gbvwatch.cases.envelope import (
    FieldBinding,
    decrypt_text,
    encrypt_text,
    new_data_key,
    open_data_key,
    organisation_public_key,
)
from gbvwatch.cases.evidence_store import (
    EvidenceTooLarge,
    read_decrypted,
    store_encrypted,
)
from gbvwatch.cases.models import Attack, CustodyAction, CustodyEntry, Evidence, Incident
from gbvwatch.core.actions import ActionError
from gbvwatch.core.audit import audit_append
from gbvwatch.core.crypto import DecryptionError
from gbvwatch.core.models import User

logger = logging.getLogger(__name__)

MODEL_LABEL = "cases.evidence"
HEAD_BYTES = 512  # enough of the start of a file to recognise its type
IMAGE_TYPES = {"image/jpeg", "image/png", "image/webp"}
WORKING_COPY_MAX_PIXELS = 50_000_000  # larger images get no working copy (decompression bombs)
WORKING_COPY_MAX_BYTES = 50 * 1024 * 1024  # the original is decoded in memory
EXTENSIONS = {
    "image/jpeg": "jpg",
    "image/png": "png",
    "image/gif": "gif",
    "image/webp": "webp",
    "application/pdf": "pdf",
    "video/mp4": "mp4",
    "audio/mpeg": "mp3",
    "audio/ogg": "ogg",
    "audio/wav": "wav",
    "application/zip": "zip",
    "text/plain": "txt",
    "application/octet-stream": "bin",
}

__all__ = ["EvidenceTooLarge", "evidence_attach", "evidence_open", "evidence_reveal"]


def detect_content_type(head: bytes) -> str:
    """The type of a file from its first bytes (magic numbers); never from a name or a claim."""
    if head.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if head.startswith((b"GIF87a", b"GIF89a")):
        return "image/gif"
    if head.startswith(b"RIFF") and head[8:12] == b"WEBP":
        return "image/webp"
    if head.startswith(b"RIFF") and head[8:12] == b"WAVE":
        return "audio/wav"
    if head.startswith(b"%PDF-"):
        return "application/pdf"
    if head[4:8] == b"ftyp":
        return "video/mp4"
    if head.startswith(b"ID3") or _mp3_frame(head):
        return "audio/mpeg"
    if head.startswith(b"OggS"):
        return "audio/ogg"
    if head.startswith((b"PK\x03\x04", b"PK\x05\x06")):
        return "application/zip"
    if head and _looks_like_text(head):
        return "text/plain"
    return "application/octet-stream"


def _mp3_frame(head: bytes) -> bool:
    """An MPEG audio layer III frame header (so that a UTF-16 mark FF FE is not taken for one)."""
    if len(head) < 3 or head[0] != 0xFF or head[1] & 0xE6 != 0xE2:
        return False
    version, bitrate, rate = (head[1] >> 3) & 3, head[2] >> 4, (head[2] >> 2) & 3
    return version != 1 and bitrate not in {0, 15} and rate != 3


def _looks_like_text(head: bytes) -> bool:
    try:
        text = head.decode("utf-8")
    except UnicodeDecodeError as exc:
        # A multi-byte character cut at the end of the sample is still text.
        if exc.start < len(head) - 3:
            return False
        text = head[: exc.start].decode("utf-8")
    return all(c.isprintable() or c in "\t\n\r\f" for c in text)


def extension_for(content_type: str) -> str:
    """The file-name extension of a detected type (the uploaded name is never used)."""
    return EXTENSIONS.get(content_type, "bin")


def evidence_dir() -> Path:
    return Path(settings.MEDIA_ROOT) / "evidence"


def _binding(evidence: Evidence) -> FieldBinding:
    return FieldBinding(
        organisation_id=evidence.organisation_id,
        model=MODEL_LABEL,
        pk=str(evidence.pk),
        data_key_version=evidence.data_key_version,
    )


def _file_aad(evidence: Evidence, which: str) -> bytes:
    """Binds a stored file to its organisation, record, role and data-key version."""
    return (
        f"gbvwatch:evidence:{evidence.organisation_id}:{evidence.pk}:{which}:"
        f"{evidence.data_key_version}"
    ).encode()


class _Head:
    """Passes chunks through while keeping the first bytes (for type detection)."""

    def __init__(self, chunks: Iterable[bytes]) -> None:
        self._chunks = chunks
        self.head = b""

    def __iter__(self) -> Iterator[bytes]:
        for chunk in self._chunks:
            if len(self.head) < HEAD_BYTES:
                self.head += chunk[: HEAD_BYTES - len(self.head)]
            yield chunk


def _hash_only(chunks: Iterable[bytes], max_bytes: int) -> tuple[str, int]:
    digest, size = hashlib.sha256(), 0
    for chunk in chunks:
        size += len(chunk)
        if size > max_bytes:
            raise EvidenceTooLarge(max_bytes)
        digest.update(chunk)
    return digest.hexdigest(), size


def _clean_image(original: bytes, content_type: str) -> bytes | None:
    """The image re-encoded from its pixels alone, or None when it cannot be (no copy made)."""
    from PIL import Image, ImageOps

    try:
        with Image.open(io.BytesIO(original)) as img:
            if img.width * img.height > WORKING_COPY_MAX_PIXELS:
                return None
            img.load()
            upright = ImageOps.exif_transpose(img)
            has_alpha = upright.mode in {"RGBA", "LA", "PA"} or "transparency" in upright.info
            pixels = upright.convert("RGBA" if has_alpha else "RGB")
            # A new image built from the pixel bytes alone carries no info, EXIF, XMP or ICC.
            clean = Image.frombytes(pixels.mode, pixels.size, pixels.tobytes())
        out = io.BytesIO()
        if content_type == "image/jpeg" and not has_alpha:
            clean.save(out, format="JPEG", quality=92)
        else:
            clean.save(out, format="PNG")
        return out.getvalue()
    except Exception:  # a damaged image still keeps its original, just no working copy
        logger.info("no working copy could be made of an evidence image")
        return None


def _working_copy(evidence: Evidence, data_key: bytes) -> str:
    """Make and store the working copy of an image from its stored original; its name or ""."""
    if evidence.content_type not in IMAGE_TYPES or evidence.size > WORKING_COPY_MAX_BYTES:
        return ""
    path = evidence_dir() / evidence.stored_name
    original = b"".join(
        read_decrypted(path, key=data_key, associated_data=_file_aad(evidence, "original"))
    )
    clean = _clean_image(original, evidence.content_type)
    if clean is None:
        return ""
    return store_encrypted(
        [clean],
        directory=evidence_dir(),
        key=data_key,
        associated_data=_file_aad(evidence, "working"),
        max_bytes=len(clean),
    ).name


def _delete_files(*names: str) -> None:
    for name in names:
        if name:
            (evidence_dir() / name).unlink(missing_ok=True)


def _custody(actor: User, evidence: Evidence, action: str, **details: Any) -> None:
    CustodyEntry(
        evidence=evidence,
        actor_id=actor.pk,
        actor_label=actor.get_username(),
        action=action,
        details=details,
    ).save(force_insert=True)


def evidence_attach(
    *,
    actor: User,
    parent: Incident | Attack,
    upload: UploadedFile,
    description: str,
    hash_only: bool,
) -> Evidence:
    """Hash and keep a file (or only its hash) as evidence of an incident or an attack.

    The file is encrypted and durable under a random name before the row that points to it
    commits; when the transaction fails, the file is deleted. EvidenceTooLarge when the upload
    goes over the limit while streaming (nothing is kept)."""
    organisation_id = parent.organisation_id
    if actor.membership.organisation_id != organisation_id:
        raise ActionError(_("This record belongs to another organisation."))
    if not bytes(parent.data_key_sealed):
        raise ActionError(_("This record was destroyed; nothing can be added to it."))
    public_key = organisation_public_key(organisation_id)
    evidence = Evidence(
        id=uuid.uuid4(),
        organisation_id=organisation_id,
        hash_only=hash_only,
        created_by=actor,
    )
    if isinstance(parent, Incident):
        evidence.incident = parent
    else:
        evidence.attack = parent
    data_key, evidence.data_key_sealed = new_data_key(public_key)
    max_bytes = settings.EVIDENCE_MAX_BYTES
    stream = _Head(upload.chunks())
    if hash_only:
        evidence.sha256, evidence.size = _hash_only(stream, max_bytes)
        evidence.content_type = detect_content_type(stream.head)
    else:
        stored = store_encrypted(
            stream,
            directory=evidence_dir(),
            key=data_key,
            associated_data=_file_aad(evidence, "original"),
            max_bytes=max_bytes,
        )
        evidence.stored_name, evidence.sha256, evidence.size = (
            stored.name,
            stored.sha256,
            stored.size,
        )
        evidence.content_type = detect_content_type(stream.head)
    try:
        if not hash_only:
            evidence.working_copy_name = _working_copy(evidence, data_key)
        binding = _binding(evidence)
        evidence.original_name_enc = encrypt_text(
            data_key, binding, "original_name", str(upload.name or "")
        )
        evidence.description_enc = encrypt_text(data_key, binding, "description", description)
        with transaction.atomic():
            evidence.save(force_insert=True)
            _custody(actor, evidence, CustodyAction.ADDED, hash_only=hash_only)
            audit_append(
                actor=actor,
                action="evidence.add",
                obj=evidence,
                organisation_id=organisation_id,
                details={
                    "parent": f"{parent._meta.label_lower}:{parent.pk}",
                    "sha256": evidence.sha256,
                    "size": evidence.size,
                    "content_type": evidence.content_type,
                    "hash_only": hash_only,
                    "working_copy": bool(evidence.working_copy_name),
                },
            )
    except BaseException:
        _delete_files(evidence.stored_name, evidence.working_copy_name)
        raise
    return evidence


@dataclass(frozen=True)
class EvidenceSecrets:
    """The encrypted fields of an evidence record, in clear, only ever in memory."""

    original_name: str
    description: str


def evidence_reveal(*, actor: User, evidence: Evidence, private_key: bytes) -> EvidenceSecrets:
    """Decrypt the uploaded name and the description; the view is audited and in custody."""
    data_key = open_data_key(private_key, bytes(evidence.data_key_sealed))
    binding = _binding(evidence)
    values = {
        name: decrypt_text(data_key, binding, name, bytes(getattr(evidence, f"{name}_enc")))
        for name in ("original_name", "description")
    }
    with transaction.atomic():
        _custody(actor, evidence, CustodyAction.VIEWED)
        audit_append(
            actor=actor,
            action="evidence.read",
            obj=evidence,
            organisation_id=evidence.organisation_id,
        )
    return EvidenceSecrets(**values)


class EvidenceUnavailable(Exception):
    """There is no file to open (hash-only, no working copy, or the file is gone)."""


def evidence_open(
    *, actor: User, evidence: Evidence, private_key: bytes, working_copy: bool = False
) -> Iterator[bytes]:
    """The plaintext of the original (or of the working copy), chunk by chunk.

    The whole file is authenticated first (and the original checked against its SHA-256), so a
    modified file fails closed with DecryptionError before anything is sent; the attempt is
    audited. EvidenceUnavailable when there is no such file."""
    name = evidence.working_copy_name if working_copy else evidence.stored_name
    if not name:
        raise EvidenceUnavailable
    path = evidence_dir() / name
    if not path.is_file():
        raise EvidenceUnavailable
    data_key = open_data_key(private_key, bytes(evidence.data_key_sealed))
    aad = _file_aad(evidence, "working" if working_copy else "original")
    try:
        digest = hashlib.sha256()
        for chunk in read_decrypted(path, key=data_key, associated_data=aad):
            digest.update(chunk)
        if not working_copy and digest.hexdigest() != evidence.sha256:
            raise DecryptionError("the evidence file does not match its recorded SHA-256")
    except DecryptionError:
        with transaction.atomic():
            audit_append(
                actor=actor,
                action="evidence.integrity_failure",
                obj=evidence,
                organisation_id=evidence.organisation_id,
                details={"working_copy": working_copy},
            )
        raise
    action = CustodyAction.WORKING_COPY_DOWNLOADED if working_copy else CustodyAction.DOWNLOADED
    with transaction.atomic():
        _custody(actor, evidence, action)
        audit_append(
            actor=actor,
            action=f"evidence.{action}",
            obj=evidence,
            organisation_id=evidence.organisation_id,
        )
    return read_decrypted(path, key=data_key, associated_data=aad)


@dataclass(frozen=True)
class CollectedFiles:
    """What a clean-up of the evidence directory found and removed."""

    kept: int
    removed: int
    removed_bytes: int


def evidence_files_collect(*, min_age_seconds: float, dry_run: bool = False) -> CollectedFiles:
    """Delete files of the evidence directory that no evidence record points to.

    Such files are left by a crash between writing a file and committing its row, by an
    interrupted upload (`.partial`) or by a destruction whose process died before deleting.
    Only files older than `min_age_seconds` go, so an upload in progress is never touched."""
    directory = evidence_dir()
    if not directory.is_dir():
        return CollectedFiles(0, 0, 0)
    known = set(Evidence.objects.values_list("stored_name", flat=True))
    known |= set(Evidence.objects.values_list("working_copy_name", flat=True))
    cutoff = time.time() - min_age_seconds
    kept = removed = removed_bytes = 0
    for path in directory.iterdir():
        if not path.is_file() or path.name in known or path.stat().st_mtime > cutoff:
            kept += path.is_file()
            continue
        removed += 1
        removed_bytes += path.stat().st_size
        if not dry_run:
            path.unlink(missing_ok=True)
    if removed and not dry_run:
        with transaction.atomic():
            audit_append(
                actor="system",
                action="evidence.collect_orphans",
                details={"removed": removed, "bytes": removed_bytes},
            )
    return CollectedFiles(kept, removed, removed_bytes)
