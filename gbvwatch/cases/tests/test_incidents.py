"""Incidents: encrypted at rest, readable by their organisation only with the session key."""

from __future__ import annotations

import logging
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse

from gbvwatch.cases import casework_actions, queries
from gbvwatch.cases.models import Incident
from gbvwatch.conftest import PASSWORD, Actor
from gbvwatch.core.models import AuditEntry
from gbvwatch.core.tests.test_accounts import _login

MARKERS = {
    "survivor_name": "CANARY-NAME-Gülnarə-7f3a",
    "contact": "CANARY-PHONE-+994501234567",
    "exact_place": "CANARY-PLACE-Nizami-küç-12",
    "narrative": "CANARY-NARRATIVE-ə-ğ-\u0131-İ-ş-\u202eRTL\u200b",
}


def _form(**overrides: Any) -> dict[str, Any]:
    data = {
        "type": "physical_assault", "incident_date": "2026-10-01",
        "first_contact_date": "2026-10-03", "setting": "home", "age_band": "26-40",
        "gender_identity": "trans_woman", "disability": "no", "perpetrator": "intimate_partner",
        "consent_statistics": "on", "refusal_kind": "shelter_dv",
        "refusal_reason": "gender_identity", **MARKERS,
    }  # fmt: skip
    data.update(overrides)
    return data


def _logged_in(actor: Actor) -> Client:
    client = Client()
    assert _login(client, actor.user.username, PASSWORD, actor.code()).status_code == 302
    return client


def _everything_stored() -> str:
    """Every text and byte value of every table, as one string (the 'seized database')."""
    chunks = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names():
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")  # noqa: S608
            for row in cursor.fetchall():
                for value in row:
                    if isinstance(value, memoryview | bytes):
                        chunks.append(bytes(value).decode("utf-8", "replace"))
                    elif value is not None:
                        chunks.append(str(value))
    return "\n".join(chunks)


@pytest.mark.django_db
def test_caseworker_records_and_reads_an_incident_that_is_stored_only_encrypted(
    bob: Actor, caplog: pytest.LogCaptureFixture
):
    caplog.set_level(logging.DEBUG)
    client = _logged_in(bob)
    response = client.post(reverse("cases:incident_create"), _form())
    assert response.status_code == 302, response.context["form"].errors
    incident = Incident.objects.get()
    page = client.get(reverse("cases:incident_detail", args=[incident.pk])).content.decode()
    for marker in MARKERS.values():
        assert marker.split("\u202e")[0] in page  # shown to her, escaped
    client.get(reverse("cases:incident_edit", args=[incident.pk]))
    client.get(reverse("cases:incident_list"))
    client.post(reverse("cases:incident_create"), _form(narrative="x\x00y"))  # an error path
    stored = _everything_stored()
    for marker in MARKERS.values():
        core = marker[:14]
        assert core not in stored, f"{core} found in the database"
        assert core not in caplog.text, f"{core} found in the logs"
    assert incident.refusals.get().reason == "gender_identity"
    assert AuditEntry.objects.filter(action="incident.read").count() >= 2


@pytest.mark.django_db
def test_a_locked_session_sees_a_clear_message_not_ciphertext(bob: Actor):
    client = _logged_in(bob)
    client.post(reverse("cases:incident_create"), _form())
    incident = Incident.objects.get()
    client.cookies.pop("gbvw_unlock")  # the cookie half is gone (e.g. another browser)
    response = client.get(reverse("cases:incident_detail", args=[incident.pk]))
    assert response.status_code == 423
    page = response.content.decode()
    assert 'id="locked-message"' in page and MARKERS["survivor_name"] not in page
    assert "\\x01" not in page and "b'" not in page


@pytest.mark.django_db
def test_ciphertext_moved_to_another_record_does_not_open(bob: Actor):
    client = _logged_in(bob)
    client.post(reverse("cases:incident_create"), _form())
    client.post(reverse("cases:incident_create"), _form(survivor_name="other"))
    first, second = Incident.objects.order_by("created_at")
    Incident.objects.filter(pk=second.pk).update(
        survivor_name_enc=first.survivor_name_enc, data_key_sealed=first.data_key_sealed
    )
    response = client.get(reverse("cases:incident_detail", args=[second.pk]))
    assert response.status_code == 423


@pytest.mark.django_db
def test_shredded_incident_can_no_longer_be_read(bob: Actor):
    client = _logged_in(bob)
    client.post(reverse("cases:incident_create"), _form())
    incident = Incident.objects.get()
    casework_actions.case_shred(actor=bob.user, case=incident)
    page = client.get(reverse("cases:incident_detail", args=[incident.pk]))
    assert page.status_code == 200 and b'id="shredded"' in page.content
    assert MARKERS["narrative"][:14].encode() not in page.content
    assert Incident.objects.get().type == "physical_assault"  # coded fields still count


@pytest.mark.django_db
def test_another_organisation_cannot_see_the_incident(bob: Actor, erin: Actor):
    _logged_in(bob).post(reverse("cases:incident_create"), _form())
    incident = Incident.objects.get()
    client = _logged_in(erin)
    assert client.get(reverse("cases:incident_detail", args=[incident.pk])).status_code == 404
    assert client.get(reverse("cases:incident_edit", args=[incident.pk])).status_code == 404
    assert list(client.get(reverse("cases:incident_list")).context["page"]) == []


@pytest.mark.django_db
def test_only_consented_incidents_are_countable(bob: Actor):
    client = _logged_in(bob)
    client.post(reverse("cases:incident_create"), _form())
    client.post(reverse("cases:incident_create"), _form(consent_statistics=""))
    organisation_id = bob.user.membership.organisation_id
    assert Incident.objects.count() == 2
    assert queries.incidents_countable(organisation_id).count() == 1
    assert queries.incidents_shareable_with_coalition().count() == 0


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"narrative": "a\x00b"}, "narrative"),
        ({"refusal_reason": ""}, "refusal_reason"),
        ({"type": "burglary"}, "type"),
        ({"first_contact_date": "2026-09-01"}, "first_contact_date"),
        ({"narrative": "x" * 20_001}, "narrative"),
    ],
)
@pytest.mark.django_db
def test_bad_input_names_the_field_and_writes_nothing(bob: Actor, overrides, field):
    client = _logged_in(bob)
    response = client.post(reverse("cases:incident_create"), _form(**overrides))
    assert response.status_code == 200 and field in response.context["form"].errors
    assert not Incident.objects.exists()


@pytest.mark.django_db
def test_edit_keeps_the_data_key_and_records_what_changed(bob: Actor):
    client = _logged_in(bob)
    client.post(reverse("cases:incident_create"), _form())
    incident = Incident.objects.get()
    sealed = bytes(incident.data_key_sealed)
    response = client.post(
        reverse("cases:incident_edit", args=[incident.pk]),
        _form(type="psychological_abuse", narrative="updated CANARY-EDIT-91c"),
    )
    assert response.status_code == 302, response.context["form"].errors
    incident.refresh_from_db()
    assert bytes(incident.data_key_sealed) == sealed
    entry = AuditEntry.objects.filter(action="incident.update").get()
    assert entry.details["coded_fields_changed"] == ["type"]
    assert "CANARY-EDIT" not in _everything_stored()
    page = client.get(reverse("cases:incident_detail", args=[incident.pk])).content.decode()
    assert "updated CANARY-EDIT-91c" in page


@pytest.mark.django_db
def test_analysts_and_viewers_have_no_access_to_cases(carol: Actor, dave: Actor):
    for actor in (carol, dave):
        client = Client()
        client.force_login(actor.user)
        assert client.get(reverse("cases:incident_list")).status_code == 403
