"""The siting page, saved scenarios compared side by side, and the API."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from gbvwatch.conftest import Actor
from gbvwatch.core.models import AuditEntry
from gbvwatch.siting.models import Scenario
from gbvwatch.siting.tests.test_command import line_world  # noqa: F401

RUN = {"run": "1", "add": "1", "radius_km": "150", "circuity": "1"}


@pytest.mark.django_db
def test_the_page_shows_the_form_and_runs_nothing_until_asked(client, dave: Actor, line_world):  # noqa: F811
    client.force_login(dave.user)
    page = client.get(reverse("siting:siting")).content.decode()
    assert 'id="siting-form"' in page and 'id="siting-result"' not in page
    assert 'id="unit-codes"' in page and "<code>t3</code> T3" in page  # codes to lock or remove


@pytest.mark.django_db
def test_the_page_shows_sites_the_proof_and_the_map(client, dave: Actor, line_world):  # noqa: F811
    client.force_login(dave.user)
    response = client.get(reverse("siting:siting"), RUN)
    page = response.content.decode()
    assert response.status_code == 200
    assert 'id="siting-map"' in page and 'class="chosen-site"' in page
    assert "Proven optimal" in page and "T3" in page
    assert 'id="save-scenario"' not in page  # a viewer cannot save


@pytest.mark.django_db
def test_the_page_names_a_bad_parameter(client, dave: Actor, line_world):  # noqa: F811
    client.force_login(dave.user)
    response = client.get(reverse("siting:siting"), {**RUN, "add": "99"})
    assert response.status_code == 400
    assert "k: 99 sites asked but there are only 5 candidate sites" in response.content.decode()


@pytest.mark.django_db
def test_the_capacity_objective_takes_its_model_from_the_form(client, dave: Actor, line_world):  # noqa: F811
    client.force_login(dave.user)
    asked = {**RUN, "objective": "capacity", "arrivals": "500", "stay_days": "30", "places": "7"}
    response = client.get(reverse("siting:siting"), {**asked, "target": "0.1"})
    page = response.content.decode()
    assert response.status_code == 200 and 'id="siting-capacity"' in page
    assert 'id="s-arrivals" value="500.0"' in page and 'id="s-stay" value="30.0"' in page
    assert 'id="s-target" value="0.1"' in page
    assert "Places per new site: 7 (set by the planner)" in page


@pytest.mark.django_db
def test_a_refused_run_keeps_what_the_member_typed(client, dave: Actor, line_world):  # noqa: F811
    client.force_login(dave.user)
    asked = {**RUN, "add": "2", "lock": "t1,atlantis", "sites": "0,3.5,Mid", "radius_km": "70"}
    response = client.get(reverse("siting:siting"), asked)
    page = response.content.decode()
    assert response.status_code == 400
    assert "no unit or added site with the code atlantis" in page
    assert 'value="t1,atlantis"' in page and 'value="70.0"' in page and "0.0,3.5,Mid" in page
    response = client.get(reverse("siting:siting"), {**asked, "add": "many", "lock": "t1"})
    page = response.content.decode()
    assert response.status_code == 400 and "add: &#x27;many&#x27; is not a whole number" in page
    assert 'value="t1"' in page and 'value="70.0"' in page  # only the bad field is dropped


@pytest.mark.django_db
def test_a_refused_save_returns_to_the_form_as_posted(client, carol: Actor, line_world):  # noqa: F811
    client.force_login(carol.user)
    posted = {**RUN, "add": "9", "radius_km": "70", "name": "too many"}
    response = client.post(reverse("siting:scenario_save"), posted)
    assert response.status_code == 302 and "radius_km=70" in response["Location"]
    page = client.get(response["Location"]).content.decode()
    assert "k: 9 sites asked" in page and 'value="70.0"' in page and 'value="9"' in page
    assert not Scenario.objects.exists()


@pytest.mark.django_db
def test_a_solver_refusal_reads_in_the_members_language(client, dave: Actor, line_world):  # noqa: F811
    from django.conf import settings

    client.force_login(dave.user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "ru"
    response = client.get(reverse("siting:siting"), {**RUN, "add": "9"})
    assert response.status_code == 400
    assert "k: запрошено мест: 9, но кандидатов всего 5" in response.content.decode()


@pytest.mark.django_db
def test_an_analyst_saves_scenarios_and_compares_them(client, carol: Actor, line_world):  # noqa: F811
    client.force_login(carol.user)
    for name, add in (("one site", "1"), ("two sites", "2")):
        posted = {**RUN, "add": add, "name": name, "radius_km": "60"}
        response = client.post(reverse("siting:scenario_save"), posted)
        assert response.status_code == 302
    one, two = Scenario.objects.order_by("pk")
    assert one.report["status"] == "optimal" and len(two.report["sites"]) == 2
    assert AuditEntry.objects.filter(action="scenario.save").count() == 2
    detail = client.get(reverse("siting:scenario_detail", kwargs={"scenario_id": one.pk}))
    assert detail.status_code == 200 and "one site" in detail.content.decode()
    compare = client.get(reverse("siting:scenario_compare"), {"ids": [one.pk, two.pk]})
    page = compare.content.decode()
    assert 'id="scenario-comparison"' in page and "one site" in page and "two sites" in page
    assert "<td>1</td>" in page and "<td>2</td>" in page  # K asked, each site adding women


@pytest.mark.django_db
def test_codes_read_as_words_in_the_members_language(client, carol: Actor, line_world):  # noqa: F811
    from django.conf import settings

    client.force_login(carol.user)
    client.post(reverse("siting:scenario_save"), {**RUN, "name": "one site"})
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "ru"
    page = client.get(reverse("siting:siting"), RUN).content.decode()
    assert "оптимальность доказана" in page  # the saved scenario's status
    assert "Больше всего женщин в пределах радиуса</td>" in page  # its objective, and the result's
    assert "женщины, впервые оказавшиеся в пределах радиуса" in page  # the gain's unit
    assert ">optimal<" not in page and ">coverage<" not in page


@pytest.mark.django_db
def test_the_comparison_says_when_fewer_sites_are_chosen_than_asked(
    client,
    carol: Actor,
    line_world,  # noqa: F811
):
    client.force_login(carol.user)
    client.post(reverse("siting:scenario_save"), {**RUN, "add": "2", "name": "wide"})
    (wide,) = Scenario.objects.all()
    assert len(wide.report["sites"]) == 1  # within 150 km, one new site reaches everyone
    page = client.get(reverse("siting:scenario_compare"), {"ids": [wide.pk]}).content.decode()
    assert "<td>2 (chosen: 1)</td>" in page


@pytest.mark.django_db
def test_saving_without_a_name_says_so_and_saves_nothing(client, carol: Actor, line_world):  # noqa: F811
    client.force_login(carol.user)
    response = client.post(reverse("siting:scenario_save"), RUN, follow=True)
    assert "name: give the scenario a name" in response.content.decode()
    response = client.post(reverse("siting:scenario_save"), {**RUN, "name": "a\x00b"}, follow=True)
    assert "name: the name contains a control character" in response.content.decode()
    assert not Scenario.objects.exists()


@pytest.mark.django_db
def test_a_viewer_cannot_save(client, dave: Actor, line_world):  # noqa: F811
    client.force_login(dave.user)
    response = client.post(reverse("siting:scenario_save"), {**RUN, "name": "x"})
    assert response.status_code == 403 and not Scenario.objects.exists()


@pytest.mark.django_db
def test_another_organisations_scenario_is_not_found(
    client,
    carol: Actor,
    erin: Actor,
    line_world,  # noqa: F811
):
    client.force_login(erin.user)
    client.post(reverse("siting:scenario_save"), {**RUN, "name": "nafas plan"})
    theirs = Scenario.objects.get()
    client.force_login(carol.user)
    url = reverse("siting:scenario_detail", kwargs={"scenario_id": theirs.pk})
    assert client.get(url).status_code == 404
    compare = client.get(reverse("siting:scenario_compare"), {"ids": [theirs.pk]})
    assert "nafas plan" not in compare.content.decode()
    delete = reverse("siting:scenario_delete", kwargs={"scenario_id": theirs.pk})
    assert client.post(delete).status_code == 404
    assert Scenario.objects.filter(pk=theirs.pk).exists()


@pytest.mark.django_db
def test_the_api_returns_the_json_contract_and_names_bad_input(client, carol: Actor, line_world):  # noqa: F811
    client.force_login(carol.user)
    data: dict[str, Any] = client.get(reverse("api-siting"), RUN).json()
    assert {"objective_value", "bound", "gap", "sites", "status"} <= set(data)
    assert data["status"] == "optimal" and data["sites"][0]["code"] == "t3"
    bad = client.get(reverse("api-siting"), {"objective": "everything"})
    assert bad.status_code == 400 and "objective: unknown everything" in bad.json()["detail"]
    assert client.get(reverse("api-siting-scenarios")).json() == []


@pytest.mark.django_db
def test_the_api_is_in_the_openapi_schema_and_needs_an_account(client):
    schema = client.get(reverse("api-schema")).content.decode()
    assert "/api/v1/siting/" in schema and "SitingReport" in schema
    assert client.get(reverse("api-siting")).status_code == 302


@pytest.mark.django_db
def test_the_api_saves_shows_compares_and_deletes_scenarios(
    client,
    carol: Actor,
    dave: Actor,
    erin: Actor,
    line_world,  # noqa: F811
):
    client.force_login(carol.user)
    ids = []
    for name, add in (("one site", 1), ("two sites", 2)):
        parameters = {"add": add, "radius_km": 150, "circuity": "1"}
        response = client.post(
            reverse("api-siting-scenarios"),
            {"name": name, "parameters": parameters},
            content_type="application/json",
        )
        assert response.status_code == 201, response.content
        body = response.json()
        assert response["Location"].endswith(f"/siting/scenarios/{body['id']}/")
        assert body["report"]["status"] == "optimal" and body["parameters"]["add"] == str(add)
        ids.append(body["id"])
    assert AuditEntry.objects.filter(action="scenario.save").count() == 2
    listed = client.get(reverse("api-siting-scenarios")).json()
    assert [row["name"] for row in listed] == ["two sites", "one site"]
    detail = client.get(reverse("api-siting-scenario-detail", args=[ids[0]])).json()
    assert detail["report"]["sites"][0]["code"] == "t3"
    compared = client.get(reverse("api-siting-scenario-compare"), {"ids": [ids[1], ids[0]]})
    rows = compared.json()
    assert [r["name"] for r in rows] == ["two sites", "one site"]
    assert rows[1]["add"] == "1" and rows[0]["add"] == "2" and rows[1]["new_sites"] == 1
    assert rows[0]["women_newly_within_radius"] >= rows[1]["women_newly_within_radius"]
    # A viewer reads but cannot save or delete; another organisation sees nothing of them.
    client.force_login(dave.user)
    assert len(client.get(reverse("api-siting-scenarios")).json()) == 2
    refused = client.post(
        reverse("api-siting-scenarios"),
        {"name": "x", "parameters": {}},
        content_type="application/json",
    )
    assert refused.status_code == 403
    assert client.delete(reverse("api-siting-scenario-detail", args=[ids[0]])).status_code == 403
    client.force_login(erin.user)
    assert client.get(reverse("api-siting-scenario-detail", args=[ids[0]])).status_code == 404
    assert client.get(reverse("api-siting-scenario-compare"), {"ids": ids}).json() == []
    client.force_login(carol.user)
    assert client.delete(reverse("api-siting-scenario-detail", args=[ids[0]])).status_code == 204
    assert not Scenario.objects.filter(pk=ids[0]).exists()
    assert AuditEntry.objects.filter(action="scenario.delete").count() == 1


@pytest.mark.django_db
@pytest.mark.parametrize(
    "case",
    [
        ({"parameters": {}}, "name", "give the scenario a name"),
        ({"name": "a\x00b", "parameters": {}}, "name", "control character"),
        ({"name": "x", "parameters": ["add", 1]}, "parameters", "an object of parameter"),
        ({"name": "x", "parameters": {"add": {"k": 1}}}, "parameters", "an object of parameter"),
        ({"name": "x", "parameters": {"add": 99}}, "parameters", "k: 99 sites asked"),
        ({"name": "x", "parameters": {"objective": "all"}}, "parameters", "objective: unknown"),
    ],
)
def test_the_api_names_what_is_wrong_with_a_scenario_and_saves_nothing(
    client,
    carol: Actor,
    line_world,  # noqa: F811
    case: tuple[dict[str, Any], str, str],
):
    body, field, message = case
    client.force_login(carol.user)
    response = client.post(reverse("api-siting-scenarios"), body, content_type="application/json")
    assert response.status_code == 400
    assert message in response.json()[field][0]
    assert not Scenario.objects.exists()
    ids = client.get(reverse("api-siting-scenario-compare"), {"ids": ["1", "x"]})
    assert ids.status_code == 400 and "whole numbers" in ids.json()["ids"][0]
