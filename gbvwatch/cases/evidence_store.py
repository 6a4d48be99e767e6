"""Evidence files encrypted whole and streamed, as SECURITY.md decides.

A file is read in chunks, hashed (SHA-256 of the original, computed at intake) and encrypted
with libsodium's secretstream (XChaCha20-Poly1305, one authenticated chunk at a time, the last
one marked final so truncation is detected) under the record's data key. The ciphertext is
written to a temporary name, fsynced, then renamed to a random name and the directory fsynced,
before the database row that points to it commits: a crash never leaves a half-written file
under a name the database knows. The original bytes are never altered."""

from __future__ import annotations

import hashlib
import os
import secrets
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

from nacl import bindings

from gbvwatch.core.crypto import DecryptionError

CHUNK_BYTES = 64 * 1024
MAGIC = b"GBVWEV1\n"
_TAG_MESSAGE = bindings.crypto_secretstream_xchacha20poly1305_TAG_MESSAGE
_TAG_FINAL = bindings.crypto_secretstream_xchacha20poly1305_TAG_FINAL
_HEADER = bindings.crypto_secretstream_xchacha20poly1305_HEADERBYTES
_ABYTES = bindings.crypto_secretstream_xchacha20poly1305_ABYTES


class EvidenceTooLarge(ValueError):
    """The upload is over the size limit; nothing was kept."""


@dataclass(frozen=True)
class StoredFile:
    """Where the ciphertext is, and what the original was."""

    name: str  # random, under the evidence directory
    sha256: str  # of the original bytes
    size: int  # of the original, in bytes


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def store_encrypted(
    chunks: Iterable[bytes], *, directory: Path, key: bytes, associated_data: bytes, max_bytes: int
) -> StoredFile:
    """Hash and encrypt a stream of chunks into a new random file; durable before it returns."""
    directory.mkdir(parents=True, exist_ok=True, mode=0o700)
    name = secrets.token_hex(16)
    temporary = directory / f".{name}.partial"
    digest, size = hashlib.sha256(), 0
    state = bindings.crypto_secretstream_xchacha20poly1305_state()
    header = bindings.crypto_secretstream_xchacha20poly1305_init_push(state, key)
    try:
        with open(temporary, "xb") as out:
            out.write(MAGIC + header)
            for chunk in _rechunk(chunks):
                size += len(chunk)
                if size > max_bytes:
                    raise EvidenceTooLarge(max_bytes)
                digest.update(chunk)
                _write_block(out, state, chunk, associated_data, _TAG_MESSAGE)
            _write_block(out, state, b"", associated_data, _TAG_FINAL)
            out.flush()
            os.fsync(out.fileno())
        os.replace(temporary, directory / name)
        _fsync_dir(directory)
    finally:
        temporary.unlink(missing_ok=True)
    return StoredFile(name=name, sha256=digest.hexdigest(), size=size)


def _write_block(out: BinaryIO, state: Any, chunk: bytes, aad: bytes, tag: int) -> None:
    """One encrypted chunk, preceded by its length (4 bytes, big-endian)."""
    block = bindings.crypto_secretstream_xchacha20poly1305_push(state, chunk, aad, tag)
    out.write(len(block).to_bytes(4, "big") + block)


def _rechunk(chunks: Iterable[bytes]) -> Iterator[bytes]:
    """Chunks of exactly CHUNK_BYTES (the last may be shorter), whatever the input gives."""
    buffer = bytearray()
    for chunk in chunks:
        buffer.extend(chunk)
        while len(buffer) >= CHUNK_BYTES:
            yield bytes(buffer[:CHUNK_BYTES])
            del buffer[:CHUNK_BYTES]
    if buffer:
        yield bytes(buffer)


class EncryptingWriter:
    """Push-style counterpart of `store_encrypted`, for bytes that arrive piece by piece (an
    upload being received): same format, readable with `read_decrypted_from`."""

    def __init__(self, out: BinaryIO, *, key: bytes, associated_data: bytes) -> None:
        self._out, self._aad = out, associated_data
        self._state = bindings.crypto_secretstream_xchacha20poly1305_state()
        header = bindings.crypto_secretstream_xchacha20poly1305_init_push(self._state, key)
        self._buffer = bytearray()
        out.write(MAGIC + header)

    def write(self, data: bytes) -> None:
        self._buffer.extend(data)
        while len(self._buffer) >= CHUNK_BYTES:
            block = bytes(self._buffer[:CHUNK_BYTES])
            del self._buffer[:CHUNK_BYTES]
            _write_block(self._out, self._state, block, self._aad, _TAG_MESSAGE)

    def finish(self) -> None:
        if self._buffer:
            _write_block(self._out, self._state, bytes(self._buffer), self._aad, _TAG_MESSAGE)
            self._buffer.clear()
        _write_block(self._out, self._state, b"", self._aad, _TAG_FINAL)
        self._out.flush()


def read_decrypted(path: Path, *, key: bytes, associated_data: bytes) -> Iterator[bytes]:
    """The original bytes, chunk by chunk; DecryptionError on tampering or truncation."""
    with open(path, "rb") as source:
        yield from read_decrypted_from(source, key=key, associated_data=associated_data)


def read_decrypted_from(source: BinaryIO, *, key: bytes, associated_data: bytes) -> Iterator[bytes]:
    """Like `read_decrypted`, from an open file positioned at its start."""
    if source.read(len(MAGIC)) != MAGIC:
        raise DecryptionError("not a gbvwatch evidence file")
    state = bindings.crypto_secretstream_xchacha20poly1305_state()
    try:
        bindings.crypto_secretstream_xchacha20poly1305_init_pull(state, source.read(_HEADER), key)
    except Exception as exc:
        raise DecryptionError("evidence header could not be read") from exc
    while True:
        length = int.from_bytes(source.read(4) or b"\0", "big")
        block = source.read(length) if 0 < length <= CHUNK_BYTES + _ABYTES else b""
        if not block or len(block) != length:
            raise DecryptionError("evidence file is truncated or damaged")
        try:
            plain, tag = bindings.crypto_secretstream_xchacha20poly1305_pull(
                state, block, associated_data
            )
        except Exception as exc:
            raise DecryptionError("evidence chunk could not be authenticated") from exc
        if plain:
            yield plain
        if tag == _TAG_FINAL:
            if source.read(1):
                raise DecryptionError("data after the end of the evidence file")
            return
