"""Streamed evidence encryption: hashed at intake, durable, tamper- and truncation-evident."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import pytest

from gbvwatch.cases.evidence_store import (
    CHUNK_BYTES,
    EvidenceTooLarge,
    read_decrypted,
    store_encrypted,
)
from gbvwatch.core.crypto import DecryptionError

KEY = bytes(range(32))
AAD = b"gbvwatch:evidence:1:abc"


def _store(tmp_path: Path, data: bytes, max_bytes: int = 10**8):
    pieces = [data[i : i + 1000] for i in range(0, len(data), 1000)] or [b""]
    return store_encrypted(
        pieces, directory=tmp_path, key=KEY, associated_data=AAD, max_bytes=max_bytes
    )


@pytest.mark.parametrize("size", [0, 1, CHUNK_BYTES - 1, CHUNK_BYTES, 3 * CHUNK_BYTES + 17])
def test_round_trip_and_hash_of_the_original(tmp_path: Path, size: int):
    data = os.urandom(size)
    stored = _store(tmp_path, data)
    assert stored.sha256 == hashlib.sha256(data).hexdigest() and stored.size == size
    assert b"".join(read_decrypted(tmp_path / stored.name, key=KEY, associated_data=AAD)) == data
    assert [p.name for p in tmp_path.iterdir()] == [stored.name]  # no temporary file left


def test_the_file_on_disk_holds_no_plaintext(tmp_path: Path):
    data = b"CANARY-EVIDENCE-2b7 " * 5000
    stored = _store(tmp_path, data)
    assert b"CANARY-EVIDENCE" not in (tmp_path / stored.name).read_bytes()


def test_tampering_truncation_and_wrong_binding_are_detected(tmp_path: Path):
    stored = _store(tmp_path, os.urandom(2 * CHUNK_BYTES + 5))
    path = tmp_path / stored.name
    raw = path.read_bytes()
    cases = {
        "flipped": raw[:100] + bytes([raw[100] ^ 1]) + raw[101:],
        "truncated": raw[: len(raw) - 30],
        "final chunk dropped": raw[: len(raw) - (4 + 17)],
        "appended": raw + b"x",
    }
    for damaged in cases.values():
        path.write_bytes(damaged)
        with pytest.raises(DecryptionError):
            b"".join(read_decrypted(path, key=KEY, associated_data=AAD))
    path.write_bytes(raw)
    with pytest.raises(DecryptionError):
        b"".join(read_decrypted(path, key=KEY, associated_data=b"another record"))


def test_too_large_upload_leaves_nothing_behind(tmp_path: Path):
    with pytest.raises(EvidenceTooLarge):
        _store(tmp_path, os.urandom(5000), max_bytes=4000)
    assert list(tmp_path.iterdir()) == []
