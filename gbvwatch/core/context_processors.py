from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest

from gbvwatch.core.access import PERMISSIONS, active_membership


def membership(request: HttpRequest) -> dict[str, Any]:
    """The acting member and her permissions, for navigation in templates."""
    user = request.user
    setup_pending = bool(user.is_authenticated and (user.must_change_password or not user.has_totp))
    # Until set-up is finished no navigation is shown: every page leads to set-up anyway.
    m = None if setup_pending else active_membership(user)
    perms = {p for p, roles in PERMISSIONS.items() if m is not None and m.role in roles}
    return {"membership": m, "perms_held": perms, "source_url": settings.SOURCE_URL}
