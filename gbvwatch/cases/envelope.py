"""Field-by-field encryption of a record, as SECURITY.md decides.

Each record has its own random data key, sealed to the organisation's public key (anyone
allowed to write can encrypt without unlocking anything). Each sensitive field is encrypted
with that data key (XChaCha20-Poly1305) and bound by its associated data to the organisation,
the model, the record's primary key, the field and the data-key version, so a ciphertext moved
to another row or field does not open. Rotating the organisation key only re-seals data keys.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from gbvwatch.core import crypto


@dataclass(frozen=True)
class FieldBinding:
    """Where a ciphertext belongs; any mismatch makes decryption fail."""

    organisation_id: int
    model: str
    pk: str
    data_key_version: int

    def aad(self, field: str) -> bytes:
        """Associated data of one field."""
        return (
            f"gbvwatch:field:{self.organisation_id}:{self.model}:{self.pk}:{field}:"
            f"{self.data_key_version}"
        ).encode()


def new_data_key(organisation_public_key: bytes) -> tuple[bytes, bytes]:
    """A random data key and its copy sealed to the organisation (store only the latter)."""
    data_key = secrets.token_bytes(crypto.KEY_BYTES)
    return data_key, crypto.seal_to_public_key(organisation_public_key, data_key)


def open_data_key(organisation_private_key: bytes, sealed: bytes) -> bytes:
    """The record's data key; DecryptionError when the key is wrong or shredded."""
    if not sealed:
        raise crypto.DecryptionError("the data key was destroyed")
    return crypto.open_sealed(organisation_private_key, sealed)


def encrypt_text(data_key: bytes, binding: FieldBinding, field: str, value: str) -> bytes:
    """One sensitive field's ciphertext (empty text still gets a ciphertext)."""
    return crypto.seal(data_key, value.encode("utf-8"), binding.aad(field))


def decrypt_text(data_key: bytes, binding: FieldBinding, field: str, blob: bytes) -> str:
    """One sensitive field's plaintext; DecryptionError on any mismatch, never the raw bytes."""
    return crypto.unseal(data_key, blob, binding.aad(field)).decode("utf-8")


def reseal_data_key(old_private_key: bytes, new_public_key: bytes, sealed: bytes) -> bytes:
    """Re-seal a data key to a new organisation key (rotation); fields stay as they are."""
    return crypto.seal_to_public_key(new_public_key, open_data_key(old_private_key, sealed))
