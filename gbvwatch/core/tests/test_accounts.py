"""Login with two factors, first-login set-up, keys, invitations and deactivation."""

from __future__ import annotations

import pyotp
import pytest
from django.urls import reverse

from gbvwatch.conftest import PASSWORD, Actor
from gbvwatch.core import actions, crypto
from gbvwatch.core.models import AuditEntry, MemberKeyWrap, OrganisationKey, User


def _login(client, username, password, code=""):
    return client.post(
        reverse("core:login"), {"username": username, "password": password, "code": code}
    )


@pytest.mark.django_db
def test_first_login_forces_password_and_totp_then_shows_recovery_key_once(client, ayna):
    invitation = actions.coordinator_create(actor="test", organisation=ayna, username="alice")
    response = _login(client, "alice", invitation.one_time_password)
    assert response.status_code == 302
    # Until set-up is done every page leads to set-up.
    assert client.get(reverse("directory:service_list")).url == reverse("core:account_setup")
    page = client.get(reverse("core:account_setup"))
    secret = page.context["secret"]
    response = client.post(
        reverse("core:account_setup"),
        {
            "current_password": invitation.one_time_password,
            "new_password": PASSWORD,
            "new_password_again": PASSWORD,
            "code": pyotp.TOTP(secret).now(),
        },
    )
    recovery_key = response.context["recovery_key"]
    assert recovery_key and recovery_key.encode() not in response.content.replace(
        recovery_key.encode(), b""
    )
    key = OrganisationKey.objects.get(organisation=ayna)
    private = crypto.unwrap_with_recovery_key(
        ayna.pk, bytes(key.recovery_wrapped_private_key), recovery_key
    )
    assert len(private) == 32
    assert recovery_key not in str(list(AuditEntry.objects.values()))
    assert client.get(reverse("directory:service_list")).status_code == 200


@pytest.mark.django_db
def test_weak_new_password_is_refused_with_a_clear_message(client, ayna):
    invitation = actions.coordinator_create(actor="test", organisation=ayna, username="alice")
    _login(client, "alice", invitation.one_time_password)
    secret = client.get(reverse("core:account_setup")).context["secret"]
    response = client.post(
        reverse("core:account_setup"),
        {
            "current_password": invitation.one_time_password,
            "new_password": "short",
            "new_password_again": "short",
            "code": pyotp.TOTP(secret).now(),
        },
    )
    assert response.status_code == 200
    assert "at least 12 characters" in response.content.decode()
    assert not OrganisationKey.objects.exists()


@pytest.mark.django_db
def test_login_needs_the_totp_code_once_enrolled(client, alice: Actor):
    assert _login(client, "alice", PASSWORD, "").status_code == 200
    assert _login(client, "alice", PASSWORD, "000000").status_code == 200
    response = _login(client, "alice", PASSWORD, alice.code())
    assert response.status_code == 302


@pytest.mark.django_db
def test_a_totp_code_cannot_be_replayed(client, alice: Actor):
    code = alice.code()
    assert _login(client, "alice", PASSWORD, code).status_code == 302
    client.logout()
    assert _login(client, "alice", PASSWORD, code).status_code == 200


@pytest.mark.django_db
def test_failure_message_is_the_same_for_unknown_users_and_wrong_passwords(client, alice: Actor):
    unknown = _login(client, "nobody", "whatever-password", "123456").content.decode()
    wrong = _login(client, "alice", "wrong-password!!", alice.code()).content.decode()
    message = "The username, password or code is not correct."
    assert message in unknown and message in wrong


@pytest.mark.django_db
def test_repeated_failures_cool_off_without_permanent_lockout(client, alice: Actor, settings):
    settings.LOGIN_FAILURES_BEFORE_COOLOFF = 3
    for _ in range(3):
        _login(client, "alice", "wrong-password!!")
    response = _login(client, "alice", PASSWORD, alice.code())
    assert response.status_code == 429
    # The cool-off ends by itself.
    from datetime import timedelta

    from django.utils import timezone

    from gbvwatch.core.models import LoginFailure

    LoginFailure.objects.update(
        at=timezone.now() - timedelta(seconds=settings.LOGIN_COOLOFF_SECONDS + 1)
    )
    assert _login(client, "alice", PASSWORD, alice.code()).status_code == 302


@pytest.mark.django_db
def test_invited_member_receives_a_copy_of_the_organisation_key(alice: Actor, bob: Actor):
    alice_key = actions.member_private_key(user=alice.user, password=PASSWORD)
    bob_key = actions.member_private_key(user=bob.user, password=PASSWORD)
    assert alice_key == bob_key
    public = OrganisationKey.objects.get().public_key
    sealed = crypto.seal_to_public_key(bytes(public), b"case")
    assert crypto.open_sealed(bob_key, sealed) == b"case"


@pytest.mark.django_db
def test_invitation_needs_the_coordinators_own_password(alice: Actor):
    with pytest.raises(actions.ActionError):
        actions.member_invite(actor=alice.user, username="x", role="viewer", actor_password="nope")
    assert not User.objects.filter(username="x").exists()


@pytest.mark.django_db
def test_password_change_rewraps_key_and_totp(client, alice: Actor):
    before = actions.member_private_key(user=alice.user, password=PASSWORD)
    new = "another long passphrase 42"
    actions.password_change(user=alice.user, current_password=PASSWORD, new_password=new)
    alice.user.refresh_from_db()
    assert actions.member_private_key(user=alice.user, password=new) == before
    with pytest.raises(actions.ActionError):
        actions.member_private_key(user=alice.user, password=PASSWORD)
    assert _login(client, "alice", new, alice.code()).status_code == 302


@pytest.mark.django_db
def test_deactivated_member_cannot_log_in_and_loses_her_key_copy(client, alice: Actor, bob: Actor):
    assert _login(client, "bob", PASSWORD, bob.code()).status_code == 302
    actions.member_deactivate(actor=alice.user, membership=bob.user.membership)
    assert not MemberKeyWrap.objects.filter(membership__user=bob.user).exists()
    # Her open session is gone.
    assert client.get(reverse("directory:service_list")).status_code == 302
    client.logout()
    assert _login(client, "bob", PASSWORD, bob.code()).status_code == 200


@pytest.mark.django_db
def test_coordinator_invites_through_the_page_and_sees_the_password_once(client, alice: Actor):
    client.force_login(alice.user)
    response = client.post(
        reverse("core:member_invite"),
        {"username": "frank", "role": "caseworker", "your_password": PASSWORD},
    )
    assert response.status_code == 200
    otp = response.context["invitation"].one_time_password
    assert otp in response.content.decode()
    assert response["Cache-Control"] == "no-store"
    assert User.objects.get(username="frank").check_password(otp)


@pytest.mark.django_db
def test_role_change_and_deactivation_are_audited(client, alice: Actor, bob: Actor):
    client.force_login(alice.user)
    m = bob.user.membership
    client.post(reverse("core:member_role", args=[m.pk]), {"role": "viewer"})
    client.post(reverse("core:member_deactivate", args=[m.pk]))
    actions_logged = set(AuditEntry.objects.values_list("action", flat=True))
    assert {"member.set_role", "member.deactivate", "member.invite"} <= actions_logged


@pytest.mark.django_db
def test_bootstrap_is_idempotent(capsys):
    from django.core.management import call_command

    call_command("bootstrap")
    first = capsys.readouterr().out
    assert "one-time password" in first
    call_command("bootstrap")
    assert "nothing to do" in capsys.readouterr().out
    assert User.objects.count() == 1


@pytest.mark.django_db
def test_org_create_command_prints_a_one_time_password_and_rejects_duplicates(capsys):
    from django.core.management import CommandError, call_command

    call_command("org", "create", "Fem-utopia", "--coordinator", "lala")
    out = capsys.readouterr().out
    password = out.split("one-time password:")[1].split()[0]
    assert User.objects.get(username="lala").check_password(password)
    with pytest.raises(CommandError, match="already exists"):
        call_command("org", "create", "fem-utopia", "--coordinator", "other")
    call_command("org", "list", "--format", "json")
    assert '"members": 1' in capsys.readouterr().out


@pytest.mark.django_db
def test_member_lists_her_sessions_and_ends_one_from_another_browser(alice: Actor):
    from django.test import Client

    phone, laptop = Client(), Client()
    assert _login(phone, "alice", PASSWORD, alice.code()).status_code == 302
    # As if a minute had passed, so that a fresh code is inside the accepted window again.
    User.objects.filter(pk=alice.user.pk).update(totp_last_step=0)
    assert _login(laptop, "alice", PASSWORD, alice.code()).status_code == 302
    sessions = list(laptop.get(reverse("core:account")).context["sessions"])
    assert len(sessions) == 2
    phone_record = next(s for s in sessions if s.session_key == phone.session.session_key)
    laptop.post(reverse("core:session_end", args=[phone_record.pk]))
    assert phone.get(reverse("directory:service_list")).status_code == 302  # logged out
    assert laptop.get(reverse("directory:service_list")).status_code == 200
    assert AuditEntry.objects.filter(action="session.end").count() == 1


@pytest.mark.django_db
def test_language_can_be_switched_during_set_up(client, ayna):
    invitation = actions.coordinator_create(actor="test", organisation=ayna, username="alice")
    _login(client, "alice", invitation.one_time_password)
    response = client.post(
        reverse("core:set_language"), {"language": "az", "next": reverse("core:account_setup")}
    )
    assert response.status_code == 302 and response.url == reverse("core:account_setup")
    assert response.cookies["gbvw_lang"].value == "az"
