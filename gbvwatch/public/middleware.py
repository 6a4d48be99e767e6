"""The public page leaves no trace: requests under its prefix are served as if the browser held
no cookie (no session is loaded, no language cookie read, nobody is logged in), and responses
carry no Set-Cookie, no referrer and nothing cacheable, whatever the inner layers did."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.utils import translation

PREFIX = "/info/"


def is_public_path(path: str) -> bool:
    """Whether the path belongs to the public find-help page."""
    return path == PREFIX.rstrip("/") or path.startswith(PREFIX)


class NoTraceMiddleware:
    """Strip cookies both ways and set no-referrer / no-store on the public page."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not is_public_path(request.path_info):
            return self.get_response(request)
        request.COOKIES = {}
        request.META.pop("HTTP_COOKIE", None)
        # The page picks its language from the URL; the thread's language is put back after the
        # response is rendered, so it never leaks into the next request or command.
        with translation.override(translation.get_language()):
            response = self.get_response(request)
            if hasattr(response, "render") and not getattr(response, "is_rendered", True):
                response.render()
        response.cookies.clear()
        response.headers["Referrer-Policy"] = "no-referrer"
        response.headers["Cache-Control"] = "no-store"
        response.headers["X-Robots-Tag"] = "noindex, nofollow"
        return response
