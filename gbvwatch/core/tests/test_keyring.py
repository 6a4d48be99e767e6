"""The organisation key in a session: split between session and cookie, locked on demand,
restored with the recovery key, and never opened by one half alone."""

from __future__ import annotations

import base64
from typing import Any

import pyotp
import pytest
from django.http import HttpRequest
from django.test import Client, RequestFactory
from django.urls import reverse

from gbvwatch.conftest import PASSWORD, Actor
from gbvwatch.core import actions, crypto, keyring
from gbvwatch.core.models import AuditEntry, MemberKeyWrap, OrganisationKey
from gbvwatch.core.tests.test_accounts import _login


def _request_from(client: Client, user: Any) -> HttpRequest:
    request = RequestFactory().get("/")
    request.user = user
    request.session = client.session
    request.COOKIES = {k: v.value for k, v in client.cookies.items()}
    return request


@pytest.mark.django_db
def test_login_keeps_the_key_split_between_session_and_cookie(client, alice: Actor):
    response = _login(client, "alice", PASSWORD, alice.code())
    cookie = response.cookies[keyring.COOKIE_NAME]
    assert cookie["httponly"] and cookie["samesite"] == "Strict"
    expected = actions.member_private_key(user=alice.user, password=PASSWORD)
    assert keyring.private_key(_request_from(client, alice.user)) == expected
    # The server-side half alone is ciphertext: it does not contain the key.
    sealed = base64.b64decode(client.session[keyring.SESSION_FIELD])
    assert expected not in sealed
    # And the cookie is a random key, not the organisation key.
    assert base64.urlsafe_b64decode(cookie.value) != expected


@pytest.mark.django_db
def test_reads_fail_closed_without_or_with_a_tampered_cookie(client, alice: Actor):
    _login(client, "alice", PASSWORD, alice.code())
    request = _request_from(client, alice.user)
    request.COOKIES = {}
    with pytest.raises(keyring.KeysLockedError):
        keyring.private_key(request)
    request.COOKIES = {keyring.COOKIE_NAME: base64.urlsafe_b64encode(bytes(32)).decode()}
    with pytest.raises(keyring.KeysLockedError):
        keyring.private_key(request)
    request.COOKIES = {keyring.COOKIE_NAME: "not base64 at all!"}
    with pytest.raises(keyring.KeysLockedError):
        keyring.private_key(request)


@pytest.mark.django_db
def test_first_set_up_unlocks_the_new_key(client, ayna):
    invitation = actions.coordinator_create(actor="test", organisation=ayna, username="alice")
    _login(client, "alice", invitation.one_time_password)
    secret = client.get(reverse("core:account_setup")).context["secret"]
    response = client.post(
        reverse("core:account_setup"),
        {
            "current_password": invitation.one_time_password,
            "new_password": PASSWORD,
            "new_password_again": PASSWORD,
            "code": pyotp.TOTP(secret).now(),
        },
    )
    assert keyring.COOKIE_NAME in response.cookies
    request = _request_from(client, invitation.membership.user)
    public = bytes(OrganisationKey.objects.get().public_key)
    assert crypto.public_key_of(keyring.private_key(request)) == public


@pytest.mark.django_db
def test_lock_now_destroys_both_halves_and_logs_out(client, alice: Actor):
    _login(client, "alice", PASSWORD, alice.code())
    response = client.post(reverse("core:lock_now"))
    assert response.status_code == 302 and response.url == reverse("core:login")
    assert response.cookies[keyring.COOKIE_NAME].value == ""
    assert keyring.SESSION_FIELD not in client.session
    assert client.get(reverse("directory:service_list")).status_code == 302
    assert AuditEntry.objects.filter(action="session.lock").exists()


@pytest.mark.django_db
def test_recovery_key_restores_a_lost_copy(client, ayna):
    invitation = actions.coordinator_create(actor="test", organisation=ayna, username="alice")
    user = invitation.membership.user
    secret = actions.totp_new_secret()
    result = actions.account_setup_complete(
        user=user,
        current_password=invitation.one_time_password,
        new_password=PASSWORD,
        totp_secret=secret,
        totp_code=pyotp.TOTP(secret).now(),
    )
    MemberKeyWrap.objects.all().delete()  # her copy is lost
    client.force_login(user)
    bad = client.post(
        reverse("core:key_recover"),
        {"recovery_key": crypto.format_recovery_key(bytes(32)), "your_password": PASSWORD},
    )
    assert "does not open" in bad.content.decode()
    response = client.post(
        reverse("core:key_recover"),
        {"recovery_key": result.recovery_key, "your_password": PASSWORD},
    )
    assert response.status_code == 302
    assert actions.member_private_key(user=user, password=PASSWORD) == result.private_key
    assert AuditEntry.objects.filter(action="organisation.key_recover").exists()


@pytest.mark.django_db
def test_a_refused_api_post_does_not_lock_the_member(bob):
    # The REST framework makes a request anonymous when its CSRF check fails; the key cookie
    # must stay, since the member is still logged in.
    from django.urls import reverse

    from gbvwatch.cases.models import Incident
    from gbvwatch.cases.tests.test_incidents import _form, _logged_in
    from gbvwatch.core.keyring import COOKIE_NAME

    client = _logged_in(bob)
    assert client.post(reverse("cases:incident_create"), _form()).status_code == 302
    client.handler.enforce_csrf_checks = True
    response = client.post("/api/v1/services/", {}, content_type="application/json")
    assert response.status_code == 403
    assert COOKIE_NAME not in response.cookies  # neither set nor deleted
    detail = client.get(reverse("cases:incident_detail", args=[Incident.objects.get().pk]))
    assert detail.status_code == 200
