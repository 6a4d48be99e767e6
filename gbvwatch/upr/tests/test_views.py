"""UPR pages and read API: filters, detail, posting assessments, charts without scripts."""

from __future__ import annotations

import html
import io
import re

import pytest
from django.core.management import call_command

from gbvwatch.core.models import AuditEntry
from gbvwatch.upr.models import Assessment, Recommendation
from gbvwatch.upr.tests.test_importers import SHIPPED


@pytest.fixture
def recs(db):
    call_command("upr", "import", str(SHIPPED), stdout=io.StringIO())
    return Recommendation.objects.all()


def test_list_filters_by_group_and_response(recs, client, dave):
    client.force_login(dave.user)
    page = client.get("/upr/", {"group": "legal_reform_nap"}).content.decode()
    assert "3 recommendations" in page
    assert "109.83" in page and "109.1<" not in page
    noted = client.get("/upr/", {"response": "noted"}).content.decode()
    assert "4 recommendations" in noted
    bad = client.get("/upr/", {"cycle": "-1", "group": "<script>"})
    assert bad.status_code == 400
    assert b"<script>" not in bad.content


def test_detail_shows_why_it_was_classified(recs, client, dave):
    client.force_login(dave.user)
    rec = recs.get(number="109.82")
    page = client.get(f"/upr/{rec.pk}/").content.decode()
    assert "Violence against women" in page
    assert "violence against women" in page  # the matched words
    assert 'leading verb "strengthen"' in page
    assert "assessment-form" not in page  # a viewer reads, does not assess


def test_analyst_records_an_assessment_with_evidence_through_the_page(recs, client, carol):
    client.force_login(carol.user)
    rec = recs.get(number="109.82")
    response = client.post(
        f"/upr/{rec.pk}/assess/",
        {
            "status": "not_implemented",
            "assessed_on": "2025-11-25",
            "note": "No shelter outside Baku and Ganja.",
            "evidence_1_kind": "url",
            "evidence_1_label": "Coalition statement",
            "evidence_1_url": "https://example.org/statement",
        },
    )
    assert response.status_code == 302
    assessment = Assessment.objects.get()
    assert assessment.author == carol.user
    assert assessment.evidence.get().url == "https://example.org/statement"
    page = client.get(f"/upr/{rec.pk}/").content.decode()
    assert "Coalition statement" in page and "not implemented" in page
    assert AuditEntry.objects.filter(action="upr.assess").count() == 1


def test_evidence_without_a_kind_is_named_and_nothing_is_written(recs, client, carol):
    client.force_login(carol.user)
    rec = recs.first()
    response = client.post(
        f"/upr/{rec.pk}/assess/",
        {"status": "partial", "assessed_on": "2025-11-25", "evidence_2_label": "orphan"},
    )
    assert response.status_code == 200
    assert "Choose the kind of this evidence." in response.content.decode()
    assert not Assessment.objects.exists()


def test_viewer_and_caseworker_cannot_assess_or_classify(recs, client, dave, bob):
    rec = recs.first()
    for actor in (dave, bob):
        client.force_login(actor.user)
        assert client.post(f"/upr/{rec.pk}/assess/", {"status": "partial"}).status_code == 403
        assert client.post(f"/upr/{rec.pk}/classify/", {"reason": "x"}).status_code == 403
    assert not AuditEntry.objects.filter(action__startswith="upr.classify").exists()


def test_coordinator_overrides_the_classification_through_the_page(recs, client, alice):
    client.force_login(alice.user)
    rec = recs.get(number="109.35")
    response = client.post(
        f"/upr/{rec.pk}/classify/",
        {
            "primary_group": "legal_reform_nap",
            "themes": ["womens_rights"],
            "action_category": "4",
            "reason": "About the NAP on domestic violence",
        },
    )
    assert response.status_code == 302
    rec.refresh_from_db()
    assert rec.classification_overridden and rec.primary_group == "legal_reform_nap"
    assert AuditEntry.objects.get(action="upr.classify.override").actor_label == "alice"
    client.post(f"/upr/{rec.pk}/classify/", {"reset": "1"})
    rec.refresh_from_db()
    assert not rec.classification_overridden


def test_summary_page_draws_charts_on_the_server_without_scripts(recs, client, dave):
    client.force_login(dave.user)
    response = client.get("/upr/summary/", {"cycle": "2"})
    page = response.content.decode()
    assert response.status_code == 200
    assert page.count("<svg") >= 6
    assert "<script" not in page
    # Nothing is fetched from elsewhere (links to sources are fine: only a click follows them).
    assert re.findall(r'src="(https?://[^"]+)"', page) == []
    assert re.findall(r'<link[^>]+href="(https?://[^"]+)"', page) == []
    assert "<rect" in page
    assert "A/HRC/24/13" in page


def test_read_api_lists_details_and_summarises(recs, client, dave):
    client.force_login(dave.user)
    listing = client.get("/api/v1/upr/recommendations/", {"group": "violence_against_women"})
    assert listing.json()["count"] == 3
    rec_id = listing.json()["results"][0]["id"]
    detail = client.get(f"/api/v1/upr/recommendations/{rec_id}/").json()
    assert detail["assessments"] == [] and detail["primary_group"] == "violence_against_women"
    summary = client.get("/api/v1/upr/summary/", {"cycle": "2"}).json()
    assert summary["total"] == 162
    assert client.get("/api/v1/upr/recommendations/999999/").status_code == 404
    client.logout()
    assert client.get("/api/v1/upr/summary/").status_code == 302


def test_openapi_schema_describes_the_upr_api(db, client):
    schema = client.get("/api/schema/").content.decode()
    assert "/api/v1/upr/recommendations/" in schema
    assert "/api/v1/upr/summary/" in schema


def test_detail_suggests_the_same_ask_in_another_cycle_and_links_it(recs, client, carol):
    later = Recommendation.objects.create(
        country="AZ",
        cycle=3,
        document="A/HRC/39/14",
        number="140.60",
        recommending_states="Chile",
        text="Take measures to combat violence against women and girls (Chile);",
        primary_group="violence_against_women",
    )
    client.force_login(carol.user)
    page = client.get(f"/upr/{later.pk}/").content.decode()
    assert "link-suggestions" in page and "A/HRC/24/13 109.82" in page
    earlier = recs.get(number="109.82")
    response = client.post(
        f"/upr/{later.pk}/link/",
        {"direction": "earlier", "document": "A/HRC/24/13", "number": "109.82", "note": ""},
    )
    assert response.status_code == 302
    page = client.get(f"/upr/{earlier.pk}/").content.decode()
    assert "Asked again in" in page and "A/HRC/39/14 140.60" in page


def test_coordinator_imports_through_the_page_and_a_bad_file_is_listed(db, client, alice, carol):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(carol.user)
    assert client.get("/upr/import/").status_code == 403
    client.force_login(alice.user)
    upload = SimpleUploadedFile("upr.csv", SHIPPED.read_bytes(), content_type="text/csv")
    page = client.post("/upr/import/", {"file": upload}).content.decode()
    assert "csv: 162 rows, 162 new" in page
    bad = SimpleUploadedFile("bad.csv", b"cycle,document\n2,A/HRC/24/13\n")
    response = client.post("/upr/import/", {"file": bad, "source": "csv"})
    assert response.status_code == 400
    assert "Nothing was imported" in response.content.decode()
    assert 'field "text": the column is missing' in html.unescape(response.content.decode())
    assert Recommendation.objects.count() == 162
