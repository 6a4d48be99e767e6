"""Production settings pass Django's deployment checks; every response carries the headers."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.urls import reverse

from gbvwatch.conftest import Actor


def test_check_deploy_is_clean_with_production_settings(tmp_path: Path):
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env.update(
        GBVWATCH_DATA_DIR=str(tmp_path),
        GBVWATCH_PRODUCTION="1",
        GBVWATCH_SECRET_KEY=secrets.token_urlsafe(60),
        GBVWATCH_ALLOWED_HOSTS="gbv.example.org",
    )
    result = subprocess.run(
        [sys.executable, "-m", "gbvwatch.cli", "check", "--deploy", "--fail-level", "WARNING"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.django_db
def test_pages_send_strict_csp_and_same_origin_referrer(client):
    response = client.get(reverse("core:login"))
    csp = response["Content-Security-Policy"]
    assert "default-src 'self'" in csp and "frame-ancestors 'none'" in csp
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["X-Frame-Options"] == "DENY"


@pytest.mark.django_db
def test_authenticated_pages_are_not_cached(client, alice: Actor):
    client.force_login(alice.user)
    assert client.get(reverse("directory:service_list"))["Cache-Control"] == "no-store"


@pytest.mark.django_db
def test_session_cookie_is_httponly_and_strict(client, alice: Actor):
    response = client.post(
        reverse("core:login"),
        {"username": "alice", "password": alice.password, "code": alice.code()},
    )
    cookie = response.cookies["gbvw_session"]
    assert cookie["httponly"] and cookie["samesite"] == "Strict"


@pytest.mark.django_db
def test_session_ends_at_the_absolute_limit(client, alice: Actor, settings):
    client.force_login(alice.user)
    assert client.get(reverse("directory:service_list")).status_code == 200
    session = client.session
    session["gbvw_started"] = 0  # started in 1970: far past any limit
    session.save()
    response = client.get(reverse("directory:service_list"))
    assert response.status_code == 302 and response.url.startswith(reverse("core:login"))


@pytest.mark.django_db
def test_a_nul_in_a_query_parameter_is_a_named_400_not_a_database_error(client, alice: Actor):
    client.force_login(alice.user)
    response = client.get(reverse("api-service-list"), {"kind": "shelter\x00"})
    assert response.status_code == 400 and '"kind"' in response.content.decode()
    assert client.get(reverse("directory:service_list"), {"q": "\x00"}).status_code == 400
