"""Property-based: hostile text thrown at every form and endpoint never causes a server error.

Azerbaijani letters, right-to-left and zero-width characters, NUL, very long strings, HTML and
SQL payloads, traversal file names. Bounded (a few examples per URL pattern) to keep CI fast."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gbvwatch.core.models import Role
from gbvwatch.core.tests.test_access import ALL_PATTERNS, _kwargs_for, world  # noqa: F401

PAYLOADS = [
    "Gülnarə İsmay\u0131lova ğ ş ç ö ü",
    "\u202eevil\u202c", "zero\u200bwidth\u200d", "\x00", "a" * 1_000_000,
    "<script>alert(1)</script>", "'; DROP TABLE core_user; --", "../../etc/passwd",
    "1e999", "-0", "NaN", "2026-02-30", "\uff19\uff19", "\ud7ff", "",
]  # fmt: skip
FIELDS = [
    "code", "name", "kind", "lat", "lon", "capacity", "hours", "sources_text", "status",
    "username", "password", "code", "role", "type", "incident_date", "narrative",
    "survivor_name", "year", "circuity", "what", "language", "recovery_key", "your_password",
    "title", "per", "amount", "denominator", "kinds", "q", "unit", "transgender", "page",
    "text", "assignee", "confirm", "date_from", "assigned", "consent", "attack_type",
]  # fmt: skip
hostile_text = st.one_of(st.sampled_from(PAYLOADS), st.text(max_size=200))


@pytest.mark.parametrize(("name", "pattern"), ALL_PATTERNS, ids=[n for n, _ in ALL_PATTERNS])
@settings(
    max_examples=6,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(values=st.dictionaries(st.sampled_from(FIELDS), hostile_text, max_size=8))
def test_hostile_text_never_causes_a_server_error(name, pattern, world, client, values):  # noqa: F811
    client.force_login(world["users"][Role.COORDINATOR])
    url = reverse(name, kwargs=_kwargs_for(name, pattern, world, "own", Role.COORDINATOR))
    upload = SimpleUploadedFile("../../../etc/passwd\x00.csv", b"\xff\xfe\x00garbage", "text/csv")
    data: dict[str, Any] = {**values, "file": upload}
    with transaction.atomic():
        for response in (client.post(url, data), client.get(url, values)):
            assert response.status_code < 500, (url, response.status_code, values)
        transaction.set_rollback(True)
