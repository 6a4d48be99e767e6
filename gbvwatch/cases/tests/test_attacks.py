"""Digital attacks on activists: encrypted at rest, indicators found by blind index only within
the organisation and only while its key is unlocked in the session."""

from __future__ import annotations

import logging
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from gbvwatch.cases import attacks_index
from gbvwatch.cases.models import Attack, BlindIndexKey, Campaign, Indicator, IndicatorKind
from gbvwatch.cases.tests.test_incidents import _everything_stored, _logged_in
from gbvwatch.conftest import Actor
from gbvwatch.core.models import AuditEntry

MARKERS = {
    "target_identity": "CANARY-IDENTITY-Leyla-Ə-51c2",
    "losses": "CANARY-LOSSES-40k-followers-ğ-9d1e",
    "narrative": "CANARY-NARRATIVE-ş-İ-\u202eRTL\u200b-e0a7",
}
CAMPAIGN_MARKER = "CANARY-CAMPAIGN-DESC-\u0131-77b0"
INDICATOR_MARKERS = {
    "domain": "Canary-Domain-6a1f.EXAMPLE",
    "email": "Canary.Mail.c3d9@Example.org",
    "url": "HTTPS://Canary-Url-2b7e.example/Login?next=Q4",
    "handle": "@Canary_Handle_f02c",
    "phone": "+994 (55) 867-53-09",
    "file_sha256": "C4A7" + "ab" * 30,
}
EVIL = "evil-domain.example"


def _form(**overrides: Any) -> dict[str, Any]:
    data = {
        "target_pseudonym": "Activist A", "platform": "instagram",
        "attack_types": ["account_takeover", "smear_campaign"], "started_on": "2026-10-01",
        "detected_on": "2026-10-02", "reported_on": "2026-10-05", "consent_statistics": "on",
        **MARKERS,
    }  # fmt: skip
    data.update(overrides)
    return data


def _create(client: Client, **overrides: Any) -> Attack:
    response = client.post(reverse("cases:attack_create"), _form(**overrides))
    assert response.status_code == 302, response.context["form"].errors
    return Attack.objects.get(pk=response["Location"].rstrip("/").rsplit("/", 1)[-1])


def _add(client: Client, attack: Attack, kind: str, value: str) -> Any:
    return client.post(
        reverse("cases:indicator_add", args=[attack.pk]), {"kind": kind, "value": value}
    )


def _find(client: Client, value: str, kind: str = "") -> Any:
    return client.post(reverse("cases:attack_find"), {"kind": kind, "value": value})


def _found(response: Any) -> set[Any]:
    assert response.status_code == 200, response.content.decode()[:2000]
    return {a.pk for a in response.context["results"]}


def _campaign(client: Client, label: str, description: str = "") -> Campaign:
    response = client.post(
        reverse("cases:campaign_create"), {"label": label, "description": description}
    )
    assert response.status_code == 302, response.context["form"].errors
    return Campaign.objects.get(label=label)


@pytest.mark.django_db
def test_attack_indicators_and_campaign_are_stored_only_encrypted(
    bob: Actor, caplog: pytest.LogCaptureFixture
):
    caplog.set_level(logging.DEBUG)
    client = _logged_in(bob)
    campaign = _campaign(client, "Campaign A", CAMPAIGN_MARKER)
    attack = _create(client, campaign=str(campaign.pk))
    for kind, value in INDICATOR_MARKERS.items():
        assert _add(client, attack, kind, value).status_code == 302
    page = client.get(reverse("cases:attack_detail", args=[attack.pk])).content.decode()
    for marker in MARKERS.values():
        assert marker.split("\u202e")[0] in page  # shown to her, escaped
    for value in INDICATOR_MARKERS.values():
        assert value.strip() in page.replace("&amp;", "&")
    assert (
        CAMPAIGN_MARKER
        in client.get(reverse("cases:campaign_detail", args=[campaign.pk])).content.decode()
    )
    client.get(reverse("cases:attack_edit", args=[attack.pk]))
    client.get(reverse("cases:attack_list"))
    assert _found(_find(client, INDICATOR_MARKERS["email"])) == {attack.pk}
    _add(client, attack, "email", "not an address CANARY-BAD-1")  # an error path
    stored = _everything_stored()
    stored_lower = stored.lower()
    secrets = [*MARKERS.values(), CAMPAIGN_MARKER, *INDICATOR_MARKERS.values()]
    for secret in secrets:
        core = secret.lstrip("+@").lower()[:14]
        assert core not in stored_lower, f"{core} found in the database"
        assert core not in caplog.text.lower(), f"{core} found in the logs"
    assert "canary-bad" not in stored_lower
    assert "994558675309" not in stored and "558675309" not in stored  # any form of the phone
    assert Indicator.objects.filter(attack=attack).count() == len(INDICATOR_MARKERS)
    actions = set(AuditEntry.objects.values_list("action", flat=True))
    assert {"attack.create", "attack.read", "indicator.add", "indicator.find"} <= actions
    assert {"campaign.create", "campaign.read"} <= actions


@pytest.mark.django_db
def test_exact_match_lookup_finds_the_attack_whatever_the_case(bob: Actor):
    client = _logged_in(bob)
    attack, other = _create(client), _create(client, target_pseudonym="Activist B")
    for kind, value in [
        ("domain", EVIL),
        ("phone", "+994 50 123 45 67"),
        ("url", "https://evil-domain.example/Login"),
        ("handle", "activist_hunter"),
        ("file_sha256", "ab" * 32),
    ]:
        assert _add(client, attack, kind, value).status_code == 302
    assert _add(client, other, "email", "x@" + EVIL).status_code == 302
    assert _found(_find(client, "Evil-Domain.EXAMPLE")) == {attack.pk}
    assert _found(_find(client, "Evil-Domain.EXAMPLE.", "domain")) == {attack.pk}
    assert _found(_find(client, "00994-50-123-45-67", "phone")) == {attack.pk}
    assert _found(_find(client, "HTTPS://EVIL-domain.example:443/Login#top")) == {attack.pk}
    assert _found(_find(client, "https://evil-domain.example/login")) == set()  # path keeps case
    assert _found(_find(client, "@Activist_Hunter")) == {attack.pk}
    assert _found(_find(client, "AB" * 32)) == {attack.pk}
    assert _found(_find(client, "X@Evil-Domain.Example")) == {other.pk}
    assert _found(_find(client, "evil-domain.example", "handle")) == set()  # kind matters
    assert _found(_find(client, "good-domain.example")) == set()


@pytest.mark.django_db
def test_lookup_stays_within_the_organisation_and_indexes_differ(bob: Actor, erin: Actor):
    bob_client, erin_client = _logged_in(bob), _logged_in(erin)
    bobs, erins = _create(bob_client), _create(erin_client)
    assert _add(bob_client, bobs, "domain", EVIL).status_code == 302
    assert _add(erin_client, erins, "domain", EVIL.upper()).status_code == 302
    assert _add(erin_client, erins, "handle", "only_at_nafas").status_code == 302
    assert _found(_find(bob_client, EVIL)) == {bobs.pk}
    assert _found(_find(erin_client, EVIL)) == {erins.pk}
    assert _found(_find(bob_client, "only_at_nafas")) == set()
    bob_index, erin_index = (
        Indicator.objects.get(attack=a, kind="domain").blind_index for a in (bobs, erins)
    )
    assert bob_index != erin_index
    assert BlindIndexKey.objects.count() == 2


@pytest.mark.django_db
def test_a_locked_session_cannot_search_or_read(bob: Actor):
    client = _logged_in(bob)
    campaign = _campaign(client, "Campaign L", CAMPAIGN_MARKER)
    attack = _create(client, campaign=str(campaign.pk))
    assert _add(client, attack, "domain", EVIL).status_code == 302
    client.cookies.pop("gbvw_unlock")  # the cookie half is gone (e.g. another browser)
    response = _find(client, EVIL)
    assert response.status_code == 423
    page = response.content.decode()
    assert 'id="find-locked"' in page and 'id="find-results"' not in page
    assert 'id="find-locked"' in client.get(reverse("cases:attack_find")).content.decode()
    for url in (
        reverse("cases:attack_detail", args=[attack.pk]),
        reverse("cases:attack_edit", args=[attack.pk]),
        reverse("cases:campaign_detail", args=[campaign.pk]),
    ):
        response = client.get(url)
        assert response.status_code == 423
        page = response.content.decode()
        assert 'id="locked-message"' in page
        assert MARKERS["target_identity"] not in page and CAMPAIGN_MARKER not in page
    assert _add(client, attack, "handle", "someone").status_code == 423
    assert Indicator.objects.count() == 1
    assert client.get(reverse("cases:attack_list")).status_code == 200  # coded fields only


@pytest.mark.django_db
def test_an_indicator_moved_to_another_attack_does_not_open(bob: Actor):
    client = _logged_in(bob)
    first, second = _create(client), _create(client)
    assert _add(client, first, "domain", EVIL).status_code == 302
    Attack.objects.filter(pk=second.pk).update(data_key_sealed=first.data_key_sealed)
    Indicator.objects.update(attack=second)
    assert client.get(reverse("cases:attack_detail", args=[second.pk])).status_code == 423


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"platform": "myspace"}, "platform"),
        ({"attack_types": ["burglary"]}, "attack_types"),
        ({"attack_types": []}, "attack_types"),
        ({"target_pseudonym": ""}, "target_pseudonym"),
        ({"detected_on": "2026-09-01"}, "detected_on"),
        ({"reported_on": "2026-02-30"}, "reported_on"),
        ({"narrative": "a\x00b"}, "narrative"),
        ({"losses": "x" * 20_001}, "losses"),
        ({"campaign": "00000000-0000-0000-0000-000000000000"}, "campaign"),
    ],
)
@pytest.mark.django_db
def test_bad_attack_input_names_the_field_and_writes_nothing(bob: Actor, overrides, field):
    client = _logged_in(bob)
    response = client.post(reverse("cases:attack_create"), _form(**overrides))
    assert response.status_code == 200 and field in response.context["form"].errors
    assert not Attack.objects.exists()


@pytest.mark.parametrize(
    ("kind", "value", "field"),
    [
        ("file_sha256", "abc123", "value"),
        ("file_sha256", "g" * 64, "value"),
        ("email", "not-an-email", "value"),
        ("email", "two@@example.org", "value"),
        ("url", "evil-domain.example/login", "value"),
        ("url", "javascript:alert(1)", "value"),
        ("url", "https://exa mple.org/", "value"),
        ("domain", "-bad-.example", "value"),
        ("domain", "localhost", "value"),
        ("phone", "call me maybe", "value"),
        ("phone", "123", "value"),
        ("handle", "has space", "value"),
        ("handle", "", "value"),
        ("ip", "10.0.0.1", "kind"),
        ("domain", "x\x00.example", "value"),
    ],
)
@pytest.mark.django_db
def test_bad_indicator_names_the_field_and_writes_nothing(bob: Actor, kind, value, field):
    client = _logged_in(bob)
    attack = _create(client)
    response = _add(client, attack, kind, value)
    assert response.status_code == 200 and field in response.context["form"].errors
    assert not Indicator.objects.exists()
    assert not BlindIndexKey.objects.exists()


@pytest.mark.django_db
def test_bad_search_names_the_field_and_the_same_indicator_is_not_added_twice(bob: Actor):
    client = _logged_in(bob)
    attack = _create(client)
    for kind, value in [("", "%%% ???"), ("file_sha256", "xyz"), ("", "")]:
        response = _find(client, value, kind)
        assert response.status_code == 200 and "value" in response.context["form"].errors
        assert response.context["results"] is None
    assert _add(client, attack, "domain", EVIL).status_code == 302
    response = _add(client, attack, "domain", "EVIL-DOMAIN.example")
    assert response.status_code == 200 and "value" in response.context["form"].errors
    assert Indicator.objects.count() == 1


@pytest.mark.django_db
def test_a_campaign_lists_its_own_attacks(bob: Actor, erin: Actor):
    client = _logged_in(bob)
    a, b = _campaign(client, "Campaign A"), _campaign(client, "Campaign B")
    in_a = {_create(client, campaign=str(a.pk)).pk, _create(client, campaign=str(a.pk)).pk}
    in_b = _create(client, campaign=str(b.pk)).pk
    _create(client)
    response = client.get(reverse("cases:campaign_detail", args=[a.pk]))
    assert {x.pk for x in response.context["attacks"]} == in_a
    response = client.get(reverse("cases:campaign_detail", args=[b.pk]))
    assert {x.pk for x in response.context["attacks"]} == {in_b}
    campaigns = client.get(reverse("cases:campaign_list")).context["campaigns"]
    counts = {c.label: c.attack_count for c in campaigns}
    assert counts == {"Campaign A": 2, "Campaign B": 1}
    response = client.post(reverse("cases:campaign_create"), {"label": "campaign a"})
    assert response.status_code == 200 and "label" in response.context["form"].errors
    # Another organisation's campaign cannot be chosen.
    erins = _campaign(_logged_in(erin), "Campaign N")
    response = client.post(reverse("cases:attack_create"), _form(campaign=str(erins.pk)))
    assert response.status_code == 200 and "campaign" in response.context["form"].errors


@pytest.mark.django_db
def test_another_organisation_gets_404(bob: Actor, erin: Actor):
    bob_client = _logged_in(bob)
    campaign = _campaign(bob_client, "Campaign A")
    attack = _create(bob_client, campaign=str(campaign.pk))
    client = _logged_in(erin)
    for url in (
        reverse("cases:attack_detail", args=[attack.pk]),
        reverse("cases:attack_edit", args=[attack.pk]),
        reverse("cases:indicator_add", args=[attack.pk]),
        reverse("cases:campaign_detail", args=[campaign.pk]),
        reverse("cases:attack_detail", args=["not-a-uuid"]),
    ):
        assert client.get(url).status_code == 404, url
    assert _add(client, attack, "domain", EVIL).status_code == 404
    assert list(client.get(reverse("cases:attack_list")).context["page"]) == []
    assert list(client.get(reverse("cases:campaign_list")).context["campaigns"]) == []
    assert not Indicator.objects.exists()


@pytest.mark.django_db
def test_edit_keeps_the_data_key_and_the_indicators(bob: Actor):
    client = _logged_in(bob)
    attack = _create(client)
    assert _add(client, attack, "domain", EVIL).status_code == 302
    sealed = bytes(attack.data_key_sealed)
    response = client.post(
        reverse("cases:attack_edit", args=[attack.pk]),
        _form(platform="telegram", narrative="updated CANARY-EDIT-5e1"),
    )
    assert response.status_code == 302, response.context["form"].errors
    attack.refresh_from_db()
    assert bytes(attack.data_key_sealed) == sealed
    entry = AuditEntry.objects.filter(action="attack.update").get()
    assert entry.details["coded_fields_changed"] == ["platform"]
    assert "CANARY-EDIT" not in _everything_stored()
    page = client.get(reverse("cases:attack_detail", args=[attack.pk])).content.decode()
    assert "updated CANARY-EDIT-5e1" in page and EVIL in page


@pytest.mark.django_db
def test_analysts_and_viewers_have_no_access_to_attacks(carol: Actor, dave: Actor):
    for actor in (carol, dave):
        client = Client()
        client.force_login(actor.user)
        assert client.get(reverse("cases:attack_list")).status_code == 403
        assert client.post(reverse("cases:attack_find"), {"value": EVIL}).status_code == 403


@pytest.mark.parametrize(
    ("kind", "entered", "normal"),
    [
        ("domain", "Evil-Domain.EXAMPLE.", "evil-domain.example"),
        ("domain", "Bücher.example", "xn--bcher-kva.example"),
        ("email", "Someone.Else@Evil-Domain.EXAMPLE", "someone.else@evil-domain.example"),
        ("phone", "+994 (50) 123-45-67", "994501234567"),
        ("phone", "00994501234567", "994501234567"),
        ("phone", "050 123 45 67", "994501234567"),  # national form, trunk 0
        ("phone", "+994 (050) 123-45-67", "994501234567"),  # trunk 0 kept by mistake
        ("phone", "0123 4567", "01234567"),  # not a national number of the country: as is
        ("file_sha256", " " + "AB" * 32 + " ", "ab" * 32),
        ("handle", "@Activist_Hunter", "activist_hunter"),
        ("url", "HTTPS://Evil-Domain.Example:443/Path?Q=1#frag", "https://evil-domain.example/Path?Q=1"),
        ("url", "http://EVIL-domain.example:8080", "http://evil-domain.example:8080/"),
        ("url", "http://[2001:DB8::1]/x", "http://[2001:db8::1]/x"),
    ],
)  # fmt: skip
def test_normal_forms(kind, entered, normal):
    assert attacks_index.normalise(kind, entered) == normal


HOSTILE = [
    "Gülnarə \u202eevil\u202c zero\u200bwidth", "\x00", "a" * 100_000, "<script>x</script>",
    "http://[::1", "http://a.example:99999/", "x@" + "a" * 300 + ".example", "xn--.example",
    "@", "+", "00", "\ud7ff", "https://user:pw@Evil-Domain.example/", "",
]  # fmt: skip


@pytest.mark.django_db
def test_hostile_input_with_an_unlocked_session_never_causes_a_server_error(bob: Actor):
    # The site-wide hostile-input test runs locked; here the key is there, so the paths that
    # normalise, index and encrypt run too.
    client = _logged_in(bob)
    attack = _create(client)
    for payload in HOSTILE:
        for kind in ["", "ip", *IndicatorKind.values]:
            assert _add(client, attack, kind, payload).status_code in {200, 302}
            assert _find(client, payload, kind).status_code == 200
        response = client.post(
            reverse("cases:attack_create"), _form(target_pseudonym=payload, losses=payload)
        )
        assert response.status_code in {200, 302}
        response = client.post(
            reverse("cases:campaign_create"), {"label": payload, "description": payload}
        )
        assert response.status_code in {200, 302}
