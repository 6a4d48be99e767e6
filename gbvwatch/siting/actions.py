"""Writes of the siting planner; each in a transaction with its audit entry."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from gbvwatch.core.audit import audit_append
from gbvwatch.core.models import User
from gbvwatch.siting.models import Scenario


def scenario_save(
    *, actor: User, name: str, parameters: dict[str, str], report: dict[str, Any]
) -> Scenario:
    """Keep a computed report under a name, for the actor's organisation."""
    organisation_id = actor.membership.organisation_id
    with transaction.atomic():
        scenario = Scenario.objects.create(
            organisation_id=organisation_id,
            name=name,
            parameters=parameters,
            report=report,
            created_by=actor,
        )
        audit_append(
            actor=actor,
            action="scenario.save",
            obj=scenario,
            organisation_id=organisation_id,
            details={"objective": report.get("objective"), "status": report.get("status")},
        )
    return scenario


def scenario_delete(*, actor: User, scenario: Scenario) -> None:
    """Delete a saved scenario of the actor's organisation."""
    with transaction.atomic():
        audit_append(
            actor=actor,
            action="scenario.delete",
            obj=scenario,
            organisation_id=scenario.organisation_id,
            details={"name_length": len(scenario.name)},
        )
        scenario.delete()
