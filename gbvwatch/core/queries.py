"""Scoped reads of organisation data: every function takes the acting user."""

from __future__ import annotations

from django.contrib.sessions.models import Session
from django.db.models import QuerySet
from django.shortcuts import get_object_or_404
from django.utils import timezone

from gbvwatch.core.models import AuditEntry, MemberSession, Membership, User
from gbvwatch.core.scoping import scope_to_organisation


def members_for(user: User) -> QuerySet[Membership]:
    """Memberships of the user's organisation (active and deactivated)."""
    return scope_to_organisation(Membership.objects.select_related("user"), user)


def member_get(user: User, membership_id: int) -> Membership:
    """One membership of the user's organisation; 404 for any other organisation's."""
    return get_object_or_404(members_for(user), pk=membership_id)


def audit_entries_for(user: User, *, limit: int = 200) -> QuerySet[AuditEntry]:
    """The latest audit entries about the user's organisation."""
    membership = user.membership
    return AuditEntry.objects.filter(organisation_id=membership.organisation_id).order_by("-seq")[
        :limit
    ]


def sessions_of(user: User) -> QuerySet[MemberSession]:
    """The user's own logins that are still alive."""
    live = Session.objects.filter(expire_date__gt=timezone.now()).values("session_key")
    return MemberSession.objects.filter(user=user, session_key__in=live)


def session_get(user: User, record_id: int) -> MemberSession:
    """One of the user's own logins; anyone else's is a 404."""
    return get_object_or_404(MemberSession.objects.filter(user=user), pk=record_id)
