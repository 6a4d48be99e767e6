"""Complaints on incidents and attacks: encrypted references and notes, status from the latest
response, the accountability clock, overdue lists and impunity rates per organisation."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from gbvwatch.accountability import actions, queries
from gbvwatch.accountability.models import Complaint, ComplaintResponse
from gbvwatch.cases.tests import test_attacks
from gbvwatch.cases.tests.test_evidence import _incident
from gbvwatch.cases.tests.test_incidents import _everything_stored, _logged_in
from gbvwatch.conftest import Actor
from gbvwatch.core.actions import ActionError
from gbvwatch.core.models import AuditEntry

REFERENCE = "CANARY-REF-2021/0457-ə"
NOTE = "CANARY-RESPONSE-NOTE-no-crime-found-ş"


def _file(client, case, kind="incident", **overrides):
    data = {
        "authority": "police", "authority_name": "Binagadi district police",
        "filed_on": "2021-03-01", "reference": REFERENCE, **overrides,
    }  # fmt: skip
    url = reverse(f"accountability:{kind}_complaint_file", kwargs={"case_id": case.pk})
    return client.post(url, data)


@pytest.mark.django_db
def test_a_complaint_and_its_responses_are_stored_encrypted(bob: Actor):
    client = _logged_in(bob)
    incident = _incident(client)
    assert _file(client, incident).status_code == 302
    complaint = Complaint.objects.get()
    respond = reverse("accountability:complaint_respond", args=[complaint.pk])
    data = {"received_on": "2021-04-15", "status": "closed_without_action", "note": NOTE}
    assert client.post(respond, data).status_code == 302
    complaint.refresh_from_db()
    assert (complaint.status, complaint.status_on) == (
        "closed_without_action",
        dt.date(2021, 4, 15),
    )
    page = client.get(reverse("accountability:complaint_detail", args=[complaint.pk]))
    assert REFERENCE in page.content.decode() and NOTE in page.content.decode()
    stored = _everything_stored()
    assert REFERENCE[:14] not in stored and NOTE[:18] not in stored
    actions_logged = set(AuditEntry.objects.values_list("action", flat=True))
    assert {"complaint.file", "complaint.respond", "complaint.read"} <= actions_logged
    detail = client.get(reverse("cases:incident_detail", args=[incident.pk])).content.decode()
    assert "Binagadi district police" in detail


@pytest.mark.django_db
def test_status_follows_the_latest_response_by_date_not_by_entry(bob: Actor):
    client = _logged_in(bob)
    complaint_ = _file(client, _incident(client))
    assert complaint_.status_code == 302
    complaint = Complaint.objects.get()
    for day, status in (("2021-06-01", "investigating"), ("2021-05-01", "refused")):
        actions.complaint_respond(
            actor=bob.user, complaint=complaint, received_on=dt.date.fromisoformat(day),
            status=status,
        )  # fmt: skip
    complaint.refresh_from_db()
    assert complaint.status == "investigating"  # the later date wins, though entered first


@pytest.mark.django_db
def test_bad_complaints_name_the_field_and_write_nothing(bob: Actor, erin: Actor):
    client = _logged_in(bob)
    incident = _incident(client)
    for overrides, field in (
        ({"authority": "king"}, "authority"),
        ({"filed_on": "2021-02-30"}, "filed_on"),
        ({"filed_on": "2999-01-01"}, None),  # in the future
        ({"authority_name": "x" * 201}, "authority_name"),
    ):
        response = _file(client, incident, **overrides)
        assert response.status_code == 200
        form = response.context["form"]
        assert form.errors and (field is None or field in form.errors)
    assert not Complaint.objects.exists()
    assert _file(_logged_in(erin), incident).status_code == 404
    assert _file(client, incident).status_code == 302
    complaint = Complaint.objects.get()
    with pytest.raises(ActionError):  # a response dated before the complaint
        actions.complaint_respond(
            actor=bob.user, complaint=complaint, received_on=dt.date(2020, 1, 1), status="refused"
        )
    assert not ComplaintResponse.objects.exists()


@pytest.mark.django_db
def test_the_statement_s_attacks_give_an_impunity_rate_of_100_percent(bob: Actor):
    # "15 cases of smear campaigns, hacking and blackmail in 2020-21 ... none investigated."
    client = _logged_in(bob)
    for n in range(15):
        attack = test_attacks._create(client, started_on=f"{2020 + n % 2}-0{1 + n % 9}-10",
                                      detected_on="", reported_on="")  # fmt: skip
        authority = ("police", "prosecutor", "platform")[n % 3]
        assert _file(client, attack, kind="attack", authority=authority,
                     filed_on=f"{2020 + n % 2}-10-01").status_code == 302  # fmt: skip
    one = Complaint.objects.first()
    assert one is not None
    actions.complaint_respond(
        actor=bob.user, complaint=one, received_on=dt.date(2021, 12, 1), status="refused"
    )
    figures = queries.accountability_for(bob.user, today=dt.date(2022, 6, 1), overdue_days=30)
    assert (figures.overall.total, figures.overall.without_outcome) == (15, 15)
    assert figures.overall.percent == 100.0
    assert {r.label: r.total for r in figures.by_year} == {"2020": 8, "2021": 7}
    assert len(figures.overdue) == 15
    assert figures.overdue[0][1] == (dt.date(2022, 6, 1) - dt.date(2020, 10, 1)).days
    page = client.get(reverse("accountability:overview"), {"overdue_days": "100000"})
    assert page.status_code == 200 and page.context["form"].errors  # out of range: default kept
    page = client.get(reverse("accountability:overview"))
    assert "100%" in page.content.decode()


@pytest.mark.django_db
def test_an_outcome_stops_the_clock(bob: Actor):
    client = _logged_in(bob)
    _file(client, _incident(client))
    complaint = Complaint.objects.get()
    actions.complaint_respond(
        actor=bob.user, complaint=complaint, received_on=dt.date(2021, 9, 1), status="convicted"
    )
    figures = queries.accountability_for(bob.user, today=dt.date(2022, 1, 1), overdue_days=30)
    assert figures.overall.percent == 0.0 and figures.overdue == ()


@pytest.mark.django_db
def test_notes_complaints_and_responses_open_after_a_key_rotation(alice: Actor, bob: Actor):
    from gbvwatch.cases import casework_actions
    from gbvwatch.conftest import PASSWORD
    from gbvwatch.core import actions as core_actions

    client = _logged_in(bob)
    incident = _incident(client)
    casework_actions.note_add(actor=bob.user, case=incident, text="a note before rotation")
    _file(client, incident)
    complaint = Complaint.objects.get()
    actions.complaint_respond(
        actor=bob.user, complaint=complaint, received_on=dt.date(2021, 5, 1), status="refused",
        note="refused before rotation",
    )  # fmt: skip
    rotation = core_actions.organisation_key_rotate(actor=alice.user, password=PASSWORD)
    assert rotation.records == 4  # the incident, the note, the complaint, the response
    new_private = core_actions.member_private_key(user=alice.user, password=PASSWORD)
    notes = casework_actions.notes_reveal(case=incident, private_key=new_private)
    assert [n.text for n in notes] == ["a note before rotation"]
    complaint.refresh_from_db()
    revealed = actions.complaint_reveal(
        actor=alice.user, complaint=complaint, private_key=new_private
    )
    assert revealed.reference == REFERENCE
    assert [r.note for r in revealed.responses] == ["refused before rotation"]
