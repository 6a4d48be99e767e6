"""The import / export page: downloads, and all-or-nothing uploads with named problems."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from gbvwatch.conftest import Actor
from gbvwatch.core.models import AuditEntry
from gbvwatch.directory.models import Service
from gbvwatch.directory.tests.test_import_export import _csv, _service, valle  # noqa: F401


def _upload(client, what: str, data: bytes, name: str = "services.csv"):
    return client.post(
        reverse("directory:data_import"),
        {"what": what, "file": SimpleUploadedFile(name, data, content_type="text/csv")},
    )


@pytest.mark.django_db
def test_upload_with_one_bad_row_writes_nothing_and_lists_the_line(client, alice: Actor, valle):  # noqa: F811
    client.force_login(alice.user)
    data = _csv(_service("good-one"), _service("bad-one", lat="95"))
    response = _upload(client, "services", data)
    assert response.status_code == 400
    page = response.content.decode()
    assert "line 3" in page and "lat" in page
    assert not Service.objects.exists()


@pytest.mark.django_db
def test_good_upload_is_counted_and_owned_by_the_organisation(client, alice: Actor, valle):  # noqa: F811
    client.force_login(alice.user)
    response = _upload(client, "services", _csv(_service("good-one")))
    assert response.status_code == 200
    assert response.context["result"].created == 1
    assert Service.objects.get(code="good-one").organisation == alice.user.membership.organisation


@pytest.mark.django_db
def test_export_download_is_an_attachment_and_audited(client, carol: Actor, valle):  # noqa: F811
    client.force_login(carol.user)
    response = client.get(reverse("directory:data_export", args=["units", "csv"]))
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="units.csv"'
    assert AuditEntry.objects.filter(action="data.export").exists()
    assert client.get(reverse("directory:data_export", args=["units", "xlsx"])).status_code == 404


@pytest.mark.django_db
def test_analyst_may_export_but_not_import(client, carol: Actor):
    client.force_login(carol.user)
    assert client.get(reverse("directory:data")).status_code == 200
    assert _upload(client, "services", b"code\n").status_code == 403
