"""The Gaps page and its JSON API."""

from __future__ import annotations

import pytest
from django.urls import reverse

from gbvwatch.conftest import Actor
from gbvwatch.gaps.tests.test_report import small_world  # noqa: F401


@pytest.mark.django_db
def test_gaps_page_shows_the_map_standards_and_capacity(client, dave: Actor, small_world):  # noqa: F811
    client.force_login(dave.user)
    response = client.get(reverse("gaps:gaps"), {"year": "2023"})
    page = response.content.decode()
    assert response.status_code == 200
    assert 'id="gaps-map"' in page and page.count("<path") == 0  # no boundaries in this world
    assert 'id="standard-shelter_family_places"' in page and 'id="turn-away"' in page


@pytest.mark.django_db
def test_gaps_page_names_a_bad_parameter_and_falls_back(client, dave: Actor, small_world):  # noqa: F811
    client.force_login(dave.user)
    response = client.get(reverse("gaps:gaps"), {"circuity": "lots"})
    assert response.status_code == 400
    assert "circuity" in response.content.decode()


@pytest.mark.django_db
def test_gaps_api_returns_the_json_contract(client, carol: Actor, small_world):  # noqa: F811
    client.force_login(carol.user)
    data = client.get(reverse("api-gaps"), {"year": "2023", "profile": "woman"}).json()
    assert set(data) >= {"standards", "access", "capacity", "availability", "assumptions"}
    bad = client.get(reverse("api-gaps"), {"stay_days": "-1"})
    assert bad.status_code == 400 and "stay_days" in bad.json()["detail"]


@pytest.mark.django_db
def test_gaps_api_needs_an_account(client):
    assert client.get(reverse("api-gaps")).status_code == 302
