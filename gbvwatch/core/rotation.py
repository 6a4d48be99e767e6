"""Rotation of an organisation's key pair, for example after a device was seized.

Every record's data key is re-sealed to the new public key; the new private key is wrapped for
the coordinator who rotates, and sealed to every other active member's personal public key
(she picks it up at her next login). Nothing derived from the old key leads to the new one, so
whoever holds the old key learns nothing of records written afterwards. A new recovery key is
shown once; the old one stops working."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Model

from gbvwatch.core import crypto
from gbvwatch.core.audit import audit_append
from gbvwatch.core.models import MemberKeyWrap, OrganisationKey, User

# (model, field): rows with `organisation` and a key sealed to it in `field`; apps register.
SEALED_MODELS: list[tuple[type[Model], str]] = []


def register_sealed_model(model: type[Model], field: str = "data_key_sealed") -> None:
    """Let rotation re-seal the keys this model seals to the organisation (from ready())."""
    if (model, field) not in SEALED_MODELS:
        SEALED_MODELS.append((model, field))


@dataclass(frozen=True)
class Rotation:
    """What a rotation did."""

    version: int
    records: int
    members_to_pick_up: int
    invitations_dropped: int
    recovery_key: str


def _reseal_all(
    organisation_id: int, old: bytes, new_public: bytes, progress: Callable[[int], None] | None
) -> int:
    count = 0
    for model, field in SEALED_MODELS:
        manager = model._default_manager
        rows = manager.filter(organisation_id=organisation_id).exclude(**{field: b""})
        for pk, sealed in rows.values_list("pk", field).iterator(chunk_size=1000):
            data_key = crypto.open_sealed(old, bytes(sealed))
            manager.filter(pk=pk).update(**{field: crypto.seal_to_public_key(new_public, data_key)})
            count += 1
            if progress is not None and count % 1000 == 0:
                progress(count)
    return count


def _rewrap_members(
    actor: User, key: OrganisationKey, new_private: bytes, kek: bytes
) -> tuple[int, int]:
    """(members to pick the key up at their next login, invitations whose copy was dropped)."""
    pick_up = dropped = 0
    wraps = MemberKeyWrap.objects.filter(
        membership__organisation_id=key.organisation_id, membership__is_active=True
    ).select_related("membership__user")
    for wrap in wraps:
        user = wrap.membership.user
        aad = crypto.organisation_aad(key.organisation_id, f"member:{user.pk}")
        if user.pk == actor.pk:
            wrap.wrapped_private_key = crypto.seal(kek, new_private, aad)
            wrap.sealed_for_member, wrap.key_version = b"", key.version
            wrap.save()
        elif user.member_public_key:
            wrap.wrapped_private_key = b""  # the old key is not kept anywhere
            wrap.sealed_for_member = crypto.seal_to_public_key(
                bytes(user.member_public_key), new_private
            )
            wrap.save()
            pick_up += 1
        else:  # invited, not set up: her copy is under a one-time password we do not have
            wrap.delete()
            dropped += 1
    return pick_up, dropped


def organisation_key_rotate(
    *,
    actor: User,
    old_private_key: bytes,
    member_kek: bytes,
    progress: Callable[[int], None] | None = None,
) -> Rotation:
    """Replace the organisation key pair and re-seal every data key, in one transaction."""
    org_id = actor.membership.organisation_id
    with transaction.atomic():
        key = OrganisationKey.objects.select_for_update().get(organisation_id=org_id)
        if crypto.public_key_of(old_private_key) != bytes(key.public_key):
            raise crypto.DecryptionError("this is not the current organisation key")
        material = crypto.new_organisation_key(org_id)
        records = _reseal_all(org_id, old_private_key, material.public_key, progress)
        key.version += 1
        key.public_key = material.public_key
        key.recovery_wrapped_private_key = material.recovery_wrapped_private_key
        key.recovery_key_fingerprint = material.recovery_key_fingerprint
        key.save()
        pick_up, dropped = _rewrap_members(actor, key, material.private_key, member_kek)
        audit_append(
            actor=actor,
            action="organisation.key_rotate",
            obj=actor.membership.organisation,
            organisation_id=org_id,
            details={"version": key.version, "records_resealed": records,
                     "members_to_pick_up": pick_up, "invitations_dropped": dropped},
        )  # fmt: skip
    return Rotation(key.version, records, pick_up, dropped, material.recovery_key)
