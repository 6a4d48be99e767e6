"""Writes and sensitive reads of incidents; each in a transaction with its audit entry.

Audit entries name who, what and which record, never a decrypted value."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import transaction

from gbvwatch.cases.envelope import (
    FieldBinding,
    coded_changes,
    encrypt_text,
    new_data_key,
    open_data_key,
    open_fields,
    organisation_public_key,
)
from gbvwatch.cases.models import SENSITIVE_FIELDS, Incident, Refusal
from gbvwatch.core.audit import audit_append
from gbvwatch.core.models import User

MODEL_LABEL = "cases.incident"


@dataclass(frozen=True)
class IncidentSecrets:
    """The sensitive fields of an incident, in clear, only ever in memory."""

    survivor_name: str = ""
    contact: str = ""
    narrative: str = ""
    exact_place: str = ""


@dataclass(frozen=True)
class RefusalInput:
    """A refusal as entered: kind of service, reason code, optional service and date."""

    service_kind: str
    reason: str
    service_id: int | None = None
    refused_on: Any = None


def _binding(incident: Incident) -> FieldBinding:
    return FieldBinding(
        organisation_id=incident.organisation_id,
        model=MODEL_LABEL,
        pk=str(incident.pk),
        data_key_version=incident.data_key_version,
    )


def _seal_secrets(incident: Incident, data_key: bytes, secrets_: IncidentSecrets) -> None:
    binding = _binding(incident)
    for name in SENSITIVE_FIELDS:
        setattr(
            incident, f"{name}_enc", encrypt_text(data_key, binding, name, getattr(secrets_, name))
        )


def _replace_refusals(incident: Incident, refusals: list[RefusalInput]) -> None:
    incident.refusals.all().delete()
    Refusal.objects.bulk_create(
        Refusal(
            incident=incident,
            service_id=r.service_id,
            service_kind=r.service_kind,
            reason=r.reason,
            refused_on=r.refused_on,
        )
        for r in refusals
    )


def incident_create(
    *, actor: User, incident: Incident, secrets: IncidentSecrets, refusals: list[RefusalInput]
) -> Incident:
    """Save a new incident of the actor's organisation, its sensitive fields encrypted."""
    organisation_id = actor.membership.organisation_id
    public_key = organisation_public_key(organisation_id)
    with transaction.atomic():
        incident.organisation_id = organisation_id
        incident.created_by = actor
        data_key, incident.data_key_sealed = new_data_key(public_key)
        _seal_secrets(incident, data_key, secrets)
        incident.save(force_insert=True)
        _replace_refusals(incident, refusals)
        audit_append(
            actor=actor,
            action="incident.create",
            obj=incident,
            organisation_id=organisation_id,
            details={"type": incident.type, "refusals": len(refusals)},
        )
    return incident


def incident_update(
    *,
    actor: User,
    incident: Incident,
    before: dict[str, Any],
    secrets: IncidentSecrets,
    refusals: list[RefusalInput],
    private_key: bytes,
    before_secrets: IncidentSecrets | None = None,
) -> Incident:
    """Save changes; sensitive fields are re-encrypted under the record's own data key.

    With `before_secrets`, the audit entry also names the sensitive fields that changed."""
    data_key = open_data_key(private_key, bytes(incident.data_key_sealed))
    with transaction.atomic():
        _seal_secrets(incident, data_key, secrets)
        incident.save()
        _replace_refusals(incident, refusals)
        details: dict[str, Any] = {"coded_fields_changed": coded_changes(before, incident)}
        if before_secrets is not None:
            details["sensitive_fields_changed"] = [
                name
                for name in SENSITIVE_FIELDS
                if getattr(before_secrets, name) != getattr(secrets, name)
            ]
        audit_append(
            actor=actor,
            action="incident.update",
            obj=incident,
            organisation_id=incident.organisation_id,
            details=details,
        )
    return incident


def incident_reveal(*, actor: User, incident: Incident, private_key: bytes) -> IncidentSecrets:
    """Decrypt the sensitive fields for the actor; the read itself is audited."""
    data_key = open_data_key(private_key, bytes(incident.data_key_sealed))
    binding = _binding(incident)
    values = open_fields(incident, data_key, binding, SENSITIVE_FIELDS)
    with transaction.atomic():
        audit_append(
            actor=actor,
            action="incident.read",
            obj=incident,
            organisation_id=incident.organisation_id,
        )
    return IncidentSecrets(**values)
