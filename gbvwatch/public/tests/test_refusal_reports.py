"""Anonymous refusal reports: sealed to the coordinating organisation, safe without a cookie
(signed single-use token, keyed-hash rate limit), read by its coordinators, counted by the gap
analysis."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from gbvwatch.cases.tests.test_incidents import _everything_stored, _logged_in
from gbvwatch.conftest import PASSWORD
from gbvwatch.core import actions as core_actions
from gbvwatch.core.models import AuditEntry
from gbvwatch.gaps.refusals import refusals_section
from gbvwatch.public import actions
from gbvwatch.public.models import RateBucket, RateKey, RefusalReport

DETAILS = "They said the shelter is for real women only; canary-7f3a"


@pytest.fixture
def shipped(db: Any) -> None:
    call_command("load_dataset", "az", verbosity=0)


def _token(client: Client, lang: str = "en") -> str:
    page = client.get(f"/info/{lang}/report/").content.decode()
    match = re.search(r'name="token" value="([^"]+)"', page)
    assert match, "the report form carries no token"
    return match.group(1)


def _send(client: Client, token: str, **extra: str) -> Any:
    data = {
        "token": token,
        "service": "clean_world_shelter",
        "refused_on": "2023-03-21",
        "reason": "gender_identity",
        "details": DETAILS,
        **extra,
    }
    return client.post("/info/en/report/", data, REMOTE_ADDR="198.51.100.7")


def test_report_is_sealed_to_the_coordinating_organisation(shipped, alice):
    client = Client()
    response = _send(client, _token(client))
    assert 'id="report-sent"' in response.content.decode()
    assert not response.cookies
    report = RefusalReport.objects.get()
    assert report.organisation == alice.user.membership.organisation
    assert (report.service_kind, report.reason, str(report.month)) == (
        "shelter_dv",
        "gender_identity",
        "2023-03-01",
    )
    stored = _everything_stored()
    assert "canary-7f3a" not in stored
    row = RefusalReport.objects.filter(pk=report.pk).values().get()
    assert not any(
        b"clean_world_shelter" in bytes(v)
        for v in row.values()
        if isinstance(v, bytes | memoryview)
    )
    assert "clean_world_shelter" not in {str(v) for v in row.values()}
    assert "198.51.100.7" not in stored  # no address kept, not even in the rate buckets
    private = core_actions.member_private_key(user=alice.user, password=PASSWORD)
    opened = actions.refusal_reports_open(actor=alice.user, private_key=private, reports=[report])
    assert opened[str(report.pk)] == {
        "service_code": "clean_world_shelter",
        "refused_on": "2023-03-21",
        "details": DETAILS,
    }
    assert AuditEntry.objects.filter(action="public.refusal_report").exists()


def test_coordinator_reads_reports_on_her_page_and_others_cannot(shipped, alice, bob, erin):
    client = Client()
    _send(client, _token(client))
    page = _logged_in(alice).get(reverse("public_staff:reports")).content.decode()
    assert "canary-7f3a" in page and "clean_world_shelter" in page
    assert _logged_in(bob).get(reverse("public_staff:reports")).status_code == 403
    other = _logged_in(erin).get(reverse("public_staff:reports")).content.decode()
    assert "canary-7f3a" not in other and "No reports yet." in other


def test_token_is_single_use_and_a_forged_one_is_refused(shipped, alice):
    client = Client()
    token = _token(client)
    assert 'id="report-sent"' in _send(client, token).content.decode()
    again = _send(client, token).content.decode()
    assert 'id="report-problem"' in again and "already sent" in again
    forged = _send(client, token[:-3] + "abc").content.decode()
    assert 'id="report-problem"' in forged
    assert RefusalReport.objects.count() == 1


def test_rate_limit_per_visitor_stores_no_address(shipped, alice):
    client = Client()
    for _ in range(actions.REPORTS_PER_VISITOR):
        assert 'id="report-sent"' in _send(client, _token(client)).content.decode()
    refused = _send(client, _token(client)).content.decode()
    assert "Too many reports" in refused
    assert RefusalReport.objects.count() == actions.REPORTS_PER_VISITOR
    assert all("198.51.100.7" not in b.digest for b in RateBucket.objects.all())
    other = client.post(
        "/info/en/report/",
        {"token": _token(client), "service": "clean_world_shelter", "refused_on": "2023-03-21",
         "reason": "full"},
        REMOTE_ADDR="203.0.113.9",
    )  # fmt: skip
    assert 'id="report-sent"' in other.content.decode()


def test_without_an_organisation_key_the_form_says_reports_cannot_be_received(shipped):
    client = Client()
    page = client.get("/info/en/report/").content.decode()
    assert "Reports cannot be received yet" in page
    response = _send(client, _token(client))
    assert 'id="report-sent"' not in response.content.decode()
    assert RefusalReport.objects.count() == 0


@pytest.mark.parametrize(
    "extra",
    [
        {"service": "no-such-service"},
        {"reason": "because"},
        {"refused_on": "2999-01-01"},
        {"refused_on": "2023-02-30"},
        {"details": "x" * 100_000},
        {"token": "y" * 10_000},
    ],
)
def test_bad_report_names_the_field_and_writes_nothing(shipped, alice, extra):
    client = Client()
    response = _send(client, extra.pop("token", _token(client)), **extra)
    assert response.status_code == 200
    body = response.content.decode()
    assert 'class="errorlist' in body or 'id="report-problem"' in body
    assert RefusalReport.objects.count() == 0


def test_gap_analysis_counts_reports_by_source_and_hides_small_cells(shipped, alice):
    client = Client()
    for n in range(actions.REPORTS_PER_VISITOR):
        response = client.post(
            "/info/en/report/",
            {"token": _token(client), "service": "clean_world_shelter",
             "refused_on": "2023-03-21", "reason": "gender_identity"},
            REMOTE_ADDR=f"203.0.113.{n}",
        )  # fmt: skip
        assert 'id="report-sent"' in response.content.decode()
    _send(client, _token(client), reason="full")
    section = refusals_section(2023)
    rows = {(r["service_kind"], r["reason"]): r for r in section["rows"]}
    assert rows[("shelter_dv", "gender_identity")]["public_reports"] == 5
    assert rows[("shelter_dv", "full")]["public_reports"] == "<5"
    assert rows[("shelter_dv", "full")]["case_records"] == 0
    assert "public find-help page" in section["sources"][1]["title"]
    report = RefusalReport.objects.filter(reason="gender_identity").first()
    assert report is not None
    actions.refusal_report_dismiss(actor=alice.user, report=report, dismissed=True)
    rows = {(r["service_kind"], r["reason"]): r for r in refusals_section(2023)["rows"]}
    assert rows[("shelter_dv", "gender_identity")]["public_reports"] == "<5"
    assert refusals_section(2022)["rows"] == []


def test_rotation_reseals_public_reports(shipped, alice):
    client = Client()
    _send(client, _token(client))
    core_actions.organisation_key_rotate(actor=alice.user, password=PASSWORD)
    private = core_actions.member_private_key(user=alice.user, password=PASSWORD)
    report = RefusalReport.objects.get()
    opened = actions.refusal_reports_open(actor=alice.user, private_key=private, reports=[report])
    assert opened[str(report.pk)]["details"] == DETAILS


def test_coordinator_edits_page_texts(shipped, alice, carol):
    client = _logged_in(alice)
    url = reverse("public_staff:texts")
    response = client.post(url, {"slot": "intro", "language": "az", "text": "Salam, kömək var."})
    assert response.status_code == 302
    assert "Salam, kömək var." in Client().get("/info/az/").content.decode()
    bad = client.post(url, {"slot": "nowhere", "language": "xx", "text": "z" * 10_000})
    assert bad.status_code == 200 and "errorlist" in bad.content.decode()
    assert _logged_in(carol).get(url).status_code == 403


def test_keys_and_buckets_of_past_windows_are_deleted(shipped, alice):
    client = Client()
    _send(client, _token(client))
    assert RateKey.objects.count() == 1 and RateBucket.objects.count() == 1
    later = timezone.now() + dt.timedelta(seconds=actions.RATE_WINDOW_S + 1)
    actions.rate_state_purge(later)
    assert RateKey.objects.count() == 0 and RateBucket.objects.count() == 0
