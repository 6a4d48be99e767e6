"""Writes of the coalition statistics: an organisation's consent to share, and releases (frozen,
then approved by a second person). Each write runs in a transaction with its audit entry."""

from __future__ import annotations

import hashlib
import json
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from gbvwatch.core.access import has_permission
from gbvwatch.core.actions import ActionError
from gbvwatch.core.audit import audit_append
from gbvwatch.core.models import User
from gbvwatch.stats.models import CoalitionConsent, Release, ReleaseStatus
from gbvwatch.stats.report import StatsParameters, stats_report

TITLE_LIMIT = 200


def payload_digest(payload_text: str) -> str:
    """SHA-256 (hex) of a release's canonical JSON text, encoded as UTF-8."""
    return hashlib.sha256(payload_text.encode("utf-8")).hexdigest()


def canonical_json(payload: dict[str, Any]) -> str:
    """The one text a payload is frozen as: sorted keys, no spaces, UTF-8 characters kept."""
    return json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def coalition_consent_set(*, actor: User, shares: bool) -> CoalitionConsent:
    """Record whether the actor's organisation shares its figures with the coalition."""
    if not has_permission(actor, "stats.consent"):
        raise ActionError(_("Only a coordinator can change what the organisation shares."))
    organisation_id = actor.membership.organisation_id
    with transaction.atomic():
        consent, _created = CoalitionConsent.objects.select_for_update().get_or_create(
            organisation_id=organisation_id
        )
        consent.shares, consent.changed_by = shares, actor
        consent.save()
        audit_append(
            actor=actor,
            action="stats.consent",
            obj=consent,
            organisation_id=organisation_id,
            details={"shares": shares},
        )
    return consent


def release_freeze(*, actor: User, title: str, params: StatsParameters) -> Release:
    """Compute the figures now and freeze them (canonical JSON and its SHA-256)."""
    if not has_permission(actor, "stats.release"):
        raise ActionError(_("Your role cannot prepare a release."))
    title = title.strip()
    if not title:
        raise ActionError(_("title: give the release a title."))
    if len(title) > TITLE_LIMIT:
        raise ActionError(_("title: at most 200 characters."))
    # Frozen in the instance's default language so the hashed text does not depend on who froze.
    with translation.override(settings.LANGUAGE_CODE):
        payload_text = canonical_json(stats_report(params))
    release = Release(
        title=title,
        year=params.year,
        payload_text=payload_text,
        sha256=payload_digest(payload_text),
        status=ReleaseStatus.FROZEN,
        created_by=actor,
    )
    with transaction.atomic():
        release.save(force_insert=True)
        audit_append(
            actor=actor,
            action="stats.release.freeze",
            obj=release,
            organisation_id=actor.membership.organisation_id,
            details={"sha256": release.sha256, "year": params.year},
        )
    return release


def release_approve(*, actor: User, release: Release) -> Release:
    """Approve a frozen release as the second person; afterwards it never changes."""
    if not has_permission(actor, "stats.approve"):
        raise ActionError(_("Only a coordinator can approve a release."))
    with transaction.atomic():
        current = Release.objects.select_for_update().get(pk=release.pk)
        if current.status != ReleaseStatus.FROZEN:
            raise ActionError(_("This release is already approved."))
        if current.created_by_id == actor.pk:
            raise ActionError(
                _("A release must be approved by someone other than the person who froze it.")
            )
        if payload_digest(current.payload_text) != current.sha256:
            raise ActionError(_("The release's figures no longer match their fingerprint."))
        current.status = ReleaseStatus.APPROVED
        current.approved_by, current.approved_at = actor, timezone.now()
        current.save(update_fields=["status", "approved_by", "approved_at"])
        audit_append(
            actor=actor,
            action="stats.release.approve",
            obj=current,
            organisation_id=actor.membership.organisation_id,
            details={"sha256": current.sha256},
        )
    return current
