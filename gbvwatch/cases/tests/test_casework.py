"""Working a case: search over coded fields, encrypted notes, assignment, history from the
audit log, destroying a case or one evidence file, and the organisation's evidence list."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.test import TestCase
from django.urls import reverse

from gbvwatch.cases import casework_actions
from gbvwatch.cases.models import Attack, CaseNote, CustodyEntry, Evidence, Incident, Indicator
from gbvwatch.cases.tests import test_attacks
from gbvwatch.cases.tests.test_evidence import _add, _files_under, _incident
from gbvwatch.cases.tests.test_incidents import _everything_stored, _form, _logged_in
from gbvwatch.conftest import Actor
from gbvwatch.core.actions import ActionError
from gbvwatch.core.models import AuditEntry
from gbvwatch.geography.models import AdminUnit

NOTE = "CANARY-NOTE-she-called-from-a-neighbour-ə-7c1"


def _listed(client, **query) -> set[str]:
    response = client.get(reverse("cases:incident_list"), query)
    assert response.status_code == 200
    return {str(i.pk) for i in response.context["page"]}


@pytest.mark.django_db
def test_search_narrows_by_every_coded_field(bob: Actor):
    client = _logged_in(bob)
    unit = AdminUnit.objects.create(
        country="AZ", code="astara", name_en="Astara", unit_type="district",
        centre_lat=38.4, centre_lon=48.9,
    )  # fmt: skip
    trans = _incident(client)
    other = client.post(
        reverse("cases:incident_create"),
        _form(
            type="rape", gender_identity="woman", age_band="18-25", disability="yes",
            perpetrator="stranger", setting="public", unit=unit.pk, incident_date="2025-03-20",
            first_contact_date="2025-03-21", refusal_kind="", refusal_reason="",
            consent_statistics="",
        ),
    )  # fmt: skip
    assert other.status_code == 302
    woman = Incident.objects.exclude(pk=trans.pk).get()
    both = {str(trans.pk), str(woman.pk)}
    assert _listed(client) == both
    assert _listed(client, gender_identity="trans_woman") == {str(trans.pk)}
    assert _listed(client, type="rape", unit="astara") == {str(woman.pk)}
    assert _listed(client, refusal="gender_identity") == {str(trans.pk)}
    assert _listed(client, consent="statistics") == {str(trans.pk)}
    assert _listed(client, disability="yes", perpetrator="stranger") == {str(woman.pk)}
    assert _listed(client, date_from="2026-01-01") == {str(trans.pk)}
    assert _listed(client, date_to="2025-12-31", setting="public") == {str(woman.pk)}
    assert _listed(client, assigned="none") == both
    # Bad criteria are named and ignored, never a server error.
    response = client.get(reverse("cases:incident_list"), {"date_from": "2026-02-30"})
    assert response.status_code == 200 and "date_from" in response.context["search"].errors
    response = client.get(reverse("cases:incident_list"), {"unit": "nowhere", "type": "x"})
    assert response.status_code == 200 and response.context["search"].errors


@pytest.mark.django_db
def test_notes_are_encrypted_and_shown_to_the_organisation_only(bob: Actor, erin: Actor):
    client = _logged_in(bob)
    incident = _incident(client)
    url = reverse("cases:incident_note_add", kwargs={"case_id": incident.pk})
    assert client.post(url, {"text": NOTE}).status_code == 302
    assert client.post(url, {"text": "   "}).status_code == 302  # refused: empty
    assert CaseNote.objects.count() == 1
    page = client.get(reverse("cases:incident_detail", args=[incident.pk])).content.decode()
    assert NOTE in page
    assert NOTE[:20] not in _everything_stored()
    entry = AuditEntry.objects.get(action="incident.note")
    assert entry.object_id == str(incident.pk) and NOTE[:12] not in str(entry.details)
    assert _logged_in(erin).post(url, {"text": "x"}).status_code == 404


@pytest.mark.django_db
def test_history_names_who_changed_which_fields(bob: Actor):
    client = _logged_in(bob)
    incident = _incident(client)
    edit = reverse("cases:incident_edit", args=[incident.pk])
    changed = _form(type="rape", narrative="a corrected account")
    assert client.post(edit, changed).status_code == 302
    response = client.get(reverse("cases:incident_detail", args=[incident.pk]))
    history = response.context["history"]
    assert [h.action for h in history] == ["incident.update", "incident.create"]
    assert set(history[0].fields) == {"type", "What happened"}
    assert history[0].actor == bob.user.username
    assert [r.actor_label for r in response.context["reads"]]  # the openings are listed apart


@pytest.mark.django_db
def test_cases_are_assigned_only_to_caseworkers_of_the_organisation(
    alice: Actor, bob: Actor, carol: Actor, erin: Actor
):
    client = _logged_in(bob)
    incident = _incident(client)
    url = reverse("cases:incident_assign", kwargs={"case_id": incident.pk})
    assert client.post(url, {"assignee": alice.user.pk}).status_code == 302
    incident.refresh_from_db()
    assert incident.assigned_to == alice.user
    for outsider in (carol, erin):  # an analyst; another organisation's caseworker
        client.post(url, {"assignee": outsider.user.pk})
        incident.refresh_from_db()
        assert incident.assigned_to == alice.user
        with pytest.raises(ActionError):
            casework_actions.case_assign(actor=bob.user, case=incident, assignee=outsider.user)
    assert client.post(url, {"assignee": ""}).status_code == 302
    incident.refresh_from_db()
    assert incident.assigned_to is None
    assert AuditEntry.objects.filter(action="incident.assign").count() == 2
    assert _listed(client, assigned="none") == {str(incident.pk)}


@pytest.mark.django_db
def test_destroying_an_incident_removes_notes_evidence_files_and_keys(
    alice: Actor, bob: Actor, media: Path
):
    client = _logged_in(bob)
    incident = _incident(client)
    client.post(reverse("cases:incident_note_add", kwargs={"case_id": incident.pk}), {"text": NOTE})
    evidence = _add(client, incident, "a.txt", b"CANARY-SHRED-FILE " * 50, description="d")
    assert _files_under(media)
    shred = reverse("cases:incident_shred", kwargs={"case_id": incident.pk})
    assert client.post(shred, {"confirm": "on"}).status_code == 403  # coordinators only
    coordinator = _logged_in(alice)
    assert coordinator.get(shred).status_code == 200  # the confirmation page
    assert coordinator.post(shred, {}).status_code == 200  # not confirmed: nothing happens
    assert bytes(Incident.objects.get().data_key_sealed)
    # Files are deleted once the destruction commits; the test's own transaction never does.
    with TestCase.captureOnCommitCallbacks(execute=True):
        assert coordinator.post(shred, {"confirm": "on"}).status_code == 302
    incident.refresh_from_db()
    evidence.refresh_from_db()
    assert not bytes(incident.data_key_sealed) and not bytes(incident.narrative_enc)
    assert not CaseNote.objects.exists()
    assert not bytes(evidence.data_key_sealed) and evidence.stored_name == ""
    assert _files_under(media) == []
    assert evidence.sha256 and CustodyEntry.objects.filter(action="shredded").count() == 1
    assert incident.type == "physical_assault"  # coded fields remain
    page = client.get(reverse("cases:incident_detail", args=[incident.pk]))
    assert page.status_code == 200 and b'id="shredded"' in page.content
    assert client.get(reverse("cases:incident_edit", args=[incident.pk])).status_code == 302
    assert (
        client.post(
            reverse("cases:incident_note_add", kwargs={"case_id": incident.pk}), {"text": "x"}
        ).status_code
        == 302
    )
    assert not CaseNote.objects.exists()
    evidence_page = client.get(reverse("cases:evidence_detail", args=[evidence.pk]))
    assert evidence_page.status_code == 200 and b'id="shredded"' in evidence_page.content
    assert AuditEntry.objects.get(action="incident.shred").details["evidence"] == 1


@pytest.mark.django_db
def test_destroying_an_attack_removes_its_indicators(alice: Actor):
    client = _logged_in(alice)
    attack = test_attacks._create(client)
    assert test_attacks._add(client, attack, "domain", "phish.example").status_code == 302
    assert Indicator.objects.count() == 1
    shred = reverse("cases:attack_shred", kwargs={"case_id": attack.pk})
    assert client.post(shred, {"confirm": "on"}).status_code == 302
    attack.refresh_from_db()
    assert not bytes(attack.data_key_sealed) and not Indicator.objects.exists()
    assert test_attacks._add(client, attack, "domain", "x.example").status_code in {200, 302}
    assert not Indicator.objects.exists()
    assert client.get(reverse("cases:attack_detail", args=[attack.pk])).status_code == 200
    assert Attack.objects.get().platform == "instagram"


@pytest.mark.django_db
def test_destroying_one_evidence_file_keeps_its_fingerprint_and_custody(alice: Actor, media: Path):
    client = _logged_in(alice)
    incident = _incident(client)
    evidence = _add(client, incident, "a.txt", b"CANARY-ONE-FILE " * 50, description="d")
    url = reverse("cases:evidence_shred", args=[evidence.pk])
    with TestCase.captureOnCommitCallbacks(execute=True):
        assert client.post(url, {"confirm": "on"}).status_code == 302
    evidence.refresh_from_db()
    assert evidence.sha256 and not bytes(evidence.data_key_sealed) and not _files_under(media)
    assert [e.action for e in evidence.custody.all()][-1] == "shredded"
    assert bytes(Incident.objects.get().data_key_sealed)  # the incident itself is untouched
    download = client.get(reverse("cases:evidence_download", args=[evidence.pk]))
    assert download.status_code == 404


@pytest.mark.django_db
def test_evidence_list_shows_the_organisation_s_files_only(bob: Actor, erin: Actor, media: Path):
    client = _logged_in(bob)
    evidence = _add(client, _incident(client), "a.txt", b"hello " * 20, description="secret")
    theirs = _logged_in(erin)
    _add(theirs, _incident(theirs), "b.txt", b"other " * 20, description="theirs")
    page = client.get(reverse("cases:evidence_list"))
    assert [e.pk for e in page.context["page"]] == [evidence.pk]
    assert b"secret" not in page.content and evidence.sha256[:16].encode() in page.content
    assert Evidence.objects.count() == 2


@pytest.mark.django_db
def test_attack_search_by_kind_platform_and_date(bob: Actor):
    client = _logged_in(bob)
    takeover = test_attacks._create(client, attack_types=["account_takeover"])
    smear = test_attacks._create(
        client, attack_types=["smear_campaign", "threats_harassment"], platform="facebook",
        started_on="2021-03-01", detected_on="2021-03-02", reported_on="2021-03-03",
    )  # fmt: skip

    def listed(**query: str) -> set[str]:
        response = client.get(reverse("cases:attack_list"), query)
        assert response.status_code == 200
        return {str(a.pk) for a in response.context["page"]}

    assert listed() == {str(takeover.pk), str(smear.pk)}
    assert listed(attack_type="threats_harassment") == {str(smear.pk)}
    assert listed(attack_type="account_takeover", platform="instagram") == {str(takeover.pk)}
    assert listed(date_to="2021-12-31") == {str(smear.pk)}
    assert listed(attack_type="no_such_kind") == {str(takeover.pk), str(smear.pk)}


@pytest.mark.django_db
def test_hostile_input_to_case_work_with_an_unlocked_session_never_causes_a_server_error(
    alice: Actor,
):
    client = _logged_in(alice)
    incident = _incident(client)
    attack = test_attacks._create(client)
    fields = ["text", "assignee", "confirm", "type", "unit", "date_from", "date_to", "assigned",
              "consent", "refusal", "attack_type", "campaign", "page"]  # fmt: skip
    urls = [
        reverse(f"cases:{kind}_{verb}", kwargs={"case_id": case.pk})
        for kind, case in (("incident", incident), ("attack", attack))
        for verb in ("note_add", "assign")
    ] + [reverse("cases:incident_list"), reverse("cases:attack_list")]
    for payload in [*test_attacks.HOSTILE, "a" * 1_000_000, "-1", "9" * 30]:
        data = dict.fromkeys(fields, payload)
        for url in urls:
            assert client.post(url, data).status_code < 500
            if "\x00" not in payload:
                assert client.get(url, data).status_code < 500
    # Every note that got in opens again; none was half-written.
    page = client.get(reverse("cases:incident_detail", args=[incident.pk]))
    assert page.status_code == 200
    assert len(page.context["notes"]) == CaseNote.objects.filter(incident=incident).count()
