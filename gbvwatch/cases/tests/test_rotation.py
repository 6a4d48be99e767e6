"""Rotating the organisation key: records stay readable, members pick the new key up, the old
key and the old recovery key open nothing written afterwards."""

from __future__ import annotations

import pytest
from django.urls import reverse

from gbvwatch.cases.envelope import open_data_key
from gbvwatch.cases.models import Incident
from gbvwatch.cases.tests.test_incidents import _form, _logged_in
from gbvwatch.conftest import PASSWORD, Actor
from gbvwatch.core import actions, crypto
from gbvwatch.core.models import AuditEntry, MemberKeyWrap, OrganisationKey, User


@pytest.mark.django_db
def test_rotation_reseals_every_record_and_members_pick_up_the_new_key(alice: Actor, bob: Actor):
    bob_client = _logged_in(bob)
    for n in range(3):
        bob_client.post(reverse("cases:incident_create"), _form(survivor_name=f"person {n}"))
    old_private = actions.member_private_key(user=alice.user, password=PASSWORD)
    old_sealed = [bytes(i.data_key_sealed) for i in Incident.objects.all()]

    rotation = actions.organisation_key_rotate(actor=alice.user, password=PASSWORD)

    assert (rotation.version, rotation.records, rotation.members_to_pick_up) == (2, 3, 1)
    new_private = actions.member_private_key(user=alice.user, password=PASSWORD)
    assert new_private != old_private
    assert crypto.public_key_of(new_private) == bytes(OrganisationKey.objects.get().public_key)
    for incident in Incident.objects.all():
        open_data_key(new_private, bytes(incident.data_key_sealed))  # opens with the new key
        with pytest.raises(crypto.DecryptionError):
            open_data_key(old_private, bytes(incident.data_key_sealed))
    assert old_sealed != [bytes(i.data_key_sealed) for i in Incident.objects.all()]
    # Bob's copy of the old key is gone; he receives the new one at his next login.
    wrap = MemberKeyWrap.objects.get(membership__user=bob.user)
    assert bytes(wrap.wrapped_private_key) == b"" and wrap.sealed_for_member
    User.objects.filter(pk=bob.user.pk).update(totp_last_step=0)  # as if a minute had passed
    client = _logged_in(bob)
    incident = Incident.objects.order_by("created_at")[0]
    page = client.get(reverse("cases:incident_detail", args=[incident.pk])).content.decode()
    assert "person 0" in page
    wrap.refresh_from_db()
    assert wrap.key_version == 2 and not wrap.sealed_for_member
    assert AuditEntry.objects.filter(action="member.key_pick_up").exists()


@pytest.mark.django_db
def test_the_old_recovery_key_stops_working(ayna):
    import pyotp

    invitation = actions.coordinator_create(actor="test", organisation=ayna, username="alice")
    secret = actions.totp_new_secret()
    setup = actions.account_setup_complete(
        user=invitation.membership.user,
        current_password=invitation.one_time_password,
        new_password=PASSWORD,
        totp_secret=secret,
        totp_code=pyotp.TOTP(secret).now(),
    )
    user = invitation.membership.user
    rotation = actions.organisation_key_rotate(actor=user, password=PASSWORD)
    with pytest.raises(actions.ActionError):
        actions.organisation_key_recover(
            actor=user, recovery_key=setup.recovery_key or "", password=PASSWORD
        )
    restored = actions.organisation_key_recover(
        actor=user, recovery_key=rotation.recovery_key, password=PASSWORD
    )
    assert crypto.public_key_of(restored) == bytes(OrganisationKey.objects.get().public_key)


@pytest.mark.django_db
def test_rotation_page_shows_the_new_recovery_key_once(client, alice: Actor):
    client.force_login(alice.user)
    bad = client.post(reverse("core:key_rotate"), {"your_password": "wrong password!!"})
    assert bad.status_code == 200 and OrganisationKey.objects.get().version == 1
    response = client.post(reverse("core:key_rotate"), {"your_password": PASSWORD})
    assert response.context["rotation"].recovery_key in response.content.decode()
    assert OrganisationKey.objects.get().version == 2


@pytest.mark.django_db
def test_attacks_and_indicator_search_survive_a_rotation(alice: Actor, bob: Actor):
    from gbvwatch.cases.tests.test_attacks import _add, _create, _find, _found

    client = _logged_in(bob)
    attack = _create(client)
    assert _add(client, attack, "domain", "evil-domain.example").status_code == 302
    actions.organisation_key_rotate(actor=alice.user, password=PASSWORD)
    User.objects.filter(pk=bob.user.pk).update(totp_last_step=0)  # as if a minute had passed
    client = _logged_in(bob)
    assert attack.pk in _found(_find(client, "Evil-Domain.EXAMPLE", "domain"))
    assert client.get(reverse("cases:attack_detail", args=[attack.pk])).status_code == 200
