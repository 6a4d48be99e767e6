"""The one place that scopes queries by organisation.

Any model with an `organisation` foreign key is filtered to the acting user's organisation;
another organisation's object is then simply not found (404), never 'forbidden'.
"""

from __future__ import annotations

from typing import Any, TypeVar

from django.db.models import Model, QuerySet

from gbvwatch.core.access import active_membership

M = TypeVar("M", bound=Model)


def scope_to_organisation(
    queryset: QuerySet[M], user: Any, *, field: str = "organisation"
) -> QuerySet[M]:
    """Rows of `queryset` that belong to the user's organisation; none for non-members."""
    membership = active_membership(user)
    if membership is None:
        return queryset.none()
    return queryset.filter(**{f"{field}_id": membership.organisation_id})


def scope_to_organisation_or_shared(
    queryset: QuerySet[M], user: Any, *, field: str = "organisation"
) -> QuerySet[M]:
    """Rows of the user's organisation plus shared rows (no organisation) of the instance."""
    from django.db.models import Q

    membership = active_membership(user)
    if membership is None:
        return queryset.none()
    return queryset.filter(
        Q(**{f"{field}_id": membership.organisation_id}) | Q(**{f"{field}__isnull": True})
    )


def get_by_uuid_or_404(queryset: QuerySet[M], value: Any) -> M:
    """The row of `queryset` whose primary key is the UUID `value`; Http404 when the value is
    not a UUID or no such row is in the (already scoped) queryset."""
    import uuid

    from django.http import Http404

    try:
        key = uuid.UUID(str(value))
    except ValueError as exc:
        raise Http404 from exc
    row = queryset.filter(pk=key).first()
    if row is None:
        raise Http404
    return row
