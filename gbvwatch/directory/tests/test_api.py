"""The REST API: members read all fields, the public only operating, non-confidential data."""

from __future__ import annotations

import pytest
from django.urls import reverse

from gbvwatch.conftest import Actor
from gbvwatch.directory.models import Status
from gbvwatch.directory.tests.test_pages import _service, baku  # noqa: F401


@pytest.mark.django_db
def test_public_sees_only_operating_services_without_confidential_fields(client, baku):  # noqa: F811
    _service("shelter-a", baku, address="12 Secret Street", address_confidential=True, lat=40.41234)
    _service("planned-b", baku, status=Status.PLANNED)
    data = client.get(reverse("api-service-list")).json()
    assert [s["code"] for s in data["results"]] == ["shelter-a"]
    record = data["results"][0]
    assert "address" not in record and "notes" not in record
    assert record["lat"] == 40.41
    assert client.get(reverse("api-service-detail", args=["planned-b"])).status_code == 404


@pytest.mark.django_db
def test_members_see_every_field(client, dave: Actor, baku):  # noqa: F811
    _service("shelter-a", baku, address="12 Secret Street", address_confidential=True)
    _service("planned-b", baku, status=Status.PLANNED)
    client.force_login(dave.user)
    data = client.get(reverse("api-service-list")).json()
    assert {s["code"] for s in data["results"]} == {"shelter-a", "planned-b"}
    assert data["results"][1]["address"] == "12 Secret Street" or data["results"][0]["address"]


@pytest.mark.django_db
def test_units_and_schema(client, baku):  # noqa: F811
    units = client.get(reverse("api-unit-list")).json()
    assert units["results"][0]["code"] == "baku"
    schema = client.get(reverse("api-schema")).content.decode()
    assert "/api/v1/services/" in schema and "/api/v1/units/{code}/" in schema
