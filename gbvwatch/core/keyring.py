"""The organisation private key during a session, split as SECURITY.md decides: the key is
re-encrypted under a random per-session key; the ciphertext lives in the server-side session,
the per-session key only in an HttpOnly, SameSite=Strict cookie. Neither half alone opens it.
Logout, timeout and "lock now" destroy it; every failure to open it is `KeysLocked`."""

from __future__ import annotations

import base64
import secrets
from collections.abc import Callable

from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.http import HttpRequest, HttpResponse

from gbvwatch.core import crypto

SESSION_FIELD = "gbvw_org_key"
COOKIE_NAME = "gbvw_unlock"
_PENDING = "_gbvw_unlock_cookie"  # request attribute: cookie value to set, or "" to delete


class KeysLockedError(Exception):
    """The organisation key is not available in this session: reads of sensitive data stop."""


def _aad(request: HttpRequest) -> bytes:
    return f"gbvwatch:session-key:{request.user.pk}".encode()


def unlock(request: HttpRequest, private_key: bytes) -> None:
    """Keep the organisation key for this session (call after login, which cycles the session)."""
    cookie_key = secrets.token_bytes(crypto.KEY_BYTES)
    sealed = crypto.seal(cookie_key, private_key, _aad(request))
    request.session[SESSION_FIELD] = base64.b64encode(sealed).decode("ascii")
    setattr(request, _PENDING, base64.urlsafe_b64encode(cookie_key).decode("ascii"))


def lock(request: HttpRequest) -> None:
    """Destroy this session's copy of the organisation key (both halves)."""
    request.session.pop(SESSION_FIELD, None)
    setattr(request, _PENDING, "")


def is_unlocked(request: HttpRequest) -> bool:
    """Whether both halves are present (it does not try to open them)."""
    return SESSION_FIELD in request.session and bool(request.COOKIES.get(COOKIE_NAME))


def private_key(request: HttpRequest) -> bytes:
    """The organisation private key for this request, or KeysLockedError; never a fallback."""
    sealed_text = request.session.get(SESSION_FIELD)
    cookie_text = getattr(request, _PENDING, None) or request.COOKIES.get(COOKIE_NAME, "")
    if not sealed_text or not cookie_text:
        raise KeysLockedError
    try:
        cookie_key = base64.urlsafe_b64decode(cookie_text.encode("ascii"))
        return crypto.unseal(cookie_key, base64.b64decode(sealed_text), _aad(request))
    except (ValueError, crypto.DecryptionError) as exc:
        raise KeysLockedError from exc


class KeyringCookieMiddleware:
    """Sets or deletes the per-session key cookie that `unlock` and `lock` asked for."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        pending = getattr(request, _PENDING, None)
        if pending:
            response.set_cookie(
                COOKIE_NAME,
                pending,
                httponly=True,
                secure=settings.SESSION_COOKIE_SECURE,
                samesite="Strict",
            )
        # The session, not request.user, says whether someone is logged in: the REST framework
        # marks a request anonymous when its CSRF check fails, and that must not lock the member.
        elif pending == "" or (
            COOKIE_NAME in request.COOKIES and SESSION_KEY not in request.session
        ):
            response.delete_cookie(COOKIE_NAME, samesite="Strict")
        return response
