"""Report pages and API: a builder creates a report, edits its texts, generates it while its
progress can be read, previews and downloads it; readers only read; bad input is named."""

from __future__ import annotations

import hashlib
import io
import json
import uuid

import pytest
from django.urls import reverse
from docx import Document as open_docx

from gbvwatch.cases.tests.test_incidents import _logged_in
from gbvwatch.core.models import AuditEntry
from gbvwatch.reports import jobs
from gbvwatch.reports.actions import report_create
from gbvwatch.reports.models import Report, ReportJob, ReportSnapshot
from gbvwatch.reports.views import PREVIEW_CSP

NEW_TEXT = "Bizim tövsiyələrimiz: sığınacaqların sayı artırılmalıdır."  # noqa: RUF001


def _detail(report: Report) -> str:
    return reverse("reports:report_detail", args=[report.pk])


def test_a_builder_creates_edits_generates_previews_and_downloads_a_report(world):
    client = _logged_in(world["analyst"])
    created = client.post(
        reverse("reports:report_list"),
        {"kind": "shadow", "language": "az", "year": "2024", "title": "Kölgə hesabatı"},  # noqa: RUF001,
    )
    report = Report.objects.get(title="Kölgə hesabatı")  # noqa: RUF001
    assert created.status_code == 302 and created["Location"] == _detail(report)

    page = client.get(_detail(report))
    assert page.status_code == 200
    form = page.context["form"]
    texts = {name: form.fields[name].initial for name in form.fields}
    texts["recommendations"] = NEW_TEXT
    assert client.post(_detail(report), texts).status_code == 302
    report.refresh_from_db()
    assert report.narrative == {"recommendations": NEW_TEXT}  # defaults are not copied

    job_id = str(page.context["job_id"])
    generated = client.post(reverse("reports:report_generate", args=[report.pk]), {"job": job_id})
    snapshot = ReportSnapshot.objects.get(report=report)
    assert generated["Location"] == reverse(
        "reports:snapshot_detail", args=[report.pk, snapshot.pk]
    )
    status = client.get(reverse("reports:job_status", args=[report.pk, job_id])).json()
    assert status == {
        "id": job_id, "state": "done", "step": "done", "step_label": status["step_label"],
        "fraction": 1.0, "snapshot": str(snapshot.pk), "error": "",
    }  # fmt: skip
    again = client.post(reverse("reports:report_generate", args=[report.pk]), {"job": job_id})
    assert again.status_code == 302 and ReportSnapshot.objects.count() == 1  # not twice

    frozen = client.get(reverse("reports:snapshot_inputs", args=[report.pk, snapshot.pk]))
    assert hashlib.sha256(frozen.content).hexdigest() == snapshot.data_hash
    assert json.loads(frozen.content) == snapshot.inputs
    shown = client.get(generated["Location"])
    assert snapshot.data_hash in shown.content.decode()
    assert shown.context["snapshot"].figures
    preview = client.get(reverse("reports:snapshot_preview", args=[report.pk, snapshot.pk]))
    assert preview["Content-Security-Policy"] == PREVIEW_CSP
    assert preview["X-Frame-Options"] == "SAMEORIGIN"
    html = preview.content.decode()
    assert NEW_TEXT in html and snapshot.data_hash in html and "<script" not in html

    download = reverse("reports:snapshot_download", args=[report.pk, snapshot.pk])
    word = client.get(download, {"format": "docx", "lang": "ru"})
    assert word["Content-Disposition"].startswith('attachment; filename="')
    body = "\n".join(p.text for p in open_docx(io.BytesIO(word.content)).paragraphs)
    shelters = next(f for f in snapshot.figures if f["key"] == "shelter_places")
    assert shelters["text"] in body
    rendered = AuditEntry.objects.filter(action="report.render").last()
    assert rendered is not None and rendered.details["format"] == "docx"
    assert rendered.details["language"] == "ru"


@pytest.mark.django_db
def test_readers_read_but_cannot_create_edit_or_generate(alice, dave, erin):
    report = report_create(
        user=alice.user, kind="factsheet", language="en", title="Ayna factsheet", year=2024
    )
    viewer = _logged_in(dave)
    listed = viewer.get(reverse("reports:report_list"))
    assert listed.status_code == 200 and listed.context["form"] is None
    assert "Ayna factsheet" in listed.content.decode()
    before = Report.objects.count()
    new = {"kind": "factsheet", "language": "en", "year": "2024"}
    assert viewer.post(reverse("reports:report_list"), new).status_code == 403
    assert viewer.post(_detail(report), {"closing": "x"}).status_code == 403
    generate = reverse("reports:report_generate", args=[report.pk])
    assert viewer.post(generate, {"job": str(uuid.uuid4())}).status_code == 403
    assert Report.objects.count() == before and not ReportJob.objects.exists()
    stranger = _logged_in(erin)  # a coordinator of another organisation
    assert stranger.get(_detail(report)).status_code == 404
    assert stranger.post(generate, {"job": str(uuid.uuid4())}).status_code == 404
    assert report.title not in stranger.get(reverse("reports:report_list")).content.decode()


@pytest.mark.django_db
def test_bad_input_is_named_and_nothing_is_written(alice):
    client = _logged_in(alice)
    for data, field in (
        ({"kind": "novel", "language": "en", "year": "2024"}, "kind"),
        ({"kind": "shadow", "language": "xx", "year": "2024"}, "language"),
        ({"kind": "shadow", "language": "en", "year": "1800"}, "year"),
        ({"kind": "shadow", "language": "en", "year": "3000"}, "year"),
        ({"kind": "shadow", "language": "en", "year": "2024", "title": "a\x00b"}, "title"),
        ({"kind": "shadow", "language": "en", "year": "2024", "title": "t" * 201}, "title"),
    ):
        response = client.post(reverse("reports:report_list"), data)
        assert response.status_code == 400 and field in response.context["form"].errors, data
    assert not Report.objects.exists()
    report = report_create(user=alice.user, kind="factsheet", language="en", title="F", year=2024)
    too_long = client.post(_detail(report), {"recommendations": "x" * 20_001})
    assert too_long.status_code == 400 and "recommendations" in too_long.context["form"].errors
    generate = reverse("reports:report_generate", args=[report.pk])
    refused = client.post(generate, {"job": "not-an-id"}, follow=True)
    assert "job: expected an id" in refused.content.decode()
    assert not ReportSnapshot.objects.exists()
    snapshot = ReportSnapshot.objects.create(
        report=report, inputs={}, figures=[], data_hash="0" * 64, parameters={"year": 2024}
    )
    download = reverse("reports:snapshot_download", args=[report.pk, snapshot.pk])
    wrong = client.get(download, {"format": "exe"})
    assert wrong.status_code == 400 and "format" in wrong.context["form"].errors


@pytest.mark.django_db
def test_a_running_generation_shows_its_step_and_fraction(alice, dave):
    report = report_create(user=alice.user, kind="statement", language="en", title="S", year=2024)
    job = ReportJob.objects.create(id=uuid.uuid4(), report=report, requested_by=alice.user)
    jobs.step_writer(job.pk)("stats", 0.55)  # what generation writes after each step
    url = reverse("reports:job_status", args=[report.pk, job.pk])
    shown = _logged_in(dave).get(url).json()  # any member of the organisation may watch
    assert shown["state"] == "running" and shown["fraction"] == 0.55
    assert shown["step"] == "stats" and shown["step_label"] == "coalition statistics"
    ReportJob.objects.filter(pk=job.pk).update(updated_at=job.updated_at - jobs.STALE_AFTER * 2)
    stale = _logged_in(alice).get(url).json()
    assert stale["state"] == "failed" and "interrupted" in stale["error"]
