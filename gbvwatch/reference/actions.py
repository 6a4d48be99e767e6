"""Writes to the reference data: standards added or edited by users, with audit entries."""

from __future__ import annotations

from django.db import transaction

from gbvwatch.core.audit import audit_append
from gbvwatch.core.models import User
from gbvwatch.reference.models import Standard


def standard_save(*, actor: User, standard: Standard) -> Standard:
    """Save a validated standard (new or edited); the dataset loader will not overwrite it."""
    creating = standard.pk is None
    with transaction.atomic():
        standard.locally_modified = True
        standard.save()
        audit_append(
            actor=actor,
            action="standard.create" if creating else "standard.update",
            obj=standard,
            organisation_id=actor.membership.organisation_id,
            details={"code": standard.code},
        )
    return standard
