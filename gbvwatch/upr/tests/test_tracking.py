"""Assessments with evidence, government claims, links across cycles, and the summary."""

from __future__ import annotations

import datetime as dt
import io
import json

import pytest
from django.core.management import call_command

from gbvwatch.core.actions import ActionError
from gbvwatch.core.audit import audit_verify
from gbvwatch.core.models import AuditEntry
from gbvwatch.directory.models import Kind, LocationPrecision, Service, Status, Tri
from gbvwatch.reference.models import KeyFigure
from gbvwatch.upr import actions
from gbvwatch.upr.actions import EvidenceInput
from gbvwatch.upr.models import Assessment, Recommendation
from gbvwatch.upr.queries import RecommendationFilters, upr_summary
from gbvwatch.upr.tests.test_importers import SHIPPED


@pytest.fixture
def recs(db):
    call_command("upr", "import", str(SHIPPED), stdout=io.StringIO())
    return Recommendation.objects.filter(document="A/HRC/24/13")


@pytest.fixture
def shelter(db):
    return Service.objects.create(
        code="baku-shelter",
        name="Baku shelter",
        kind=Kind.SHELTER_DV,
        lat=40.4,
        lon=49.9,
        location_precision=LocationPrecision.CITY,
        accepts_women=Tri.YES,
        accepts_children=Tri.YES,
        accepts_men=Tri.NO,
        accepts_transgender=Tri.NO,
        wheelchair_access=Tri.UNKNOWN,
        closes_on_public_holidays=Tri.NO,
        status=Status.OPERATING,
    )


@pytest.fixture
def figure(db):
    return KeyFigure.objects.create(
        country="AZ",
        indicator="shelter_places",
        year=2023,
        value=175,
        unit="places",
        source="Coalition statement to HRC",
    )


def test_assessment_with_evidence_appears_in_the_summary_and_the_audit_log(
    recs, carol, shelter, figure
):
    rec = recs.get(number="109.83")  # the law on domestic violence (Italy)
    actions.assessment_create(
        actor=carol.user,
        recommendation=rec,
        status="partial",
        assessed_on=dt.date(2025, 3, 1),
        note="The law exists; protection orders are rarely issued.",
        evidence=[
            EvidenceInput(
                "gap_figure", "175 shelter places for 10 million", key_figure_id=figure.pk
            ),
            EvidenceInput("service", "Only shelter outside Ganja", service_code="baku-shelter"),
            EvidenceInput("case_statistic", "Ayna: 37 incidents, no protection order, 2024"),
            EvidenceInput("url", "Ombudsperson report", url="https://example.org/report"),
        ],
    )
    out = io.StringIO()
    call_command("upr", "summary", "--format", "json", "--cycle", "2", stdout=out)
    summary = json.loads(out.getvalue())
    assert {"total", "by_group", "by_response", "by_status"} <= set(summary)
    assert summary["total"] == 162
    assert summary["by_status"]["partial"] == 1
    assert summary["by_status"]["not_assessed"] == 161
    group = rec.primary_group or "none"
    assert summary["by_group_status"][group]["partial"] == 1
    assert sum(sum(row.values()) for row in summary["by_group_status"].values()) == 162
    assert summary["progress"] == [
        {
            "month": "2025-03",
            "by_status": {
                "not_assessed": 161,
                "not_implemented": 0,
                "partial": 1,
                "implemented": 0,
                "regressed": 0,
            },
        }
    ]
    (shown,) = summary["assessments"]
    assert (shown["recommendation"], shown["author"]) == ("A/HRC/24/13 109.83", "carol")
    kinds = [e["kind"] for e in shown["evidence"]]
    assert kinds == ["gap_figure", "service", "case_statistic", "url"]
    assert shown["evidence"][0]["key_figure"]["value"] == 175
    assert shown["evidence"][1]["service"] == "baku-shelter"
    entry = AuditEntry.objects.get(action="upr.assess")
    assert entry.actor_label == "carol"
    assert entry.organisation_id == carol.user.membership.organisation_id
    assert [e["kind"] for e in entry.details["evidence"]] == kinds
    assert audit_verify().ok


def test_summary_counts_by_group_response_and_state(recs):
    summary = upr_summary(RecommendationFilters(country="AZ", cycle=2))
    assert summary["by_response"] == {"supported": 158, "noted": 4, "pending": 0}
    assert sum(summary["by_group"].values()) == 162
    assert summary["by_group"]["legal_reform_nap"] == 3
    assert summary["by_state"]["France"] == 5
    assert summary["inputs"]["documents"] == [{"cycle": 2, "document": "A/HRC/24/13"}]
    assert summary["assumptions"] and summary["sources"]
    only = upr_summary(RecommendationFilters(country="AZ", group="legal_reform_nap"))
    assert only["total"] == 3


def test_latest_assessment_decides_the_status_and_progress_follows_time(recs, carol):
    rec = recs.get(number="109.82")
    for day, status in (
        (dt.date(2024, 1, 5), "not_implemented"),
        (dt.date(2025, 6, 1), "regressed"),
    ):
        actions.assessment_create(
            actor=carol.user,
            recommendation=rec,
            status=status,
            assessed_on=day,
            note="",
            evidence=[],
        )
    summary = upr_summary(RecommendationFilters(country="AZ"))
    assert summary["by_status"]["regressed"] == 1
    assert summary["by_status"]["not_implemented"] == 0
    assert [p["month"] for p in summary["progress"]] == ["2024-01", "2025-06"]
    assert summary["progress"][0]["by_status"]["not_implemented"] == 1
    # Filtering by status uses the latest assessment only.
    regressed = upr_summary(RecommendationFilters(country="AZ", status="regressed"))
    assert (regressed["total"], regressed["by_status"]["regressed"]) == (1, 1)
    assert upr_summary(RecommendationFilters(status="not_implemented"))["total"] == 0
    assert upr_summary(RecommendationFilters(status="not_assessed"))["total"] == 161


def test_bad_evidence_writes_nothing(recs, carol):
    rec = recs.first()
    for item in (
        EvidenceInput("service", "missing", service_code="nowhere"),
        EvidenceInput("url", "no address"),
        EvidenceInput("document", "script", url="javascript:alert(1)"),
        EvidenceInput("rumour", "x"),
        EvidenceInput("document", " "),
    ):
        with pytest.raises(ActionError):
            actions.assessment_create(
                actor=carol.user,
                recommendation=rec,
                status="partial",
                assessed_on=dt.date(2025, 1, 1),
                note="",
                evidence=[item],
            )
    assert not Assessment.objects.exists()
    assert not AuditEntry.objects.filter(action="upr.assess").exists()


def test_government_claim_and_links_across_cycles(recs, alice):
    earlier = recs.get(number="109.82")
    later = Recommendation.objects.create(
        country="AZ",
        cycle=3,
        document="A/HRC/39/14",
        number="140.50",
        recommending_states="Senegal",
        text="Continue to combat violence against women (Senegal);",
    )
    actions.recommendation_link(actor=alice.user, earlier=earlier, later=later, note="asked again")
    actions.recommendation_link(actor=alice.user, earlier=earlier, later=later)  # idempotent
    with pytest.raises(ActionError):
        actions.recommendation_link(actor=alice.user, earlier=later, later=earlier)
    assert AuditEntry.objects.filter(action="upr.link").count() == 1
    actions.claim_create(
        actor=alice.user,
        recommendation=earlier,
        claimed_on=dt.date(2023, 11, 1),
        claimed_status="implemented",
        text="A law on domestic violence was adopted in 2010.",
        source="National report A/HRC/WG.6/44/AZE/1",
        url="https://example.org/national-report",
    )
    assert earlier.claims.get().claimed_status == "implemented"
    assert AuditEntry.objects.filter(action="upr.claim").count() == 1
