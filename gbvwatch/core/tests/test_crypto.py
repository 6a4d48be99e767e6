"""Key wrapping: row binding, tampering and recovery keys fail closed."""

from __future__ import annotations

import pytest

from gbvwatch.core import crypto

PARAMS = crypto.KdfParams(opslimit=1, memlimit_kib=8192)


def test_sealed_value_opens_only_with_the_same_key_and_binding():
    key = crypto.derive_key("a long passphrase", crypto.new_salt(), PARAMS)
    blob = crypto.seal(key, b"secret", b"org:1:member:2")
    assert crypto.unseal(key, blob, b"org:1:member:2") == b"secret"
    with pytest.raises(crypto.DecryptionError):
        crypto.unseal(key, blob, b"org:1:member:3")  # moved to another row
    with pytest.raises(crypto.DecryptionError):
        crypto.unseal(bytes(32), blob, b"org:1:member:2")  # wrong key
    tampered = blob[:-1] + bytes([blob[-1] ^ 1])
    with pytest.raises(crypto.DecryptionError):
        crypto.unseal(key, tampered, b"org:1:member:2")


def test_values_carry_a_version_prefix():
    blob = crypto.seal(bytes(32), b"x", b"")
    assert blob[:1] == crypto.VERSION_1
    with pytest.raises(crypto.DecryptionError):
        crypto.unseal(bytes(32), b"\x02" + blob[1:], b"")


def test_password_derivation_depends_on_salt_and_password():
    salt = crypto.new_salt()
    a = crypto.derive_key("password one!", salt, PARAMS)
    assert a == crypto.derive_key("password one!", salt, PARAMS)
    assert a != crypto.derive_key("password two!", salt, PARAMS)
    assert a != crypto.derive_key("password one!", crypto.new_salt(), PARAMS)


def test_recovery_key_unwraps_the_organisation_key():
    material = crypto.new_organisation_key(7)
    recovered = crypto.unwrap_with_recovery_key(
        7, material.recovery_wrapped_private_key, material.recovery_key.lower().replace("-", " ")
    )
    assert recovered == material.private_key
    with pytest.raises(crypto.DecryptionError):
        crypto.unwrap_with_recovery_key(
            8, material.recovery_wrapped_private_key, material.recovery_key
        )


def test_anyone_can_encrypt_to_the_organisation_but_only_the_private_key_opens():
    material = crypto.new_organisation_key(1)
    blob = crypto.seal_to_public_key(material.public_key, b"report")
    assert crypto.open_sealed(material.private_key, blob) == b"report"
    other = crypto.new_organisation_key(2)
    with pytest.raises(crypto.DecryptionError):
        crypto.open_sealed(other.private_key, blob)


def test_malformed_recovery_key_is_rejected():
    with pytest.raises(crypto.DecryptionError):
        crypto.parse_recovery_key("not-a-key")
