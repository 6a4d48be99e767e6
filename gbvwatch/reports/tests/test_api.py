"""The reports API: the same rules as the pages, in JSON; files in every format."""

from __future__ import annotations

import hashlib
import uuid

import pytest
from django.urls import reverse

from gbvwatch.cases.tests.test_api import _created, _send
from gbvwatch.cases.tests.test_incidents import _logged_in
from gbvwatch.reports.kinds import narrative_defaults
from gbvwatch.reports.models import Report, ReportJob, ReportSnapshot

REPORTS = reverse("api-report-list")


def test_a_report_is_created_edited_generated_watched_and_downloaded(world):
    client = _logged_in(world["analyst"])
    body = {"kind": "factsheet", "language": "ru", "year": 2024, "title": "Факты"}
    report = _created(client, REPORTS, body)
    assert report["snapshots"] == [] and report["narrative"] == {}
    detail = reverse("api-report-detail", args=[report["id"]])
    default = narrative_defaults("ru")["recommendations"]
    kept = _send(client, "patch", detail, {"narrative": {"recommendations": default}})
    assert kept.json()["narrative"] == {}  # the default text sent back stays the default
    edited = _send(client, "patch", detail, {"narrative": {"recommendations": "Открыть убежища."}})
    assert edited.status_code == 200
    assert edited.json()["narrative"] == {"recommendations": "Открыть убежища."}

    job = str(uuid.uuid4())
    generate = reverse("api-report-generate", args=[report["id"]])
    snapshot = _created(client, generate, {"job": job})
    assert len(snapshot["data_hash"]) == 64 and snapshot["figures"]
    watched = client.get(reverse("api-report-job", args=[report["id"], job])).json()
    assert watched["state"] == "done" and watched["snapshot"] == snapshot["id"]
    listed = client.get(REPORTS).json()
    assert listed["results"][0]["snapshots"][0]["data_hash"] == snapshot["data_hash"]

    inputs = client.get(reverse("api-report-inputs", args=[report["id"], snapshot["id"]]))
    assert hashlib.sha256(inputs.content).hexdigest() == snapshot["data_hash"]
    file_url = reverse("api-report-file", args=[report["id"], snapshot["id"]])
    markdown = client.get(file_url, {"format": "md"})
    assert markdown["Content-Type"].startswith("text/markdown")
    text = markdown.content.decode()
    assert "Открыть убежища." in text and snapshot["data_hash"] in text
    pdf = client.get(file_url)  # PDF by default, in the report's language
    assert pdf.content.startswith(b"%PDF-") and "-ru-" in pdf["Content-Disposition"]
    refused = client.get(file_url, {"format": "exe"})
    assert refused.status_code == 400 and "format" in refused.json()["detail"][0]


@pytest.mark.django_db
def test_bad_requests_are_named_and_write_nothing(alice):
    client = _logged_in(alice)
    for body, field in (
        ({"kind": "novel", "language": "en", "year": 2024}, "kind"),
        ({"kind": "shadow", "language": "xx", "year": 2024}, "language"),
        ({"kind": "shadow", "language": "en", "year": "soon"}, "year"),
        ({"kind": "shadow", "language": "en", "year": 2024, "title": 7}, "title"),
        ({"kind": "shadow", "language": "en", "year": 2024, "colour": "red"}, "colour"),
    ):
        response = _send(client, "post", REPORTS, body)
        assert response.status_code == 400 and field in response.json(), (body, response.json())
    late = _send(client, "post", REPORTS, {"kind": "shadow", "language": "en", "year": 1800})
    assert late.status_code == 400 and "year" in late.json()["detail"][0]
    assert not Report.objects.exists()
    report = _created(client, REPORTS, {"kind": "factsheet", "language": "en", "year": 2024})
    detail = reverse("api-report-detail", args=[report["id"]])
    unknown = _send(client, "patch", detail, {"narrative": {"epilogue": "x"}})
    assert unknown.status_code == 400 and "epilogue" in unknown.json()["detail"][0]
    nul = _send(client, "patch", detail, {"narrative": {"closing": "a\x00b"}})
    assert nul.status_code == 400
    generate = reverse("api-report-generate", args=[report["id"]])
    assert _send(client, "post", generate, {"job": "soon"}).status_code == 400
    assert not ReportSnapshot.objects.exists() and not ReportJob.objects.exists()
    assert Report.objects.get().narrative == {}


@pytest.mark.django_db
def test_readers_get_403_for_writes_and_other_organisations_404(alice, dave, erin):
    report = _created(
        _logged_in(alice), REPORTS, {"kind": "factsheet", "language": "en", "year": 2024}
    )
    detail = reverse("api-report-detail", args=[report["id"]])
    generate = reverse("api-report-generate", args=[report["id"]])
    viewer = _logged_in(dave)
    assert viewer.get(detail).status_code == 200
    assert _send(viewer, "post", generate, {}).status_code == 403
    assert _send(viewer, "patch", detail, {"narrative": {}}).status_code == 403
    body = {"kind": "factsheet", "language": "en", "year": 2024}
    assert _send(viewer, "post", REPORTS, body).status_code == 403
    stranger = _logged_in(erin)
    assert stranger.get(detail).status_code == 404
    assert _send(stranger, "post", generate, {}).status_code == 404
    assert stranger.get(REPORTS).json()["count"] == 0
    assert not ReportSnapshot.objects.exists()
