"""Key generation and wrapping as SECURITY.md decides. Framework-free; raises on any failure.

Values carry a one-byte version prefix so the algorithm can change later:
  v1 = XChaCha20-Poly1305 (24-byte random nonce) with caller-supplied associated data.
"""

from __future__ import annotations

import base64
import hashlib
import secrets
from dataclasses import dataclass

from nacl import bindings, pwhash
from nacl.exceptions import CryptoError
from nacl.public import PrivateKey, PublicKey, SealedBox

VERSION_1 = b"\x01"
KEY_BYTES = 32
SALT_BYTES = pwhash.argon2id.SALTBYTES
_NONCE_BYTES = bindings.crypto_aead_xchacha20poly1305_ietf_NPUBBYTES


class DecryptionError(Exception):
    """Ciphertext could not be opened: wrong key, wrong row binding or tampering."""


@dataclass(frozen=True)
class KdfParams:
    """Argon2id cost: operations and memory in KiB."""

    opslimit: int
    memlimit_kib: int


@dataclass(frozen=True)
class OrganisationKeyMaterial:
    """A fresh organisation key pair and the recovery key that wraps its private half."""

    public_key: bytes
    private_key: bytes
    recovery_key: str
    recovery_wrapped_private_key: bytes
    recovery_key_fingerprint: str


def new_salt() -> bytes:
    """A random Argon2id salt."""
    return secrets.token_bytes(SALT_BYTES)


def derive_key(password: str, salt: bytes, params: KdfParams) -> bytes:
    """Derive a 32-byte key-encryption key from a password with Argon2id (slow by design)."""
    return bytes(
        pwhash.argon2id.kdf(
            KEY_BYTES,
            password.encode("utf-8"),
            salt,
            opslimit=params.opslimit,
            memlimit=params.memlimit_kib * 1024,
        )
    )


def seal(key: bytes, plaintext: bytes, associated_data: bytes) -> bytes:
    """Encrypt and authenticate `plaintext`, binding it to `associated_data`."""
    nonce = secrets.token_bytes(_NONCE_BYTES)
    body = bindings.crypto_aead_xchacha20poly1305_ietf_encrypt(
        plaintext, associated_data, nonce, key
    )
    return VERSION_1 + nonce + body


def unseal(key: bytes, blob: bytes, associated_data: bytes) -> bytes:
    """Open a value made by `seal`; raise DecryptionError on any mismatch."""
    if len(blob) < 1 + _NONCE_BYTES + 16 or blob[:1] != VERSION_1:
        raise DecryptionError("unknown ciphertext format")
    nonce, body = blob[1 : 1 + _NONCE_BYTES], blob[1 + _NONCE_BYTES :]
    try:
        return bytes(
            bindings.crypto_aead_xchacha20poly1305_ietf_decrypt(body, associated_data, nonce, key)
        )
    except CryptoError as exc:
        raise DecryptionError("ciphertext could not be authenticated") from exc


def format_recovery_key(raw: bytes) -> str:
    """Render 32 random bytes as groups of base32 letters a person can copy by hand."""
    text = base64.b32encode(raw).decode("ascii").rstrip("=")
    return "-".join(text[i : i + 4] for i in range(0, len(text), 4))


def parse_recovery_key(text: str) -> bytes:
    """Inverse of format_recovery_key, tolerant of spaces, dashes and case."""
    cleaned = "".join(ch for ch in text.upper() if ch.isalnum())
    padded = cleaned + "=" * (-len(cleaned) % 8)
    try:
        raw = base64.b32decode(padded)
    except ValueError as exc:
        raise DecryptionError("recovery key is not valid base32") from exc
    if len(raw) != KEY_BYTES:
        raise DecryptionError("recovery key has the wrong length")
    return raw


def organisation_aad(organisation_id: int, purpose: str) -> bytes:
    """Associated data binding a wrapped key to one organisation and one purpose."""
    return f"gbvwatch:org:{organisation_id}:{purpose}".encode()


def new_organisation_key(organisation_id: int) -> OrganisationKeyMaterial:
    """Create an X25519 key pair and wrap its private half with a new recovery key."""
    private = PrivateKey.generate()
    recovery_raw = secrets.token_bytes(KEY_BYTES)
    wrapped = seal(recovery_raw, bytes(private), organisation_aad(organisation_id, "recovery"))
    return OrganisationKeyMaterial(
        public_key=bytes(private.public_key),
        private_key=bytes(private),
        recovery_key=format_recovery_key(recovery_raw),
        recovery_wrapped_private_key=wrapped,
        recovery_key_fingerprint=hashlib.sha256(recovery_raw).hexdigest()[:16],
    )


def new_key_pair() -> tuple[bytes, bytes]:
    """A fresh X25519 key pair: (public, private)."""
    private = PrivateKey.generate()
    return bytes(private.public_key), bytes(private)


def public_key_of(private_key: bytes) -> bytes:
    """The X25519 public key belonging to a private key."""
    return bytes(PrivateKey(private_key).public_key)


def unwrap_with_recovery_key(organisation_id: int, wrapped: bytes, recovery_key: str) -> bytes:
    """Recover the organisation private key from its recovery-key wrap."""
    raw = parse_recovery_key(recovery_key)
    return unseal(raw, wrapped, organisation_aad(organisation_id, "recovery"))


def seal_to_public_key(public_key: bytes, plaintext: bytes) -> bytes:
    """Anonymous sealed box: anyone can encrypt to the organisation without unlocking anything."""
    return VERSION_1 + bytes(SealedBox(PublicKey(public_key)).encrypt(plaintext))


def open_sealed(private_key: bytes, blob: bytes) -> bytes:
    """Open a value made by seal_to_public_key."""
    if blob[:1] != VERSION_1:
        raise DecryptionError("unknown sealed-box format")
    try:
        return bytes(SealedBox(PrivateKey(private_key)).decrypt(blob[1:]))
    except CryptoError as exc:
        raise DecryptionError("sealed box could not be opened") from exc
