"""Writes to the service directory; each in a transaction with its audit entry."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone

from gbvwatch.core.audit import audit_append
from gbvwatch.core.models import User
from gbvwatch.directory.models import Service, Source, Status


@dataclass(frozen=True)
class SourceInput:
    """A citation for a service: text or address, and an optional date."""

    citation: str
    url: str = ""
    date: str = ""


def _replace_sources(service: Service, sources: list[SourceInput]) -> None:
    service.sources.all().delete()
    Source.objects.bulk_create(
        Source(service=service, citation=s.citation, url=s.url, date=s.date) for s in sources
    )


def _changed_fields(before: dict[str, Any], service: Service) -> list[str]:
    return sorted(k for k, v in before.items() if getattr(service, k) != v)


def service_create(*, actor: User, service: Service, sources: list[SourceInput]) -> Service:
    """Save a new, already validated service maintained by the actor's organisation."""
    with transaction.atomic():
        service.organisation_id = actor.membership.organisation_id
        service.save()
        _replace_sources(service, sources)
        audit_append(
            actor=actor,
            action="service.create",
            obj=service,
            organisation_id=actor.membership.organisation_id,
            details={"code": service.code, "kind": service.kind},
        )
    return service


def service_update(
    *, actor: User, service: Service, before: dict[str, Any], sources: list[SourceInput]
) -> Service:
    """Save changes to a validated service; the audit entry names the changed fields."""
    with transaction.atomic():
        service.locally_modified = True
        service.save()
        _replace_sources(service, sources)
        audit_append(
            actor=actor,
            action="service.update",
            obj=service,
            organisation_id=actor.membership.organisation_id,
            details={"code": service.code, "fields": _changed_fields(before, service)},
        )
    return service


def service_close(
    *, actor: User, service: Service, closed_on: dt.date | None = None, reason: str = ""
) -> Service:
    """Mark a service closed (kept for the record, never deleted)."""
    with transaction.atomic():
        service.status = Status.CLOSED
        service.locally_modified = True
        service.closed_at = closed_on or timezone.localdate()
        if reason:
            service.notes = (service.notes + "\n" if service.notes else "") + reason
        service.save(
            update_fields=["status", "closed_at", "notes", "locally_modified", "updated_at"]
        )
        audit_append(
            actor=actor,
            action="service.close",
            obj=service,
            organisation_id=actor.membership.organisation_id,
            details={"code": service.code, "closed_at": service.closed_at.isoformat()},
        )
    return service
