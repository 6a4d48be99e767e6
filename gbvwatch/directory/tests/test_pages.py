"""Directory pages: filters, detail with sources, map, add / edit / close with validation."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from gbvwatch.conftest import Actor
from gbvwatch.core.models import AuditEntry
from gbvwatch.directory.models import Kind, LocationPrecision, Service, Source, Status, Tri
from gbvwatch.geography.models import AdminUnit, Boundary

SQUARE = {"type": "Polygon", "coordinates": [[[49, 40], [50, 40], [50, 41], [49, 41], [49, 40]]]}


@pytest.fixture
def baku(db: Any) -> AdminUnit:
    unit = AdminUnit.objects.create(
        country="AZ", code="baku", name_en="Baku", unit_type="city", centre_lat=40.4,
        centre_lon=49.9, population=2_000_000, women=1_000_000,
    )  # fmt: skip
    Boundary.objects.create(unit=unit, source_id="b1", geometry=SQUARE)
    return unit


def _service(code: str, unit: AdminUnit, **extra: Any) -> Service:
    fields: dict[str, Any] = dict(
        code=code, name=code.replace("-", " ").title(), kind=Kind.SHELTER_DV, unit=unit,
        lat=40.4, lon=49.9, location_precision=LocationPrecision.CITY, accepts_women=Tri.YES,
        accepts_children=Tri.YES, accepts_men=Tri.NO, accepts_transgender=Tri.UNKNOWN,
        wheelchair_access=Tri.UNKNOWN, closes_on_public_holidays=Tri.NO,
        status=Status.OPERATING, open_24_7=True,
    )  # fmt: skip
    fields.update(extra)
    service = Service.objects.create(**fields)
    Source.objects.create(
        service=service, citation="https://example.org/a", url="https://example.org/a"
    )
    return service


def _form_data(**overrides: Any) -> dict[str, Any]:
    data = {
        "code": "new-centre", "name": "New centre", "kind": Kind.RAPE_CRISIS_CENTRE,
        "unit": "", "city": "Baku", "lat": "40.4", "lon": "49.9",
        "location_precision": LocationPrecision.CITY, "address_confidential": "on",
        "capacity": "", "capacity_unit": "", "accepts_women": Tri.YES,
        "accepts_children": Tri.UNKNOWN, "accepts_men": Tri.NO, "accepts_transgender": Tri.YES,
        "wheelchair_access": Tri.UNKNOWN, "hours": "Mo-Fr 09:00-18:00",
        "closes_on_public_holidays": Tri.YES, "status": Status.OPERATING,
        "sources_text": "https://example.org/announcement @ 2026-01-10",
    }  # fmt: skip
    data.update(overrides)
    return data


@pytest.mark.django_db
def test_filters_by_kind_status_transgender_and_24_7(client, alice: Actor, baku):
    _service("shelter-a", baku)
    _service("centre-b", baku, kind=Kind.COUNSELLING, open_24_7=False, accepts_transgender=Tri.YES)
    _service("planned-c", baku, status=Status.PLANNED)
    client.force_login(alice.user)
    url = reverse("directory:service_list")

    def codes(**params: str) -> set[str]:
        return {s.code for s in client.get(url, params).context["services"]}

    assert codes() == {"shelter-a", "centre-b", "planned-c"}
    assert codes(kind=Kind.COUNSELLING) == {"centre-b"}
    assert codes(status=Status.PLANNED) == {"planned-c"}
    assert codes(transgender=Tri.YES) == {"centre-b"}
    assert codes(open_24_7="on") == {"shelter-a", "planned-c"}
    assert codes(unit="baku", q="shelter") == {"shelter-a"}


@pytest.mark.django_db
def test_unknown_filter_value_is_named_not_a_500(client, alice: Actor, baku):
    client.force_login(alice.user)
    response = client.get(reverse("directory:service_list"), {"kind": "spaceship"})
    assert response.status_code == 200
    assert "spaceship" in response.content.decode()


@pytest.mark.django_db
def test_detail_shows_sources_and_availability(client, alice: Actor, baku):
    _service("shelter-a", baku)
    client.force_login(alice.user)
    page = client.get(reverse("directory:service_detail", args=["shelter-a"])).content.decode()
    assert "https://example.org/a" in page
    assert "Open now" in page


@pytest.mark.django_db
def test_map_draws_polygons_and_services_without_outside_requests(client, alice: Actor, baku):
    _service("shelter-a", baku)
    client.force_login(alice.user)
    page = client.get(reverse("directory:service_map")).content.decode()
    assert page.count("<path") == 1 and page.count("<circle") == 1
    assert "http://" not in page.replace("http://www.w3.org/2000/svg", "")
    assert "https://" not in page


@pytest.mark.django_db
def test_caseworker_adds_a_service_with_an_audit_entry(client, bob: Actor, baku):
    client.force_login(bob.user)
    response = client.post(reverse("directory:service_create"), _form_data(unit=baku.pk))
    assert response.status_code == 302, response.context["form"].errors
    service = Service.objects.get(code="new-centre")
    assert service.organisation == bob.user.membership.organisation
    assert service.sources.get().date == "2026-01-10"
    assert AuditEntry.objects.filter(action="service.create", object_id=str(service.pk)).exists()


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"lat": "95"}, "lat", "not a latitude between -90 and 90"),
        ({"hours": "Mo-Fx 09:00-18:00"}, "hours", "Fx"),
        ({"sources_text": ""}, "sources_text", "at least one source"),
        ({"capacity": "12"}, "capacity_unit", "what the capacity counts"),
        ({"lat": "", "lon": ""}, "lat", "needs coordinates"),
        ({"kind": "spaceship"}, "kind", "spaceship"),
    ],
)
@pytest.mark.django_db
def test_bad_service_input_names_the_field_and_writes_nothing(
    client, bob: Actor, overrides, field, message
):
    client.force_login(bob.user)
    response = client.post(reverse("directory:service_create"), _form_data(**overrides))
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert field in errors and message in " ".join(errors[field])
    assert not Service.objects.exists()


@pytest.mark.django_db
def test_edit_records_changed_fields_and_close_keeps_the_entry(client, bob: Actor, baku):
    _service("shelter-a", baku)
    client.force_login(bob.user)
    data = _form_data(code="shelter-a", name="Renamed", unit=baku.pk)
    response = client.post(reverse("directory:service_edit", args=["shelter-a"]), data)
    assert response.status_code == 302, response.context["form"].errors
    entry = AuditEntry.objects.get(action="service.update")
    assert "name" in entry.details["fields"]
    response = client.post(
        reverse("directory:service_close", args=["shelter-a"]),
        {"closed_on": "2026-11-01", "reason": "Funding ended (source: director)"},
    )
    assert response.status_code == 302
    service = Service.objects.get(code="shelter-a")
    assert service.status == Status.CLOSED and str(service.closed_at) == "2026-11-01"


@pytest.mark.django_db
def test_another_organisations_service_cannot_be_edited(client, bob: Actor, erin: Actor, baku):
    service = _service("nafas-line", baku, organisation=erin.user.membership.organisation)
    client.force_login(bob.user)
    assert client.get(reverse("directory:service_detail", args=[service.code])).status_code == 200
    assert client.get(reverse("directory:service_edit", args=[service.code])).status_code == 404
    assert client.post(reverse("directory:service_close", args=[service.code])).status_code == 404


@pytest.mark.django_db
def test_viewer_cannot_open_the_add_form(client, dave: Actor):
    client.force_login(dave.user)
    assert client.get(reverse("directory:service_create")).status_code == 403


@pytest.mark.django_db
def test_services_at_the_same_place_share_one_numbered_marker(client, alice: Actor, baku):
    _service("shelter-a", baku)
    _service("shelter-b", baku)
    client.force_login(alice.user)
    response = client.get(reverse("directory:service_map"))
    page = response.content.decode()
    assert page.count("<circle") == 1 and ">2</text>" in page
    assert "Shelter A" in page and "Shelter B" in page


@pytest.mark.django_db
def test_navigation_is_hidden_until_set_up_is_finished(client, ayna):
    from gbvwatch.core import actions

    invitation = actions.coordinator_create(actor="test", organisation=ayna, username="alice")
    client.post(
        reverse("core:login"),
        {"username": "alice", "password": invitation.one_time_password, "code": ""},
    )
    page = client.get(reverse("core:account_setup")).content.decode()
    assert reverse("directory:service_map") not in page


@pytest.mark.django_db
def test_map_of_a_country_without_boundaries_or_services_is_empty_not_an_error(client, alice):
    client.force_login(alice.user)
    assert client.get(reverse("directory:service_map")).status_code == 200
