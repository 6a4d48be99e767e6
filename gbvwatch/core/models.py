"""Organisations, members, their keys, login throttling and the audit log."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    COORDINATOR = "coordinator", _("Coordinator")
    CASEWORKER = "caseworker", _("Caseworker")
    ANALYST = "analyst", _("Analyst")
    VIEWER = "viewer", _("Viewer")


class Organisation(models.Model):
    """A coalition member organisation; every sensitive record belongs to exactly one."""

    name = models.CharField(_("name"), max_length=200, unique=True)
    slug = models.SlugField(max_length=60, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class User(AbstractUser):
    """A person with an account. Operators are superusers without a membership."""

    must_change_password = models.BooleanField(default=False)
    # Argon2id salt for the member's key-encryption key (derived from the password).
    kdf_salt = models.BinaryField(max_length=16, default=b"")
    kdf_opslimit = models.PositiveIntegerField(default=0)
    kdf_memlimit_kib = models.PositiveIntegerField(default=0)
    # TOTP secret, encrypted under the password-derived key; empty until enrolled.
    totp_secret_encrypted = models.BinaryField(default=b"")
    totp_last_step = models.BigIntegerField(default=0)
    # The member's own X25519 key pair (private half wrapped by her password-derived key), so
    # that a rotated organisation key can be sealed to her without knowing her password.
    member_public_key = models.BinaryField(default=b"")
    member_private_wrapped = models.BinaryField(default=b"")

    @property
    def has_totp(self) -> bool:
        return bool(self.totp_secret_encrypted)


class Membership(models.Model):
    """A user's place in one organisation, with a role."""

    user = models.OneToOneField(User, on_delete=models.CASCADE, related_name="membership")
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="memberships"
    )
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    is_active = models.BooleanField(default=True)
    invited_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    deactivated_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["organisation", "user__username"]

    def __str__(self) -> str:
        return f"{self.user.username} ({self.role})"


class OrganisationKey(models.Model):
    """The organisation's X25519 key pair: public half in clear, private half only wrapped."""

    organisation = models.OneToOneField(Organisation, on_delete=models.PROTECT, related_name="key")
    version = models.PositiveIntegerField(default=1)
    public_key = models.BinaryField(max_length=32)
    # Private key wrapped by the recovery key (shown once at set-up, never stored).
    recovery_wrapped_private_key = models.BinaryField()
    recovery_key_fingerprint = models.CharField(max_length=64)
    created_at = models.DateTimeField(auto_now_add=True)


class MemberKeyWrap(models.Model):
    """The organisation private key wrapped for one member by her password-derived key."""

    membership = models.OneToOneField(Membership, on_delete=models.CASCADE, related_name="key_wrap")
    key_version = models.PositiveIntegerField()
    wrapped_private_key = models.BinaryField()
    # After a rotation: the new organisation key sealed to the member's public key, until her
    # next login turns it into `wrapped_private_key`.
    sealed_for_member = models.BinaryField(default=b"")
    updated_at = models.DateTimeField(auto_now=True)


class MemberSession(models.Model):
    """A live login of a person, so she can list her sessions and end any of them."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="login_sessions")
    session_key = models.CharField(max_length=40, unique=True)
    created_at = models.DateTimeField()
    ip_address = models.GenericIPAddressField(null=True)
    user_agent = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["-created_at"]


class LoginFailure(models.Model):
    """One failed login, kept briefly to slow guessing (cool-off, never lockout)."""

    username = models.CharField(max_length=150, db_index=True)
    ip_address = models.GenericIPAddressField(null=True, db_index=True)
    at = models.DateTimeField(db_index=True)


class AuditEntry(models.Model):
    """One link of the append-only, hash-chained audit log. Metadata only, never plaintext."""

    seq = models.PositiveBigIntegerField(unique=True)
    at = models.DateTimeField()
    actor_id = models.BigIntegerField(null=True)
    actor_label = models.CharField(max_length=150)
    organisation_id = models.BigIntegerField(null=True)
    action = models.CharField(max_length=80)
    object_type = models.CharField(max_length=80, blank=True)
    object_id = models.CharField(max_length=80, blank=True)
    details = models.JSONField(default=dict)
    prev_hash = models.CharField(max_length=64)
    entry_hash = models.CharField(max_length=64, unique=True)

    class Meta:
        ordering = ["seq"]
        # A record's history (case pages) is read by its object.
        indexes = [models.Index(fields=["object_type", "object_id"])]

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise RuntimeError("audit entries are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise RuntimeError("audit entries are append-only")


class AuditHead(models.Model):
    """The latest sequence number and hash, so truncating the log is detected."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    seq = models.PositiveBigIntegerField()
    entry_hash = models.CharField(max_length=64)
