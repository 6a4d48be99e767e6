"""Field-by-field encryption of a record, as SECURITY.md decides.

Each record has its own random data key, sealed to the organisation's public key (anyone
allowed to write can encrypt without unlocking anything). Each sensitive field is encrypted
with that data key (XChaCha20-Poly1305) and bound by its associated data to the organisation,
the model, the record's primary key, the field and the data-key version, so a ciphertext moved
to another row or field does not open. Rotating the organisation key only re-seals data keys.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

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


def organisation_public_key(organisation_id: int) -> bytes:
    """The organisation's public key; ActionError when set-up has not made one yet."""
    from django.utils.translation import gettext as _

    from gbvwatch.core.actions import ActionError
    from gbvwatch.core.models import OrganisationKey

    key = OrganisationKey.objects.filter(organisation_id=organisation_id).first()
    if key is None:
        raise ActionError(
            _("Your organisation has no encryption key yet: a coordinator must finish set-up.")
        )
    return bytes(key.public_key)


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


def binding_of(record: Any, model: str) -> FieldBinding:
    """The binding of a record that has organisation_id, pk and data_key_version."""
    return FieldBinding(
        organisation_id=record.organisation_id,
        model=model,
        pk=str(record.pk),
        data_key_version=record.data_key_version,
    )


def seal_fields(
    record: Any, data_key: bytes, binding: FieldBinding, values: Mapping[str, str]
) -> None:
    """Encrypt each value into the record's `<name>_enc` field."""
    for name, value in values.items():
        setattr(record, f"{name}_enc", encrypt_text(data_key, binding, name, value))


def open_fields(
    record: Any, data_key: bytes, binding: FieldBinding, names: Iterable[str]
) -> dict[str, str]:
    """Decrypt the record's `<name>_enc` fields; DecryptionError on any mismatch."""
    return {
        name: decrypt_text(data_key, binding, name, bytes(getattr(record, f"{name}_enc")))
        for name in names
    }


# Envelope fields that change without anything coded changing.
NOT_CODED = frozenset({"data_key_sealed", "updated_at"})


def coded_changes(before: Mapping[str, Any], record: Any) -> list[str]:
    """Names of the clear (coded) fields that differ from `before`, for the audit log."""
    return sorted(
        k
        for k, v in before.items()
        if k not in NOT_CODED and not k.endswith("_enc") and getattr(record, k) != v
    )
