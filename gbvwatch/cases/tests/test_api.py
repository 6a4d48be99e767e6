"""The REST API of case records: session authentication with CSRF, organisation scoping,
sensitive fields only with the session's key (423 otherwise), clear errors naming the field
with nothing written, and an OpenAPI schema without warnings."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.test import Client
from django.urls import reverse
from drf_spectacular.drainage import GENERATOR_STATS
from drf_spectacular.generators import SchemaGenerator
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gbvwatch.cases.evidence_actions import evidence_attach
from gbvwatch.cases.models import Attack, Campaign, Evidence, Incident, Indicator, Refusal
from gbvwatch.cases.tests.test_incidents import _everything_stored, _logged_in
from gbvwatch.conftest import Actor
from gbvwatch.core.models import AuditEntry
from gbvwatch.geography.models import AdminUnit

MARKERS = {
    "survivor_name": "CANARY-API-NAME-Gülnarə-3e1b",
    "contact": "CANARY-API-PHONE-+994501112233",
    "exact_place": "CANARY-API-PLACE-Nizami-küç-7",
    "narrative": "CANARY-API-NARRATIVE-ə-ğ-\u0131-İ-ş-\u202eRTL\u200b",
}
ATTACK_MARKERS = {
    "target_identity": "CANARY-API-IDENTITY-Leyla-Ə-41aa",
    "losses": "CANARY-API-LOSSES-ğ-5b0c",
    "narrative": "CANARY-API-ATTACK-NARRATIVE-ş-77d1",
}
INCIDENTS = reverse("api-case-incident-list")
ATTACKS = reverse("api-case-attack-list")
LOOKUP = reverse("api-case-indicator-lookup")


def _incident_body(**overrides: Any) -> dict[str, Any]:
    body = {
        "type": "physical_assault", "incident_date": "2026-10-01",
        "first_contact_date": "2026-10-03", "setting": "home", "age_band": "26-40",
        "gender_identity": "trans_woman", "disability": "no", "perpetrator": "intimate_partner",
        "services_sought": ["shelter_dv", "legal_aid"], "consent_statistics": True,
        "refusals": [{"service_kind": "shelter_dv", "reason": "gender_identity"}], **MARKERS,
    }  # fmt: skip
    body.update(overrides)
    return body


def _attack_body(**overrides: Any) -> dict[str, Any]:
    body = {
        "target_pseudonym": "Activist A", "platform": "instagram",
        "attack_types": ["account_takeover", "smear_campaign"], "started_on": "2026-10-01",
        "detected_on": "2026-10-02", "consent_statistics": True, **ATTACK_MARKERS,
    }  # fmt: skip
    body.update(overrides)
    return body


def _send(client: Client, method: str, url: str, body: Any) -> Any:
    if method == "get":
        return client.get(url)
    raw = body if isinstance(body, str | bytes) else json.dumps(body)
    return getattr(client, method)(url, raw, content_type="application/json")


def _created(client: Client, url: str, body: dict[str, Any]) -> dict[str, Any]:
    response = _send(client, "post", url, body)
    assert response.status_code == 201, response.content.decode()[:2000]
    data: dict[str, Any] = response.json()
    return data


def _lock(client: Client) -> None:
    client.cookies.pop("gbvw_unlock")  # the cookie half is gone: the session holds no key


def _detail(kind: str, pk: Any) -> str:
    return reverse(f"api-case-{kind}-detail", args=[pk])


@pytest.fixture
def baku(db: Any) -> AdminUnit:
    return AdminUnit.objects.create(
        country="AZ", code="baku", name_en="Baku", unit_type="city", centre_lat=40.4,
        centre_lon=49.9,
    )  # fmt: skip


# --- Incidents -------------------------------------------------------------------------------


@pytest.mark.django_db
def test_caseworker_records_and_reads_an_incident_stored_only_encrypted(bob: Actor, baku):
    client = _logged_in(bob)
    created = _created(client, INCIDENTS, _incident_body(unit="baku", assigned_to="bob"))
    assert set(MARKERS).isdisjoint(created)  # the answer to a write holds coded fields only
    assert created["unit"] == "baku" and created["assigned_to"] == "bob"
    assert created["refusals"][0]["reason"] == "gender_identity"
    response = client.get(_detail("incident", created["id"]))
    assert response.status_code == 200
    assert {k: response.json()[k] for k in MARKERS} == MARKERS
    stored = _everything_stored()
    for marker in MARKERS.values():
        assert marker[:18] not in stored
    assert AuditEntry.objects.filter(action="incident.create").count() == 1
    assert AuditEntry.objects.filter(action="incident.read").count() == 1
    listed = client.get(INCIDENTS).json()
    assert listed["count"] == 1 and "narrative" not in listed["results"][0]


@pytest.mark.django_db
def test_a_locked_session_gets_423_never_ciphertext_but_can_still_record(bob: Actor):
    client = _logged_in(bob)
    created = _created(client, INCIDENTS, _incident_body())
    _lock(client)
    for method, body in (("get", None), ("patch", {"narrative": "changed"})):
        response = _send(client, method, _detail("incident", created["id"]), body or {})
        assert response.status_code == 423
        assert response.json()["code"] == "locked" and "detail" in response.json()
        text = response.content.decode()
        assert MARKERS["survivor_name"] not in text and "\\x" not in text
    assert client.get(INCIDENTS).status_code == 200  # coded fields need no key
    _created(client, INCIDENTS, _incident_body())  # encrypting needs only the public key
    assert AuditEntry.objects.filter(action__in=["incident.read", "incident.update"]).count() == 0


@pytest.mark.django_db
def test_a_shredded_incident_answers_423_cannot_decrypt(bob: Actor):
    from gbvwatch.cases import casework_actions

    client = _logged_in(bob)
    created = _created(client, INCIDENTS, _incident_body())
    casework_actions.case_shred(actor=bob.user, case=Incident.objects.get())
    response = client.get(_detail("incident", created["id"]))
    assert response.status_code == 423 and response.json()["code"] == "cannot_decrypt"


@pytest.mark.django_db
def test_an_organisation_without_a_key_yet_gets_409_and_nothing_is_written(client):
    from gbvwatch.core.models import Membership, Organisation, Role, User

    organisation = Organisation.objects.create(name="New", slug="new")  # set-up not finished
    user = User.objects.create(username="early", totp_secret_encrypted=b"enrolled")
    Membership.objects.create(user=user, organisation=organisation, role=Role.CASEWORKER)
    client.force_login(user)
    for url, body in ((INCIDENTS, _incident_body()), (ATTACKS, _attack_body())):
        response = _send(client, "post", url, body)
        assert response.status_code == 409 and "coordinator" in response.json()["detail"]
    assert Incident.objects.count() == Attack.objects.count() == 0


@pytest.mark.django_db
def test_patch_changes_only_the_fields_sent(bob: Actor):
    client = _logged_in(bob)
    created = _created(client, INCIDENTS, _incident_body())
    url = _detail("incident", created["id"])
    response = _send(client, "patch", url, {"narrative": "new words", "type": "rape"})
    assert response.status_code == 200, response.json()
    data = response.json()
    assert data["narrative"] == "new words" and data["type"] == "rape"
    assert data["survivor_name"] == MARKERS["survivor_name"]
    assert data["refusals"][0]["reason"] == "gender_identity"  # not sent: kept
    assert client.get(url).json()["narrative"] == "new words"
    update = AuditEntry.objects.get(action="incident.update")
    assert update.details["coded_fields_changed"] == ["type"]
    cleared = _send(client, "patch", url, {"refusals": []}).json()
    assert cleared["refusals"] == [] and Refusal.objects.count() == 0


@pytest.mark.django_db
def test_list_filters_by_type_district_assignment_and_date_with_pagination(
    bob: Actor, alice: Actor, baku
):
    client = _logged_in(bob)
    _created(client, INCIDENTS, _incident_body(type="rape", unit="baku", assigned_to="bob"))
    _created(client, INCIDENTS, _incident_body(type="femicide", incident_date="2025-01-05"))
    _created(client, INCIDENTS, _incident_body(type="rape", assigned_to="alice"))

    def count(**params: str) -> int:
        response = client.get(INCIDENTS, params)
        assert response.status_code == 200, response.json()
        return int(response.json()["count"])

    assert count() == 3
    assert count(type="rape") == 2
    assert count(unit="baku") == 1
    assert count(mine="true") == 1
    assert count(date_from="2026-01-01") == 2
    assert count(date_from="2025-01-01", date_to="2025-12-31") == 1
    page = client.get(INCIDENTS, {"limit": "2", "offset": "2"}).json()
    assert page["count"] == 3 and len(page["results"]) == 1 and page["next"] is None
    bad = client.get(INCIDENTS, {"type": "robbery", "unit": "atlantis", "date_to": "2026-02-30"})
    assert bad.status_code == 400
    assert set(bad.json()) == {"type", "unit", "date_to"}
    reversed_range = client.get(INCIDENTS, {"date_from": "2026-02-01", "date_to": "2026-01-01"})
    assert reversed_range.status_code == 400 and "date_to" in reversed_range.json()


@pytest.mark.django_db
def test_another_organisations_records_are_404(bob: Actor, erin: Actor):
    theirs = _logged_in(erin)
    incident = _created(theirs, INCIDENTS, _incident_body())
    attack = _created(theirs, ATTACKS, _attack_body())
    client = _logged_in(bob)
    urls = [
        _detail("incident", incident["id"]),
        _detail("attack", attack["id"]),
        reverse("api-case-incident-evidence", args=[incident["id"]]),
        reverse("api-case-attack-evidence", args=[attack["id"]]),
    ]
    for url in urls:
        assert client.get(url).status_code == 404, url
    for url in urls[:2]:
        assert _send(client, "patch", url, {"narrative": "x"}).status_code == 404
    indicator_url = reverse("api-case-indicator-add", args=[attack["id"]])
    assert (
        _send(client, "post", indicator_url, {"kind": "domain", "value": "a.example"}).status_code
        == 404
    )
    assert client.get(INCIDENTS).json()["count"] == 0
    assert client.get(ATTACKS).json()["count"] == 0
    assert client.get(_detail("incident", "not-a-uuid")).status_code == 404
    # A campaign of another organisation cannot be linked either.
    erin_campaign = Campaign.objects.create(
        organisation=erin.user.membership.organisation, label="E"
    )
    response = _send(client, "post", ATTACKS, _attack_body(campaign=str(erin_campaign.pk)))
    assert response.status_code == 400 and list(response.json()) == ["campaign"]


@pytest.mark.django_db
def test_anonymous_and_members_without_case_permission_get_403_without_details(
    client, carol: Actor, dave: Actor, bob: Actor
):
    incident = _created(_logged_in(bob), INCIDENTS, _incident_body())
    urls = [INCIDENTS, ATTACKS, _detail("incident", incident["id"])]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 403
        assert list(response.json()) == ["detail"]
    assert _send(client, "post", INCIDENTS, _incident_body()).status_code == 403
    for actor in (carol, dave):
        logged_in = _logged_in(actor)
        for url in urls:
            assert logged_in.get(url).status_code == 403
        assert _send(logged_in, "post", INCIDENTS, _incident_body()).status_code == 403
        assert _send(logged_in, "post", LOOKUP, {"value": "a.example"}).status_code == 403
    assert Incident.objects.count() == 1


@pytest.mark.django_db
def test_csrf_is_enforced_for_unsafe_methods(bob: Actor):
    client = Client(enforce_csrf_checks=True)
    client.get(reverse("core:login"))
    token = client.cookies["gbvw_csrf"].value
    response = client.post(
        reverse("core:login"),
        {"username": "bob", "password": bob.password, "code": bob.code()},
        HTTP_X_CSRFTOKEN=token,
    )
    assert response.status_code == 302  # logged in through the same form as the pages
    token = client.cookies["gbvw_csrf"].value
    refused = _send(client, "post", INCIDENTS, _incident_body())
    assert refused.status_code == 403 and "CSRF" in refused.json()["detail"]
    assert Incident.objects.count() == 0
    # A forged request is refused without locking her session (the key cookie stays).
    assert "gbvw_unlock" not in refused.cookies
    assert client.cookies["gbvw_unlock"].value
    accepted = client.post(
        INCIDENTS,
        json.dumps(_incident_body()),
        content_type="application/json",
        HTTP_X_CSRFTOKEN=token,
    )
    assert accepted.status_code == 201
    assert client.get(INCIDENTS).status_code == 200  # safe methods need no token
    assert client.get(_detail("incident", accepted.json()["id"])).status_code == 200


# --- Bad input -------------------------------------------------------------------------------

BAD_INCIDENTS: list[tuple[dict[str, Any], str | None]] = [
    ({"type": "robbery"}, "type"),
    ({"type": 3}, "type"),
    ({"setting": None}, "setting"),
    ({"age_band": ["26-40"]}, "age_band"),
    ({"incident_date": "2026-02-30"}, "incident_date"),
    ({"incident_date": 20261001}, "incident_date"),
    ({"first_contact_date": "2026-09-01"}, "first_contact_date"),
    ({"services_sought": "shelter_dv"}, "services_sought"),
    ({"services_sought": ["shelter_dv", "spa"]}, "services_sought"),
    ({"consent_statistics": "yes"}, "consent_statistics"),
    ({"consent_referral": 1}, "consent_referral"),
    ({"unit": "atlantis"}, "unit"),
    ({"unit": {"code": "baku"}}, "unit"),
    ({"assigned_to": "erin"}, "assigned_to"),
    ({"assigned_to": "x\x00y"}, "assigned_to"),
    ({"refusals": [{"service_kind": "shelter_dv"}]}, "refusals"),
    ({"refusals": [{"service_kind": "shelter_dv", "reason": "mood"}]}, "refusals"),
    ({"refusals": "gender_identity"}, "refusals"),
    ({"narrative": "a" * 1_000_000}, "narrative"),
    ({"narrative": "before\x00after"}, "narrative"),
    ({"narrative": "\ud800 lone surrogate"}, "narrative"),
    ({"survivor_name": ["Gülnarə"]}, "survivor_name"),
    ({"survivor_name": 12345}, "survivor_name"),
    ({"contact": "x" * 501}, "contact"),
    ({"narative": "misspelt"}, "narative"),
    ({"id": "00000000-0000-0000-0000-000000000000"}, "id"),
    ({"\ud800\u202e" + "k" * 500: "unknown and hostile"}, None),
]


@pytest.mark.django_db
def test_bad_incident_input_names_the_field_and_writes_nothing(bob: Actor, erin: Actor):
    client = _logged_in(bob)
    for overrides, field in BAD_INCIDENTS:
        response = _send(client, "post", INCIDENTS, _incident_body(**overrides))
        assert response.status_code == 400, (overrides, response.content[:500])
        errors = response.json()
        if field is not None:
            assert list(errors) == [field], errors
        else:
            assert len(next(iter(errors))) <= 80  # an unknown name is echoed short and escaped
        assert len(response.content) < 5000
    assert Incident.objects.count() == 0 and Refusal.objects.count() == 0
    assert not AuditEntry.objects.filter(action="incident.create").exists()


@pytest.mark.django_db
def test_bad_patch_writes_nothing(bob: Actor):
    client = _logged_in(bob)
    created = _created(client, INCIDENTS, _incident_body())
    before = Incident.objects.values().get()
    url = _detail("incident", created["id"])
    for overrides, field in BAD_INCIDENTS[:-1]:
        response = _send(client, "patch", url, overrides)
        assert response.status_code == 400 and field in response.json(), overrides
    assert Incident.objects.values().get() == before
    assert not AuditEntry.objects.filter(action="incident.update").exists()


@pytest.mark.django_db
def test_a_district_or_caseworker_that_is_not_text_is_called_so(bob: Actor):
    client = _logged_in(bob)
    for overrides, message in (
        ({"unit": {"code": "baku"}}, "Expected text."),
        ({"unit": 42}, "Expected text."),
        ({"assigned_to": ["bob"]}, "Expected text."),
        ({"unit": "atlantis"}, "No district has this code."),
    ):
        response = _send(client, "post", INCIDENTS, _incident_body(**overrides))
        assert response.status_code == 400
        assert response.json() == {next(iter(overrides)): [message]}
    assert Incident.objects.count() == 0


BAD_BODIES = [
    ("not json", 400),
    ('{"type": ', 400),
    ("[1, 2, 3]", 400),
    ('"just text"', 400),
    ("null", 400),
    ('{"consent_statistics": NaN}', 400),
    ("[" * 100_000 + "]" * 100_000, 400),
    (b"\xff\xfe\x00garbage", 400),
]


@pytest.mark.django_db
@pytest.mark.parametrize(("body", "expected"), BAD_BODIES)
def test_malformed_bodies_are_refused_clearly(bob: Actor, body, expected):
    client = _logged_in(bob)
    for url in (INCIDENTS, ATTACKS, LOOKUP):
        response = _send(client, "post", url, body)
        assert response.status_code == expected, (url, response.content[:300])
        assert response.json()  # always a JSON error
    assert Incident.objects.count() == Attack.objects.count() == 0


@pytest.mark.django_db
def test_forms_uploads_and_oversized_bodies_are_refused(bob: Actor, settings):
    client = _logged_in(bob)
    upload = SimpleUploadedFile("../../etc/passwd\x00.csv", b"\xff\xfe\x00garbage", "text/csv")
    response = client.post(INCIDENTS, {"type": "rape", "file": upload})
    assert response.status_code == 415 and "detail" in response.json()
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    response = _send(client, "post", INCIDENTS, _incident_body(narrative="a" * 2000))
    assert response.status_code == 413 and "1000" in response.json()["detail"]
    assert Incident.objects.count() == 0


HOSTILE = [
    "Gülnarə İsmay\u0131lova ğ ş ç ö ü", "\u202eevil\u202c", "zero\u200bwidth\u200d", "\x00",
    "a" * 1_000_000, "<script>alert(1)</script>", "'; DROP TABLE core_user; --",
    "../../etc/passwd", "1e999", "NaN", "2026-02-30", "\ud800", "", None, True, 1e308, -1,
    [], {}, ["rape"], {"code": "baku"},
]  # fmt: skip
FIELDS = [
    "type", "incident_date", "unit", "setting", "age_band", "gender_identity", "disability",
    "perpetrator", "services_sought", "consent_statistics", "assigned_to", "refusals",
    "survivor_name", "narrative", "target_pseudonym", "platform", "attack_types", "campaign",
    "started_on", "target_identity", "losses", "kind", "value", "limit", "id",
]  # fmt: skip
hostile_values = st.one_of(
    st.sampled_from(HOSTILE),
    st.text(max_size=200),
    st.lists(st.text(max_size=20), max_size=3),
    st.integers(),
)


@pytest.mark.django_db
@settings(
    max_examples=15,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(values=st.dictionaries(st.sampled_from(FIELDS), hostile_values, max_size=6))
def test_hostile_json_never_causes_a_server_error_or_a_partial_write(
    unlocked_client_with_records, values
):
    client, incident_id, attack_id = unlocked_client_with_records
    targets = [
        ("post", INCIDENTS, _incident_body(**values)),
        ("post", ATTACKS, _attack_body(**values)),
        ("post", INCIDENTS, values),
        ("patch", _detail("incident", incident_id), values),
        ("patch", _detail("attack", attack_id), values),
        ("post", reverse("api-case-indicator-add", args=[attack_id]), values),
        ("post", LOOKUP, values),
    ]
    with transaction.atomic():
        for method, url, body in targets:
            counts = (Incident.objects.count(), Attack.objects.count(), Indicator.objects.count())
            response = _send(client, method, url, body)
            assert response.status_code < 500, (method, url, response.status_code)
            response.json()
            if response.status_code >= 400:
                now = (Incident.objects.count(), Attack.objects.count(), Indicator.objects.count())
                assert now == counts, (method, url)
        for params in (values, {k: str(v)[:200] for k, v in values.items()}):
            safe = {
                k: v
                for k, v in params.items()
                if v is not None and "\x00" not in str(v) and "\ud800" not in str(v)
            }
            assert client.get(INCIDENTS, safe).status_code < 500
            assert client.get(ATTACKS, safe).status_code < 500
        transaction.set_rollback(True)


@pytest.fixture
def unlocked_client_with_records(bob: Actor) -> tuple[Client, str, str]:
    client = _logged_in(bob)
    incident = _created(client, INCIDENTS, _incident_body())
    attack = _created(client, ATTACKS, _attack_body())
    return client, incident["id"], attack["id"]


# --- Attacks, indicators, campaigns ----------------------------------------------------------


@pytest.mark.django_db
def test_attack_with_indicators_is_found_by_exact_lookup_within_the_organisation(
    bob: Actor, erin: Actor
):
    client = _logged_in(bob)
    campaign = Campaign.objects.create(organisation=bob.user.membership.organisation, label="A")
    attack = _created(client, ATTACKS, _attack_body(campaign=str(campaign.pk)))
    assert attack["campaign"] == {"id": str(campaign.pk), "label": "A"}
    add = reverse("api-case-indicator-add", args=[attack["id"]])
    added = _send(client, "post", add, {"kind": "domain", "value": "Evil-Domain.EXAMPLE"})
    assert added.status_code == 201 and added.json()["kind"] == "domain"
    again = _send(client, "post", add, {"kind": "domain", "value": "evil-domain.example"})
    assert again.status_code == 400 and list(again.json()) == ["value"]
    detail = client.get(_detail("attack", attack["id"])).json()
    assert {k: detail[k] for k in ATTACK_MARKERS} == ATTACK_MARKERS
    assert [(i["kind"], i["value"]) for i in detail["indicators"]] == [
        ("domain", "Evil-Domain.EXAMPLE")
    ]
    for body in (
        {"value": "evil-domain.example"},
        {"kind": "domain", "value": "EVIL-domain.example."},
    ):
        found = _send(client, "post", LOOKUP, body)
        assert found.status_code == 200, found.json()
        assert [a["id"] for a in found.json()["results"]] == [attack["id"]]
        assert "target_identity" not in found.json()["results"][0]
    assert _send(client, "post", LOOKUP, {"kind": "email", "value": "no"}).status_code == 400
    assert _send(client, "post", LOOKUP, {"value": "???"}).json() == {
        "value": ["This value is not valid for any kind of indicator."]
    }
    theirs = _logged_in(erin)
    assert _send(theirs, "post", LOOKUP, {"value": "evil-domain.example"}).json()["count"] == 0
    campaigns = client.get(reverse("api-case-campaign-list")).json()
    assert [(c["label"], c["attack_count"]) for c in campaigns["results"]] == [("A", 1)]
    assert client.get(ATTACKS, {"campaign": str(campaign.pk)}).json()["count"] == 1
    assert client.get(ATTACKS, {"platform": "facebook"}).json()["count"] == 0
    stored = _everything_stored()
    for marker in [*ATTACK_MARKERS.values(), "Evil-Domain", "evil-domain"]:
        assert marker[:16] not in stored
    assert AuditEntry.objects.filter(action="indicator.find").count() == 3


@pytest.mark.django_db
def test_locked_session_cannot_read_change_add_indicators_or_look_up(bob: Actor):
    client = _logged_in(bob)
    attack = _created(client, ATTACKS, _attack_body())
    _lock(client)
    add = reverse("api-case-indicator-add", args=[attack["id"]])
    for method, url, body in (
        ("get", _detail("attack", attack["id"]), {}),
        ("patch", _detail("attack", attack["id"]), {"losses": "x"}),
        ("post", add, {"kind": "domain", "value": "a.example"}),
        ("post", LOOKUP, {"value": "a.example"}),
    ):
        response = _send(client, method, url, body)
        assert response.status_code == 423 and response.json()["code"] == "locked", url
    assert Indicator.objects.count() == 0
    _created(client, ATTACKS, _attack_body())  # recording still works


@pytest.mark.django_db
def test_attack_patch_keeps_indicators_and_the_fields_not_sent(bob: Actor):
    client = _logged_in(bob)
    attack = _created(client, ATTACKS, _attack_body())
    add = reverse("api-case-indicator-add", args=[attack["id"]])
    _send(client, "post", add, {"kind": "phone", "value": "+994 55 867 53 09"})
    url = _detail("attack", attack["id"])
    changed = _send(client, "patch", url, {"losses": "page deleted", "platform": "facebook"})
    assert changed.status_code == 200, changed.json()
    data = changed.json()
    assert data["losses"] == "page deleted" and data["platform"] == "facebook"
    assert data["target_identity"] == ATTACK_MARKERS["target_identity"]
    assert [i["value"] for i in data["indicators"]] == ["+994 55 867 53 09"]
    bad = _send(client, "patch", url, {"detected_on": "2026-09-01"})
    assert bad.status_code == 400 and list(bad.json()) == ["detected_on"]
    bad = _send(client, "patch", url, {"attack_types": []})
    assert bad.status_code == 400 and list(bad.json()) == ["attack_types"]
    assert client.get(url).json()["losses"] == "page deleted"


# --- Evidence --------------------------------------------------------------------------------


@pytest.mark.django_db
def test_evidence_list_shows_metadata_and_custody_but_no_file_name_or_description(
    bob: Actor, erin: Actor
):
    client = _logged_in(bob)
    created = _created(client, INCIDENTS, _incident_body())
    incident = Incident.objects.get(pk=created["id"])
    data = b"GIF89a" + b"\x00" * 50
    evidence = evidence_attach(
        actor=bob.user,
        parent=incident,
        upload=SimpleUploadedFile("CANARY-EVIDENCE-NAME.gif", data),
        description="CANARY-EVIDENCE-DESCRIPTION",
        hash_only=False,
    )
    response = client.get(reverse("api-case-incident-evidence", args=[incident.pk]))
    assert response.status_code == 200
    text = response.content.decode()
    assert "CANARY-EVIDENCE" not in text and "GIF89a" not in text
    (item,) = response.json()["results"]
    assert item["id"] == str(evidence.pk) and item["size"] == len(data)
    assert item["sha256"] == evidence.sha256 and item["content_type"] == "image/gif"
    assert item["has_file"] is True and item["hash_only"] is False
    assert [(c["actor"], c["action"]) for c in item["custody"]] == [("bob", "added")]
    attack = _created(client, ATTACKS, _attack_body())
    empty = client.get(reverse("api-case-attack-evidence", args=[attack["id"]])).json()
    assert empty["count"] == 0
    assert Evidence.objects.count() == 1


# --- Access rules and schema -----------------------------------------------------------------


def test_every_case_route_declares_the_rule_its_permission_class_enforces():
    from gbvwatch.core.tests.test_access import ALL_PATTERNS

    rules = {
        name: pattern.callback.access_rule
        for name, pattern in ALL_PATTERNS
        if name.startswith("api-case-")
    }
    assert len(rules) == 9
    assert {r.kind for r in rules.values()} == {"member"}
    assert rules["api-case-indicator-add"].permission == "cases.edit"
    assert rules["api-case-indicator-lookup"].permission == "cases.view"
    assert rules["api-case-incident-list"].permission == "cases.view"


@pytest.mark.django_db
def test_schema_lists_every_case_route_with_schemas_and_no_warnings(client):
    GENERATOR_STATS.reset()
    with GENERATOR_STATS.silence():
        schema = SchemaGenerator().get_schema(request=None, public=True)
    problems = [*GENERATOR_STATS._warn_cache, *GENERATOR_STATS._error_cache]
    assert not problems, problems
    paths = schema["paths"]
    expected = {
        "/api/v1/cases/incidents/": {"get", "post"},
        "/api/v1/cases/incidents/{incident_id}/": {"get", "patch"},
        "/api/v1/cases/incidents/{incident_id}/evidence/": {"get"},
        "/api/v1/cases/attacks/": {"get", "post"},
        "/api/v1/cases/attacks/{attack_id}/": {"get", "patch"},
        "/api/v1/cases/attacks/{attack_id}/indicators/": {"post"},
        "/api/v1/cases/attacks/{attack_id}/evidence/": {"get"},
        "/api/v1/cases/campaigns/": {"get"},
        "/api/v1/cases/indicators/lookup/": {"post"},
    }
    for path, methods in expected.items():
        assert set(paths[path]) == methods, path
        for method in methods:
            operation = paths[path][method]
            assert "200" in operation["responses"] or "201" in operation["responses"]
            if method in {"post", "patch"}:
                assert "application/json" in operation["requestBody"]["content"]
    detail = paths["/api/v1/cases/incidents/{incident_id}/"]["get"]["responses"]
    assert {"200", "403", "404", "423"} <= set(detail)
    components = schema["components"]["schemas"]
    assert "narrative" in components["IncidentDetail"]["properties"]
    assert "narrative" not in components["Incident"]["properties"]
    assert "narrative" in components["IncidentWrite"]["properties"]
    served = client.get(reverse("api-schema"))
    assert served.status_code == 200 and b"/api/v1/cases/indicators/lookup/" in served.content
