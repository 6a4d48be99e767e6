"""The reference-data page shows standards, figures, the calendar and its longest closure."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.urls import reverse

from gbvwatch.conftest import Actor


@pytest.mark.django_db
def test_reference_page_shows_the_novruz_closure_of_2020(client, dave: Actor):
    call_command("load_dataset", "az", verbosity=0)
    client.force_login(dave.user)
    response = client.get(reverse("reference:reference_data"), {"year": "2020"})
    page = response.content.decode()
    closure = response.context["closure"]
    assert (closure.length_days, str(closure.start)) == (9, "2020-03-20")
    assert "1 per 10,000 population" in page or "10\u202f000" in page
    assert "162 recommendations" in page


@pytest.mark.django_db
def test_a_nonsense_year_falls_back_to_this_year(client, dave: Actor):
    client.force_login(dave.user)
    response = client.get(reverse("reference:reference_data"), {"year": "abc"})
    assert response.status_code == 200
