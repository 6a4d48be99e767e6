"""Writes about organisations, members, accounts and keys. Each runs in a transaction and
appends an audit entry; views, API and CLI call these and nothing else to write."""

from __future__ import annotations

import secrets
import time
from dataclasses import dataclass
from datetime import timedelta

import pyotp
from django.conf import settings
from django.contrib.auth import password_validation
from django.contrib.sessions.models import Session
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from gbvwatch.core import crypto, rotation
from gbvwatch.core.audit import audit_append
from gbvwatch.core.models import (
    LoginFailure,
    MemberKeyWrap,
    MemberSession,
    Membership,
    Organisation,
    OrganisationKey,
    Role,
    User,
)

TOTP_STEP_SECONDS = 30


class ActionError(Exception):
    """A write refused for a reason the person can fix; the message is shown to them."""


@dataclass(frozen=True)
class Invitation:
    """A newly invited member and the one-time password to hand over (shown once)."""

    membership: Membership
    one_time_password: str


@dataclass(frozen=True)
class SetupResult:
    """What finishing account set-up produced; `recovery_key` only when the org key was made."""

    user: User
    recovery_key: str | None
    private_key: bytes | None = None


@dataclass(frozen=True)
class LoginOutcome:
    """Whether the second factor held, and the organisation key it unlocked (if she has one)."""

    ok: bool
    private_key: bytes | None = None


def _kdf_params() -> crypto.KdfParams:
    return crypto.KdfParams(settings.ARGON2_OPSLIMIT, settings.ARGON2_MEMLIMIT_KIB)


def _user_kdf_params(user: User) -> crypto.KdfParams:
    return crypto.KdfParams(user.kdf_opslimit, user.kdf_memlimit_kib)


def _member_key(user: User, password: str) -> bytes:
    """The member's key-encryption key, derived from her password (Argon2id)."""
    return crypto.derive_key(password, bytes(user.kdf_salt), _user_kdf_params(user))


def _wrap_aad(membership: Membership) -> bytes:
    return crypto.organisation_aad(membership.organisation_id, f"member:{membership.user_id}")


def _totp_aad(user: User) -> bytes:
    return f"gbvwatch:user:{user.pk}:totp".encode()


def _member_pair_aad(user: User) -> bytes:
    return f"gbvwatch:user:{user.pk}:member-key".encode()


def _give_member_key_pair(user: User, kek: bytes) -> None:
    """A fresh personal key pair for the member; the private half wrapped by her key."""
    public, private = crypto.new_key_pair()
    user.member_public_key = public
    user.member_private_wrapped = crypto.seal(kek, private, _member_pair_aad(user))


def _rewrap_member_key_pair(user: User, old_kek: bytes, new_kek: bytes) -> None:
    if user.member_private_wrapped:
        private = crypto.unseal(old_kek, bytes(user.member_private_wrapped), _member_pair_aad(user))
        user.member_private_wrapped = crypto.seal(new_kek, private, _member_pair_aad(user))


def _set_password_and_salt(user: User, password: str) -> bytes:
    """Set a new password and salt; return the new key-encryption key."""
    user.set_password(password)
    params = _kdf_params()
    user.kdf_salt = crypto.new_salt()
    user.kdf_opslimit, user.kdf_memlimit_kib = params.opslimit, params.memlimit_kib
    return crypto.derive_key(password, bytes(user.kdf_salt), params)


def _validate_new_password(user: User, password: str) -> None:
    try:
        password_validation.validate_password(password, user)
    except ValidationError as exc:
        raise ActionError(" ".join(exc.messages)) from exc


def one_time_password() -> str:
    """A random 20-character password for a first login (must be changed at once)."""
    alphabet = "abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"
    return "".join(secrets.choice(alphabet) for _ in range(20))


def organisation_create(*, actor: User | str, name: str) -> Organisation:
    """Create an organisation; its keys are made at its first coordinator's set-up."""
    name = name.strip()
    if not name:
        raise ActionError(_("The organisation needs a name."))
    if Organisation.objects.filter(name__iexact=name).exists():
        raise ActionError(_("An organisation with this name already exists."))
    with transaction.atomic():
        base = slugify(name)[:50] or "org"
        slug, n = base, 1
        while Organisation.objects.filter(slug=slug).exists():
            n += 1
            slug = f"{base}-{n}"
        org = Organisation.objects.create(name=name, slug=slug)
        audit_append(actor=actor, action="organisation.create", obj=org, organisation_id=org.pk)
    return org


def _create_member(
    *, actor: User | str, organisation: Organisation, username: str, role: str
) -> tuple[Membership, str]:
    username = username.strip()
    if not username:
        raise ActionError(_("The username is required."))
    if role not in Role.values:
        raise ActionError(_("Unknown role."))
    if User.objects.filter(username__iexact=username).exists():
        raise ActionError(_("This username is taken."))
    password = one_time_password()
    user = User(username=username, must_change_password=True)
    _set_password_and_salt(user, password)
    user.save()
    invited_by = actor if isinstance(actor, User) else None
    membership = Membership.objects.create(
        user=user, organisation=organisation, role=role, invited_by=invited_by
    )
    return membership, password


def member_invite(*, actor: User, username: str, role: str, actor_password: str) -> Invitation:
    """Invite a member to the actor's organisation; wrap the org key for her one-time password."""
    actor_membership = actor.membership
    org = actor_membership.organisation
    org_private_key: bytes | None = None
    if hasattr(org, "key"):
        org_private_key = member_private_key(user=actor, password=actor_password)
    elif not actor.check_password(actor_password):
        raise ActionError(_("Your password is not correct."))
    with transaction.atomic():
        membership, password = _create_member(
            actor=actor, organisation=org, username=username, role=role
        )
        if org_private_key is not None:
            kek = _member_key(membership.user, password)
            MemberKeyWrap.objects.create(
                membership=membership,
                key_version=org.key.version,
                wrapped_private_key=crypto.seal(kek, org_private_key, _wrap_aad(membership)),
            )
        audit_append(
            actor=actor,
            action="member.invite",
            obj=membership,
            organisation_id=org.pk,
            details={"role": role, "username": membership.user.username},
        )
    return Invitation(membership, password)


def coordinator_create(
    *, actor: User | str, organisation: Organisation, username: str
) -> Invitation:
    """Create a coordinator with a one-time password (operator bootstrap; no key to wrap yet)."""
    with transaction.atomic():
        membership, password = _create_member(
            actor=actor, organisation=organisation, username=username, role=Role.COORDINATOR
        )
        audit_append(
            actor=actor,
            action="member.create_coordinator",
            obj=membership,
            organisation_id=organisation.pk,
            details={"username": username},
        )
    return Invitation(membership, password)


def member_private_key(*, user: User, password: str) -> bytes:
    """Unwrap the organisation private key with the member's password; ActionError if impossible."""
    if not user.check_password(password):
        raise ActionError(_("Your password is not correct."))
    wrap = MemberKeyWrap.objects.filter(membership__user=user).first()
    if wrap is None:
        raise ActionError(_("No organisation key is wrapped for you; ask a coordinator."))
    try:
        return crypto.unseal(
            _member_key(user, password), bytes(wrap.wrapped_private_key), _wrap_aad(user.membership)
        )
    except crypto.DecryptionError as exc:
        raise ActionError(_("Your copy of the organisation key could not be opened.")) from exc


def totp_new_secret() -> str:
    """A fresh base32 TOTP secret for enrolment."""
    return pyotp.random_base32()


def _totp_matching_step(secret: str, code: str, *, after_step: int) -> int | None:
    code = "".join(ch for ch in code if ch.isdigit())
    if len(code) != 6:
        return None
    totp = pyotp.TOTP(secret)
    now_step = int(time.time()) // TOTP_STEP_SECONDS
    for step in (now_step - 1, now_step, now_step + 1):
        if step > after_step and secrets.compare_digest(totp.at(step * TOTP_STEP_SECONDS), code):
            return step
    return None


def account_setup_complete(
    *, user: User, current_password: str, new_password: str, totp_secret: str, totp_code: str
) -> SetupResult:
    """First login: set a real password, enrol TOTP, and create the org key pair if none exists."""
    if not user.check_password(current_password):
        raise ActionError(_("The one-time password is not correct."))
    _validate_new_password(user, new_password)
    step = _totp_matching_step(totp_secret, totp_code, after_step=0)
    if step is None:
        raise ActionError(_("The code from the authenticator app is not correct."))
    membership = Membership.objects.filter(user=user, is_active=True).first()
    old_kek = _member_key(user, current_password)
    recovery_key: str | None = None
    with transaction.atomic():
        new_kek = _set_password_and_salt(user, new_password)
        _give_member_key_pair(user, new_kek)
        user.must_change_password = False
        user.totp_secret_encrypted = crypto.seal(new_kek, totp_secret.encode(), _totp_aad(user))
        user.totp_last_step = step
        user.save()
        if membership is not None:
            recovery_key = _setup_member_key(membership, old_kek, new_kek)
        audit_append(
            actor=user,
            action="account.setup",
            obj=user,
            organisation_id=membership.organisation_id if membership else None,
            details={"organisation_key_created": recovery_key is not None},
        )
    return SetupResult(user, recovery_key, _unwrap_member_copy(user, new_kek))


def _setup_member_key(membership: Membership, old_kek: bytes, new_kek: bytes) -> str | None:
    """Rewrap the member's copy of the org key; make the key pair for a first coordinator."""
    org = Organisation.objects.select_for_update().get(pk=membership.organisation_id)
    wrap = MemberKeyWrap.objects.filter(membership=membership).first()
    if wrap is not None:
        private = crypto.unseal(old_kek, bytes(wrap.wrapped_private_key), _wrap_aad(membership))
        wrap.wrapped_private_key = crypto.seal(new_kek, private, _wrap_aad(membership))
        wrap.save()
        return None
    if OrganisationKey.objects.filter(organisation=org).exists():
        return None  # invited before the key existed: a coordinator must re-share it
    if membership.role != Role.COORDINATOR:
        return None
    material = crypto.new_organisation_key(org.pk)
    OrganisationKey.objects.create(
        organisation=org,
        public_key=material.public_key,
        recovery_wrapped_private_key=material.recovery_wrapped_private_key,
        recovery_key_fingerprint=material.recovery_key_fingerprint,
    )
    MemberKeyWrap.objects.create(
        membership=membership,
        key_version=1,
        wrapped_private_key=crypto.seal(new_kek, material.private_key, _wrap_aad(membership)),
    )
    audit_append(
        actor=membership.user,
        action="organisation.key_create",
        obj=org,
        organisation_id=org.pk,
        details={"recovery_key_fingerprint": material.recovery_key_fingerprint},
    )
    return material.recovery_key


def organisation_key_recover(*, actor: User, recovery_key: str, password: str) -> bytes:
    """Restore a coordinator's copy of the organisation key from the recovery key."""
    if not actor.check_password(password):
        raise ActionError(_("Your password is not correct."))
    membership = actor.membership
    key = OrganisationKey.objects.filter(organisation_id=membership.organisation_id).first()
    if key is None:
        raise ActionError(_("Your organisation has no key yet."))
    try:
        private = crypto.unwrap_with_recovery_key(
            membership.organisation_id, bytes(key.recovery_wrapped_private_key), recovery_key
        )
    except crypto.DecryptionError as exc:
        raise ActionError(_("This recovery key does not open your organisation's key.")) from exc
    if crypto.public_key_of(private) != bytes(key.public_key):
        raise ActionError(_("This recovery key does not open your organisation's key."))
    with transaction.atomic():
        MemberKeyWrap.objects.update_or_create(
            membership=membership,
            defaults={
                "key_version": key.version,
                "wrapped_private_key": crypto.seal(
                    _member_key(actor, password), private, _wrap_aad(membership)
                ),
            },
        )
        audit_append(
            actor=actor,
            action="organisation.key_recover",
            obj=membership.organisation,
            organisation_id=membership.organisation_id,
        )
    return private


def organisation_key_rotate(*, actor: User, password: str) -> rotation.Rotation:
    """Rotate the organisation key with the coordinator's password (see core.rotation)."""
    rotate = rotation.organisation_key_rotate
    old_private = member_private_key(user=actor, password=password)
    return rotate(actor=actor, old_private_key=old_private, member_kek=_member_key(actor, password))


def password_change(*, user: User, current_password: str, new_password: str) -> None:
    """Change a password; rewrap the org key and the TOTP secret under the new derived key."""
    if not user.check_password(current_password):
        raise ActionError(_("The current password is not correct."))
    _validate_new_password(user, new_password)
    old_kek = _member_key(user, current_password)
    with transaction.atomic():
        totp_plain = (
            crypto.unseal(old_kek, bytes(user.totp_secret_encrypted), _totp_aad(user))
            if user.has_totp
            else b""
        )
        new_kek = _set_password_and_salt(user, new_password)
        _rewrap_member_key_pair(user, old_kek, new_kek)
        if totp_plain:
            user.totp_secret_encrypted = crypto.seal(new_kek, totp_plain, _totp_aad(user))
        user.save()
        wrap = MemberKeyWrap.objects.filter(membership__user=user).first()
        if wrap is not None:
            membership = wrap.membership
            private = crypto.unseal(old_kek, bytes(wrap.wrapped_private_key), _wrap_aad(membership))
            wrap.wrapped_private_key = crypto.seal(new_kek, private, _wrap_aad(membership))
            wrap.save()
        audit_append(actor=user, action="account.password_change", obj=user)


def login_verify(*, user: User, password: str, totp_code: str) -> LoginOutcome:
    """Check the second factor after the password; consume the code's time step (no replay);
    unwrap the member's copy of the organisation key with the same derived key."""
    if not user.has_totp:
        return LoginOutcome(user.must_change_password)  # only a first login may skip the code
    kek = _member_key(user, password)
    try:
        secret = crypto.unseal(kek, bytes(user.totp_secret_encrypted), _totp_aad(user)).decode()
    except crypto.DecryptionError:
        return LoginOutcome(False)
    step = _totp_matching_step(secret, totp_code, after_step=user.totp_last_step)
    if step is None:
        return LoginOutcome(False)
    with transaction.atomic():
        User.objects.filter(pk=user.pk).update(totp_last_step=step)
        audit_append(actor=user, action="account.login", obj=user)
    return LoginOutcome(True, _unwrap_member_copy(user, kek))


def _unwrap_member_copy(user: User, kek: bytes) -> bytes | None:
    """The organisation private key from the member's wrap, or None if she has none.

    After a rotation her copy is sealed to her personal key: it is opened here and wrapped
    again by her password-derived key, so the next login is ordinary."""
    wrap = MemberKeyWrap.objects.filter(membership__user=user, membership__is_active=True).first()
    if wrap is None:
        return None
    try:
        if wrap.sealed_for_member:
            return _pick_up_rotated_key(user, kek, wrap)
        return crypto.unseal(kek, bytes(wrap.wrapped_private_key), _wrap_aad(wrap.membership))
    except crypto.DecryptionError:
        return None


def _pick_up_rotated_key(user: User, kek: bytes, wrap: MemberKeyWrap) -> bytes:
    personal = crypto.unseal(kek, bytes(user.member_private_wrapped), _member_pair_aad(user))
    private = crypto.open_sealed(personal, bytes(wrap.sealed_for_member))
    with transaction.atomic():
        wrap.wrapped_private_key = crypto.seal(kek, private, _wrap_aad(wrap.membership))
        wrap.sealed_for_member = b""
        wrap.key_version = OrganisationKey.objects.get(
            organisation_id=wrap.membership.organisation_id
        ).version
        wrap.save()
        audit_append(
            actor=user,
            action="member.key_pick_up",
            obj=wrap.membership,
            organisation_id=wrap.membership.organisation_id,
            details={"version": wrap.key_version},
        )
    return private


def login_failure_record(*, username: str, ip_address: str | None) -> None:
    """Remember a failed login for the cool-off; no audit entry (it would leak guesses)."""
    LoginFailure.objects.create(
        username=username.lower()[:150], ip_address=ip_address, at=timezone.now()
    )


def login_failures_clear(*, username: str) -> None:
    """Forget failures for a username after a successful login."""
    LoginFailure.objects.filter(username=username.lower()[:150]).delete()


def login_cooloff_remaining(*, username: str, ip_address: str | None) -> int:
    """Seconds until another attempt is allowed for this username or address (0 = now)."""
    window = timedelta(seconds=settings.LOGIN_COOLOFF_SECONDS)
    since = timezone.now() - window
    LoginFailure.objects.filter(at__lt=since - window).delete()
    limit = settings.LOGIN_FAILURES_BEFORE_COOLOFF
    worst = 0
    for filt in ({"username": username.lower()[:150]}, {"ip_address": ip_address}):
        if filt.get("ip_address", "") is None:
            continue
        recent = LoginFailure.objects.filter(at__gte=since, **filt).order_by("-at")
        if recent.count() >= limit:
            last = recent.first()
            assert last is not None
            worst = max(worst, int((last.at + window - timezone.now()).total_seconds()) + 1)
    return worst


def member_set_role(*, actor: User, membership: Membership, role: str) -> Membership:
    """Change a member's role within the actor's organisation."""
    if role not in Role.values:
        raise ActionError(_("Unknown role."))
    if membership.user_id == actor.pk and role != Role.COORDINATOR:
        raise ActionError(_("You cannot remove your own coordinator role."))
    with transaction.atomic():
        old = membership.role
        membership.role = role
        membership.save(update_fields=["role"])
        audit_append(
            actor=actor,
            action="member.set_role",
            obj=membership,
            organisation_id=membership.organisation_id,
            details={"from": old, "to": role},
        )
    return membership


def member_deactivate(*, actor: User, membership: Membership) -> Membership:
    """Deactivate a member: no login, her copy of the org key destroyed, her sessions ended."""
    if membership.user_id == actor.pk:
        raise ActionError(_("You cannot deactivate yourself."))
    with transaction.atomic():
        membership.is_active = False
        membership.deactivated_at = timezone.now()
        membership.save(update_fields=["is_active", "deactivated_at"])
        MemberKeyWrap.objects.filter(membership=membership).delete()
        User.objects.filter(pk=membership.user_id).update(is_active=False)
        sessions_end_for_user(user_id=membership.user_id)
        audit_append(
            actor=actor,
            action="member.deactivate",
            obj=membership,
            organisation_id=membership.organisation_id,
        )
    return membership


def session_record(
    *, user: User, session_key: str, ip_address: str | None, user_agent: str
) -> MemberSession:
    """Remember a new login so that its owner can list and end it."""
    with transaction.atomic():
        record = MemberSession.objects.create(
            user=user,
            session_key=session_key,
            created_at=timezone.now(),
            ip_address=ip_address,
            user_agent=user_agent[:200],
        )
        audit_append(actor=user, action="session.start", obj=record)
    return record


def session_end(*, actor: User, record: MemberSession) -> None:
    """End one login of the actor: its server-side session (and key material) is deleted."""
    with transaction.atomic():
        Session.objects.filter(session_key=record.session_key).delete()
        audit_append(actor=actor, action="session.end", obj=record)
        record.delete()


def session_lock_record(*, actor: User, session_key: str) -> None:
    """Record a "lock now"; the session's record goes with the session."""
    with transaction.atomic():
        audit_append(actor=actor, action="session.lock", obj=actor)
        MemberSession.objects.filter(user=actor, session_key=session_key).delete()


def sessions_end_for_user(*, user_id: int) -> int:
    """Delete every server-side session of a user; returns how many were ended."""
    keys = list(MemberSession.objects.filter(user_id=user_id).values_list("session_key", flat=True))
    ended, _detail = Session.objects.filter(session_key__in=keys).delete()
    MemberSession.objects.filter(user_id=user_id).delete()
    return ended
