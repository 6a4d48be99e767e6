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


@pytest.mark.django_db
def test_analyst_adds_a_standard_that_the_gap_analysis_then_measures(client, carol: Actor):
    from gbvwatch.core.models import AuditEntry
    from gbvwatch.gaps.report import GapParameters, standards_section
    from gbvwatch.reference.models import Standard

    client.force_login(carol.user)
    response = client.post(
        reverse("reference:standard_create"),
        {
            "code": "national-crisis-centres", "title": "1 crisis centre per district",
            "amount": "1", "per": "100000", "denominator": "population",
            "capacity_unit": "services", "kinds": ["crisis_centre_dv"], "version": "2026",
            "source": "National Action Plan 2020-2023",
        },
    )  # fmt: skip
    assert response.status_code == 302, response.context["form"].errors
    standard = Standard.objects.get(code="national-crisis-centres")
    assert standard.service_kinds == "crisis_centre_dv" and standard.locally_modified
    assert AuditEntry.objects.filter(action="standard.create").exists()
    codes = [row["standard"] for row in standards_section(GapParameters(year=2023))]
    assert "national-crisis-centres" in codes


@pytest.mark.django_db
def test_bad_standard_input_is_named(client, carol: Actor):
    client.force_login(carol.user)
    response = client.post(reverse("reference:standard_create"), {"code": "x", "per": "0"})
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert "per" in errors and "kinds" in errors and "title" in errors


@pytest.mark.django_db
def test_reloading_the_dataset_keeps_an_edited_standard(client, alice: Actor):
    from gbvwatch.reference.models import Standard

    call_command("load_dataset", "az", verbosity=0)
    client.force_login(alice.user)
    standard = Standard.objects.get(code="shelter_family_places")
    response = client.post(
        reverse("reference:standard_edit", args=[standard.code]),
        {
            "title": standard.title, "amount": "1", "per": "7500", "denominator": "population",
            "capacity_unit": "family_places", "kinds": ["shelter_dv"], "version": "national",
            "source": standard.source,
        },
    )  # fmt: skip
    assert response.status_code == 302, response.context["form"].errors
    call_command("load_dataset", "az", verbosity=0)
    assert Standard.objects.get(code="shelter_family_places").per == 7500


@pytest.mark.django_db
def test_viewer_cannot_add_standards(client, dave: Actor):
    client.force_login(dave.user)
    assert client.get(reverse("reference:standard_create")).status_code == 403
