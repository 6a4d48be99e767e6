"""Receiving an evidence upload without ever writing it to disk in clear.

Django keeps a large upload in a plaintext temporary file until the view runs. For evidence,
this handler replaces that: each piece is encrypted as it arrives (secretstream, with a key that
lives only in memory for this request) into an anonymous temporary file in the evidence
directory, which the system removes as soon as it is closed, even after a crash. Past the size
limit it stops keeping anything and only counts, so the form can say the file is too large."""

from __future__ import annotations

import secrets
import tempfile
from collections.abc import Iterator
from typing import Any, BinaryIO, cast

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.core.files.uploadhandler import FileUploadHandler, StopFutureHandlers

from gbvwatch.cases.evidence_store import EncryptingWriter, read_decrypted_from

_AAD = b"gbvwatch:evidence-upload"


class EncryptedUpload(UploadedFile):
    """An uploaded file held encrypted under a one-request key; `chunks()` gives it back."""

    def __init__(self, name: str, content_type: str, charset: str | None, directory: Any) -> None:
        directory.mkdir(parents=True, exist_ok=True, mode=0o700)
        self._key = secrets.token_bytes(32)
        encrypted = cast(BinaryIO, tempfile.TemporaryFile(dir=directory))  # noqa: SIM115
        self._encrypted = encrypted  # closed (and so removed) with the request
        super().__init__(encrypted, name, content_type, 0, charset)
        self._writer: EncryptingWriter | None = EncryptingWriter(
            encrypted, key=self._key, associated_data=_AAD
        )
        self.too_big = False

    def receive(self, data: bytes, max_bytes: int) -> None:
        self.size = (self.size or 0) + len(data)
        if self.size > max_bytes and not self.too_big:
            self.too_big = True  # keep counting, keep nothing
            self._writer = None
            self._encrypted.seek(0)
            self._encrypted.truncate()
        if self._writer is not None:
            self._writer.write(data)

    def finish(self) -> None:
        if self._writer is not None:
            self._writer.finish()

    def chunks(self, chunk_size: int | None = None) -> Iterator[bytes]:
        if self.too_big:
            raise ValueError("the upload was over the size limit and was not kept")
        self._encrypted.seek(0)
        yield from read_decrypted_from(self._encrypted, key=self._key, associated_data=_AAD)

    def multiple_chunks(self, chunk_size: int | None = None) -> bool:
        return True

    def read(self, *args: Any, **kwargs: Any) -> bytes:
        raise OSError("read evidence uploads with chunks()")


class EncryptedUploadHandler(FileUploadHandler):
    """Upload handler of the evidence views: every file arrives as an EncryptedUpload."""

    def new_file(self, *args: Any, **kwargs: Any) -> None:
        super().new_file(*args, **kwargs)
        from gbvwatch.cases.evidence_actions import evidence_dir

        self.upload = EncryptedUpload(
            self.file_name or "", self.content_type or "", self.charset, evidence_dir()
        )
        raise StopFutureHandlers

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes | None:
        self.upload.receive(raw_data, settings.EVIDENCE_MAX_BYTES)
        return None

    def file_complete(self, file_size: int) -> UploadedFile | None:
        self.upload.finish()
        return self.upload

    def upload_interrupted(self) -> None:
        upload = getattr(self, "upload", None)
        if upload is not None:
            upload.close()
