"""The public find-help page: answers on the shipped Azerbaijan data, no trace left behind,
bad input answered with a friendly page."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command
from django.test import Client

from gbvwatch.directory.models import Kind, Service, Tri
from gbvwatch.geography.models import AdminUnit
from gbvwatch.public.models import PageText
from gbvwatch.public.needs import Who
from gbvwatch.public.queries import HelpQuery, help_find

PAGE_LIMIT_BYTES = 60_000
BAKU = ZoneInfo("Asia/Baku")


@pytest.fixture
def shipped(db: Any) -> None:
    call_command("load_dataset", "az", verbosity=0)


def _text(response: Any) -> str:
    html = response.content.decode()
    main = html[html.index("<main") : html.index("</main>")]
    return " ".join(re.sub(r"<[^>]+>", " ", main).split())


def _ask(client: Client, lang: str = "en", **data: str) -> Any:
    return client.post(f"/info/{lang}/", {"need": "shelter", "gender": "woman", **data})


def test_transgender_woman_in_astara_is_told_honestly_no_shelter_accepts_her(shipped):
    astara = AdminUnit.objects.get(code="astara")
    answer = help_find(
        HelpQuery("shelter", astara, Who("trans_woman"), dt.datetime(2023, 3, 20, 23, tzinfo=BAKU))
    )
    shelter = answer.by_code["shelter"]
    assert shelter.accepted == ()
    assert shelter.maybe_total > 0  # shelters that never said: shown as "call first"
    assert answer.helplines, "helplines must be offered when nothing fits"
    response = _ask(Client(), unit="astara", gender="trans_woman")
    text = _text(response)
    assert "We know of no service of this kind that accepts you." in text
    assert "have not said whether they accept you" in text
    assert "860" in text  # the national helpline with its number


def test_forensic_examination_in_astara_on_novruz_is_unavailable_until_27_march(shipped):
    response = _ask(Client(), need="assault", unit="astara", on="2023-03-20")
    text = _text(response)
    assert "No forensic examination is available until Monday 27 March 2023 (09:00)." in text
    assert "emergency department of the nearest hospital" in text  # no medical service listed
    assert "Call 860 Support Line" in text


def test_woman_in_astara_gets_shelters_nearest_first_without_confidential_addresses(shipped):
    astara = AdminUnit.objects.get(code="astara")
    answer = help_find(
        HelpQuery("shelter", astara, Who("woman"), dt.datetime(2023, 6, 1, 22, tzinfo=BAKU))
    )
    shelter = answer.by_code["shelter"]
    distances = [f.road_km or 0 for f in shelter.accepted]
    assert distances and all(distances) and distances == sorted(distances)
    assert all(
        d % 10 == 0
        for d, f in zip(distances, shelter.accepted, strict=True)
        if f.service.address_confidential
    )
    assert all(f.address == "" for f in shelter.accepted if f.service.address_confidential)
    assert shelter.open_now  # residential shelters, open day and night


def test_confidential_address_never_reaches_the_page(shipped):
    Service.objects.filter(code="ganja_dv_shelter_statement").update(
        address="Secret street 12", address_confidential=True
    )
    response = _ask(Client(), unit="gence_city")
    assert "Ganja" in _text(response)
    assert "Secret street" not in response.content.decode()


def test_son_older_than_a_shelter_admits_removes_it(shipped):
    Service.objects.filter(kind=Kind.SHELTER_DV).update(boys_max_age=12)
    astara = AdminUnit.objects.get(code="astara")
    at = dt.datetime(2023, 6, 1, 22, tzinfo=BAKU)
    with_boy = help_find(HelpQuery("shelter", astara, Who("woman", oldest_boy_age=15), at))
    young_boy = help_find(HelpQuery("shelter", astara, Who("woman", oldest_boy_age=10), at))
    kinds_15 = {f.service.kind for f in with_boy.by_code["shelter"].accepted}
    kinds_10 = {f.service.kind for f in young_boy.by_code["shelter"].accepted}
    assert Kind.SHELTER_DV not in kinds_15
    assert Kind.SHELTER_DV in kinds_10


def test_nakhchivan_visitor_sees_no_road_connection(shipped):
    unit = AdminUnit.objects.exclude(road_component="main").first()
    assert unit is not None
    answer = help_find(
        HelpQuery("shelter", unit, Who("woman"), dt.datetime(2023, 6, 1, 22, tzinfo=BAKU))
    )
    found = answer.by_code["shelter"].accepted
    assert found and all(not f.reachable and f.road_km is None for f in found)
    assert not answer.by_code["shelter"].open_now  # nothing reachable is open


@pytest.mark.parametrize("lang", ["az", "ru", "en"])
def test_pages_set_no_cookie_and_no_referrer_in_each_language(shipped, lang):
    client = Client()
    for response in (
        client.get(f"/info/{lang}/"),
        _ask(client, lang, unit="astara"),
        client.get(f"/info/{lang}/report/"),
        client.get("/info/"),
        client.get("/info/nowhere/"),
    ):
        assert not response.cookies, (response.request["PATH_INFO"], response.cookies)
        assert "Set-Cookie" not in response.headers
        assert response.headers["Referrer-Policy"] == "no-referrer"
        assert response.headers["Cache-Control"] == "no-store"
    assert _ask(client, lang, unit="astara").headers["Content-Language"] == lang


def test_language_comes_from_the_url_not_a_cookie(shipped):
    client = Client()
    client.cookies["gbvw_lang"] = "ru"
    assert "Find help near you" in client.get("/info/en/").content.decode()
    assert 'lang="az"' in client.get("/info/az/").content.decode()


def test_logged_in_member_session_is_neither_read_nor_refreshed(shipped, alice, client):
    client.force_login(alice.user)
    response = client.get("/info/en/")
    assert not response.cookies
    assert "alice" not in response.content.decode()


def test_page_is_small_and_the_exit_comes_first(shipped):
    client = Client()
    for response in (client.get("/info/az/"), _ask(client, "az", need="assault", unit="astara")):
        assert len(response.content) < PAGE_LIMIT_BYTES
        body = response.content.decode()
        first_link = re.search(r"<(a|button|input|select|textarea)\b[^>]*>", body)
        assert first_link and 'id="quick-exit"' in first_link.group(0)
        assert "<title>Məlumat</title>" in body  # innocuous title


def test_coordinator_texts_show_in_their_language_only(shipped, alice):
    PageText.objects.create(slot="helplines", language="ru", text="Звоните 860")
    client = Client()
    assert "Звоните 860" in client.get("/info/ru/").content.decode()
    assert "Звоните 860" not in client.get("/info/az/").content.decode()


@pytest.mark.parametrize(
    "data",
    [
        {"unit": "atlantis"},
        {"unit": "astara", "need": "spaceship"},
        {"unit": "astara", "gender": "<script>"},
        {"unit": "astara", "boy_age": "-3"},
        {"unit": "astara", "boy_age": "1e999"},
        {"unit": "astara", "on": "2023-02-30"},
        {"unit": "astara", "on": "1066-10-14"},
        {"unit": "x" * 100_000, "need": "y" * 100_000},
        {"unit": "astara\u202e", "with_children": "maybe"},
    ],
)
def test_bad_input_gets_a_friendly_page_never_a_500(shipped, data):
    response = _ask(Client(), "az", **data)
    assert response.status_code == 200
    assert 'id="form-problem"' in response.content.decode()


def test_unknown_language_or_address_is_a_friendly_404(db):
    client = Client()
    for path in ("/info/xx/", "/info/az/../../etc/passwd", "/info/en/report/extra"):
        response = client.get(path)
        assert response.status_code == 404
        assert "Page not found" in response.content.decode()
        assert not response.cookies


def test_stored_hours_the_parser_refuses_read_as_not_known(shipped):
    Service.objects.filter(code="forensic_mtepab_baku").update(
        hours="Mo-Zz 99:00", open_24_7=False, closes_on_public_holidays=Tri.YES
    )
    astara = AdminUnit.objects.get(code="astara")
    answer = help_find(
        HelpQuery("assault", astara, Who("woman"), dt.datetime(2023, 3, 20, 12, tzinfo=BAKU))
    )
    forensic = answer.by_code["forensic"].accepted[0]
    assert forensic.open_now is None and forensic.opens_at is None
