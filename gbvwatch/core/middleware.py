"""Security headers, session limits and the forced first-login set-up."""

from __future__ import annotations

import time
from collections.abc import Callable

from django.conf import settings
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; "
    "form-action 'self'; frame-ancestors 'none'"
)
SESSION_STARTED_KEY = "gbvw_started"


class SecurityHeadersMiddleware:
    """Strict CSP everywhere; no caching of anything a logged-in person sees."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response.headers.setdefault("Content-Security-Policy", CSP)
        response.headers.setdefault("Referrer-Policy", "same-origin")
        response.headers.setdefault(
            "Permissions-Policy", "camera=(), microphone=(), geolocation=(), interest-cohort=()"
        )
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            response.headers["Cache-Control"] = "no-store"
        return response


class RejectNulMiddleware:
    """A NUL character in the path or a query parameter is refused with a 400 naming it, before
    any query uses it (PostgreSQL cannot hold NUL). Form fields are checked by their forms,
    which name the field on the page."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        for name, values in [("path", [request.path]), *request.GET.lists()]:
            if any("\x00" in value for value in [name, *values]):
                message = _('"%(field)s" contains a NUL character, which nothing accepts.')
                shown = name.replace("\x00", "\\0")[:80]
                return HttpResponseBadRequest(
                    message % {"field": shown}, content_type="text/plain; charset=utf-8"
                )
        return self.get_response(request)


class SessionLimitsMiddleware:
    """End a session at its absolute limit, however active it has been."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.user.is_authenticated:
            started = request.session.get(SESSION_STARTED_KEY)
            now = int(time.time())
            if started is None:
                request.session[SESSION_STARTED_KEY] = now
            elif now - int(started) > settings.SESSION_ABSOLUTE_SECONDS:
                logout(request)
                return redirect(settings.LOGIN_URL)
        return self.get_response(request)


class AccountSetupMiddleware:
    """Until a person has set her own password and enrolled TOTP, only set-up pages open."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if user.is_authenticated and (user.must_change_password or not user.has_totp):
            allowed = {
                reverse("core:account_setup"),
                reverse("core:logout"),
                reverse("core:set_language"),
            }
            if request.path not in allowed and not request.path.startswith(settings.STATIC_URL):
                return redirect("core:account_setup")
        return self.get_response(request)
