"""Who may do what: roles, permissions, and the decorators every view declares its rule with.

Every URL pattern's view carries an `access_rule` attribute; a test enumerates the URL
configuration and fails for any view without one.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps
from typing import Any, TypeVar

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from rest_framework.request import Request

from gbvwatch.core.models import Membership, Role, User

ALL_ROLES = frozenset(Role.values)


def signed_in(request: HttpRequest | Request) -> User:
    """The signed-in user of a request that an access rule has let through. A request without
    one is refused (403): a view behind a rule never sees one, so this only narrows the type
    where an `assert` would vanish under `python -O`."""
    user = request.user
    if not isinstance(user, User):
        raise PermissionDenied
    return user


# Permission -> roles that hold it. The single table of who may do what.
PERMISSIONS: dict[str, frozenset[str]] = {
    "directory.view": ALL_ROLES,
    "directory.edit": frozenset({Role.COORDINATOR, Role.CASEWORKER}),
    "geography.edit": frozenset({Role.COORDINATOR}),
    "standards.edit": frozenset({Role.COORDINATOR, Role.ANALYST}),
    "scenarios.save": frozenset({Role.COORDINATOR, Role.ANALYST}),
    "data.import": frozenset({Role.COORDINATOR}),
    "data.export": frozenset({Role.COORDINATOR, Role.CASEWORKER, Role.ANALYST}),
    "cases.view": frozenset({Role.COORDINATOR, Role.CASEWORKER}),
    "cases.edit": frozenset({Role.COORDINATOR, Role.CASEWORKER}),
    # Destroying a case's sensitive content cannot be undone: coordinators only.
    "cases.shred": frozenset({Role.COORDINATOR}),
    "members.manage": frozenset({Role.COORDINATOR}),
    "audit.view": frozenset({Role.COORDINATOR}),
    "account.self": ALL_ROLES,
    "upr.view": ALL_ROLES,
    "upr.assess": frozenset({Role.COORDINATOR, Role.ANALYST}),
    "upr.classify": frozenset({Role.COORDINATOR, Role.ANALYST}),
    "public.edit": frozenset({Role.COORDINATOR}),
    "public.reports": frozenset({Role.COORDINATOR}),
    # Coalition statistics: aggregates only. Releases are frozen by coordinators or analysts
    # and approved by a coordinator other than the person who froze them.
    "stats.view": ALL_ROLES,
    "stats.consent": frozenset({Role.COORDINATOR}),
    "stats.release": frozenset({Role.COORDINATOR, Role.ANALYST}),
    "stats.approve": frozenset({Role.COORDINATOR}),
    # Reports: coordinators and analysts build them and edit their narrative; every member of
    # the organisation reads and downloads its reports (figures are aggregates only).
    "reports.view": ALL_ROLES,
    "reports.build": frozenset({Role.COORDINATOR, Role.ANALYST}),
}

ViewFunc = TypeVar("ViewFunc", bound=Callable[..., HttpResponse])


@dataclass(frozen=True)
class AccessRule:
    """What a view demands: 'public', 'authenticated' (set-up pages) or a member permission."""

    kind: str
    permission: str = ""

    def roles(self) -> frozenset[str]:
        if self.kind == "member":
            return PERMISSIONS[self.permission]
        return ALL_ROLES


def active_membership(user: Any) -> Membership | None:
    """The user's active membership, or None (anonymous, operator, deactivated)."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return None
    membership: Membership | None = getattr(user, "membership", None)
    if membership is None or not membership.is_active:
        return None
    return membership


def has_permission(user: Any, permission: str) -> bool:
    """True when the user is an active member whose role holds `permission`."""
    if permission not in PERMISSIONS:
        raise KeyError(f"unknown permission {permission!r}")
    membership = active_membership(user)
    return membership is not None and membership.role in PERMISSIONS[permission]


def public(view: ViewFunc) -> ViewFunc:
    """Mark a view as open to anyone, including people without an account."""
    view.access_rule = AccessRule("public")  # type: ignore[attr-defined]
    return view


def authenticated(view: ViewFunc) -> ViewFunc:
    """Any logged-in person (account set-up and logout pages)."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path(), settings.LOGIN_URL)
        return view(request, *args, **kwargs)

    wrapper.access_rule = AccessRule("authenticated")  # type: ignore[attr-defined]
    return wrapper  # type: ignore[return-value]


def member_required(permission: str) -> Callable[[ViewFunc], ViewFunc]:
    """Require an active member whose role holds `permission`; others get login or 403."""
    if permission not in PERMISSIONS:
        raise KeyError(f"unknown permission {permission!r}")

    def decorator(view: ViewFunc) -> ViewFunc:
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path(), settings.LOGIN_URL)
            if not has_permission(request.user, permission):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        wrapper.access_rule = AccessRule("member", permission)  # type: ignore[attr-defined]
        return wrapper  # type: ignore[return-value]

    return decorator
