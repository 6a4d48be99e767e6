"""Coalition statistics: each organisation's consent to share, and frozen, approved releases."""

from __future__ import annotations

import uuid
from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class CoalitionConsent(models.Model):
    """Whether an organisation's consented records count in the coalition's statistics."""

    organisation = models.OneToOneField(
        "core.Organisation", on_delete=models.PROTECT, related_name="coalition_consent"
    )
    shares = models.BooleanField(_("shares its figures with the coalition"), default=False)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    changed_at = models.DateTimeField(auto_now=True)


class ReleaseStatus(models.TextChoices):
    FROZEN = "frozen", _("Frozen, awaiting approval")
    APPROVED = "approved", _("Approved")


class Release(models.Model):
    """A computed set of coalition figures, frozen as canonical JSON with its SHA-256, then
    approved by a second person; once approved it never changes."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    title = models.CharField(_("title"), max_length=200)
    year = models.PositiveIntegerField(_("year"), null=True, blank=True)
    # The exact bytes that were hashed (UTF-8 of this text); the payload is parsed from it.
    payload_text = models.TextField()
    sha256 = models.CharField(max_length=64)
    status = models.CharField(max_length=20, choices=ReleaseStatus.choices)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    approved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.title

    def save(self, *args: Any, **kwargs: Any) -> None:
        # Integrity, not business logic: an approved release is never written again.
        if not self._state.adding:
            stored = Release.objects.filter(pk=self.pk).values_list("status", flat=True).first()
            if stored == ReleaseStatus.APPROVED:
                raise RuntimeError("an approved release is immutable")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        if self.status == ReleaseStatus.APPROVED:
            raise RuntimeError("an approved release is immutable")
        return super().delete(*args, **kwargs)
