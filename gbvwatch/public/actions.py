"""Writes of the public page: anonymous refusal reports (sealed to the coordinating
organisation), the form tokens and rate buckets that protect them, and the page's texts.
Each write runs in a transaction with its audit entry; no entry holds an address or free text."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets
from dataclasses import dataclass

from django.conf import settings
from django.core import signing
from django.db import IntegrityError, transaction
from django.utils import timezone

from gbvwatch.cases.envelope import (
    FieldBinding,
    decrypt_text,
    encrypt_text,
    new_data_key,
    open_data_key,
)
from gbvwatch.core.audit import audit_append
from gbvwatch.core.models import Organisation, OrganisationKey, User
from gbvwatch.directory.models import Service
from gbvwatch.public.models import (
    REPORT_SEALED_FIELDS,
    PageText,
    RateBucket,
    RateKey,
    RefusalReport,
    SpentFormToken,
)

MODEL_LABEL = "public.refusalreport"
TOKEN_SALT = "gbvwatch.public.report-form"  # noqa: S105 - a signing salt, not a secret
TOKEN_MAX_AGE_S = 2 * 3600
RATE_WINDOW_S = 3600
REPORTS_PER_VISITOR = 5  # per window, per keyed-hash bucket
REPORTS_PER_WINDOW = 200  # per window, all visitors together: bounds a flood from many addresses


class ReportRefusedError(Exception):
    """The report cannot be taken; `code` says why (token, rate, no_recipient)."""

    def __init__(self, code: str) -> None:
        self.code = code
        super().__init__(code)


@dataclass(frozen=True)
class ReportInput:
    """A refusal report as the visitor entered it (clear text only in memory)."""

    service: Service
    reason: str
    refused_on: dt.date
    details: str


def form_token_new() -> str:
    """A signed, time-limited, single-use token for the report form (no cookie needed)."""
    return signing.TimestampSigner(salt=TOKEN_SALT).sign(secrets.token_urlsafe(18))


def _token_digest(token: str) -> str:
    nonce = signing.TimestampSigner(salt=TOKEN_SALT).unsign(token, max_age=TOKEN_MAX_AGE_S)
    return hashlib.sha256(nonce.encode("utf-8")).hexdigest()


def form_token_check(token: str) -> str:
    """The token's digest if it is genuine, fresh and unspent; else ReportRefusedError('token')."""
    try:
        digest = _token_digest(token)
    except signing.BadSignature as exc:  # also expired (SignatureExpired is a BadSignature)
        raise ReportRefusedError("token") from exc
    if SpentFormToken.objects.filter(digest=digest).exists():
        raise ReportRefusedError("token")
    return digest


def reports_recipient() -> Organisation | None:
    """The organisation public reports are sealed to: the one named in settings, else the
    oldest organisation that has a key. None when no organisation has a key yet."""
    keyed = Organisation.objects.filter(key__isnull=False)
    slug = settings.PUBLIC_REPORTS_ORGANISATION
    if slug:
        return keyed.filter(slug=slug).first()
    return keyed.order_by("created_at", "pk").first()


def _window(now: dt.datetime) -> dt.datetime:
    epoch = int(now.timestamp()) // RATE_WINDOW_S * RATE_WINDOW_S
    return dt.datetime.fromtimestamp(epoch, tz=dt.UTC)


def rate_state_purge(now: dt.datetime) -> None:
    """Delete the keys and buckets of past windows and spent tokens that expired (called on
    every report and every opening of the form, so nothing outlives its hour for long)."""
    window = _window(now)
    with transaction.atomic():
        RateKey.objects.filter(window_start__lt=window).delete()
        RateBucket.objects.filter(window_start__lt=window).delete()
        SpentFormToken.objects.filter(expires_at__lt=now).delete()


def _rate_key(window: dt.datetime) -> bytes:
    row, _ = RateKey.objects.get_or_create(
        window_start=window, defaults={"key": secrets.token_bytes(32)}
    )
    return bytes(row.key)


def _rate_take(address: str, now: dt.datetime) -> None:
    window = _window(now)
    key = _rate_key(window)
    digest = hmac.new(key, address.encode("utf-8"), hashlib.sha256).hexdigest()
    total = sum(RateBucket.objects.filter(window_start=window).values_list("count", flat=True))
    bucket, _ = RateBucket.objects.get_or_create(digest=digest, defaults={"window_start": window})
    if bucket.count >= REPORTS_PER_VISITOR or total >= REPORTS_PER_WINDOW:
        raise ReportRefusedError("rate")
    bucket.count += 1
    bucket.save(update_fields=["count"])


def refusal_report_create(*, token: str, address: str, report: ReportInput) -> RefusalReport:
    """Check the token and the rate limit, then store the report sealed to the coordinating
    organisation. Raises ReportRefusedError; writes nothing in that case."""
    recipient = reports_recipient()
    if recipient is None:
        raise ReportRefusedError("no_recipient")
    public_key = bytes(OrganisationKey.objects.get(organisation=recipient).public_key)
    now = timezone.now()
    with transaction.atomic():
        digest = form_token_check(token)
        rate_state_purge(now)
        try:
            with transaction.atomic():
                SpentFormToken.objects.create(
                    digest=digest, expires_at=now + dt.timedelta(seconds=TOKEN_MAX_AGE_S)
                )
        except IntegrityError as exc:  # spent by a concurrent request
            raise ReportRefusedError("token") from exc
        _rate_take(address, now)
        row = RefusalReport(
            organisation=recipient,
            service_kind=report.service.kind,
            reason=report.reason,
            month=report.refused_on.replace(day=1),
            received_on=timezone.localdate(now),
        )
        data_key, row.data_key_sealed = new_data_key(public_key)
        binding = FieldBinding(recipient.pk, MODEL_LABEL, str(row.pk), row.data_key_version)
        values = {
            "service_code": report.service.code,
            "refused_on": report.refused_on.isoformat(),
            "details": report.details,
        }
        for name, value in values.items():
            setattr(row, f"{name}_enc", encrypt_text(data_key, binding, name, value))
        row.save()
        audit_append(
            actor="public",
            action="public.refusal_report",
            obj=row,
            organisation_id=recipient.pk,
            details={"service_kind": row.service_kind, "reason": row.reason},
        )
    return row


def refusal_report_dismiss(*, actor: User, report: RefusalReport, dismissed: bool) -> None:
    """Mark a report as dismissed (not counted as evidence) or count it again."""
    with transaction.atomic():
        report.dismissed = dismissed
        report.save(update_fields=["dismissed"])
        audit_append(
            actor=actor,
            action="public.refusal_report_dismiss" if dismissed else "public.refusal_report_count",
            obj=report,
            organisation_id=report.organisation_id,
        )


def page_text_save(*, actor: User, slot: str, language: str, text: str) -> PageText:
    """Create or replace one text of the public page."""
    with transaction.atomic():
        row, _ = PageText.objects.update_or_create(
            slot=slot, language=language, defaults={"text": text, "updated_by": actor}
        )
        audit_append(
            actor=actor,
            action="public.page_text_save",
            obj=row,
            details={"slot": slot, "language": language},
        )
    return row


def refusal_reports_open(
    *, actor: User, private_key: bytes, reports: list[RefusalReport]
) -> dict[str, dict[str, str]]:
    """Decrypt the sealed fields of reports sent to the actor's organisation (one audit entry
    per report read). DecryptionError on any mismatch, never the raw bytes."""
    opened: dict[str, dict[str, str]] = {}
    with transaction.atomic():
        for report in reports:
            if report.organisation_id != actor.membership.organisation_id:
                raise PermissionError("report of another organisation")
            data_key = open_data_key(private_key, bytes(report.data_key_sealed))
            binding = FieldBinding(
                report.organisation_id, MODEL_LABEL, str(report.pk), report.data_key_version
            )
            opened[str(report.pk)] = {
                name: decrypt_text(data_key, binding, name, bytes(getattr(report, f"{name}_enc")))
                for name in REPORT_SEALED_FIELDS
            }
            audit_append(
                actor=actor,
                action="public.refusal_report_read",
                obj=report,
                organisation_id=report.organisation_id,
            )
    return opened
