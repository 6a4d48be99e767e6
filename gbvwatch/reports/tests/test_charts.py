"""The report's charts from the shipped Azerbaijan dataset, with attacks documented by three
sharing organisations, in English, Azerbaijani and Russian."""

from __future__ import annotations

import datetime as dt
import io
import time
import xml.etree.ElementTree as ET
from typing import Any

import numpy as np
import pytest
from django.core.management import call_command
from django.utils import translation
from PIL import Image

from gbvwatch.cases.attacks_actions import AttackSecrets, attack_create
from gbvwatch.cases.models import Attack
from gbvwatch.conftest import Actor, make_member
from gbvwatch.core import actions as core_actions
from gbvwatch.core.models import Role
from gbvwatch.directory.models import Service, Status
from gbvwatch.gaps.report import GapParameters, gaps_report
from gbvwatch.reports.charts import CHART_KEYS, report_charts
from gbvwatch.stats.actions import coalition_consent_set
from gbvwatch.stats.report import StatsParameters, stats_report
from gbvwatch.upr.queries import RecommendationFilters, upr_summary

SVG = "{http://www.w3.org/2000/svg}"
# Per organisation, the years its attacks started: 2019 adds up to 3 (published as "<5").
ATTACK_YEARS = (2019, 2020, 2020, 2021, 2021, 2021)


def _attack(actor: Actor, started: dt.date) -> None:
    attack = Attack(
        target_pseudonym="Activist",
        platform="instagram",
        attack_types=["smear_campaign"],
        started_on=started,
        consent_statistics=True,
        consent_coalition=True,
    )
    attack_create(actor=actor.user, attack=attack, secrets=AttackSecrets(narrative="n"))


@pytest.fixture
def coalition(db: Any) -> list[Actor]:
    """The shipped dataset and three sharing organisations with six attacks each."""
    call_command("load_dataset", "az", verbosity=0)
    actors = []
    for name in ("Ayna", "Fem-utopia", "Nafas"):
        org = core_actions.organisation_create(actor="test", name=name)
        actor = make_member(org, f"coord-{org.slug}", Role.COORDINATOR, None)
        for year in ATTACK_YEARS:
            _attack(actor, dt.date(year, 5, 1))
        coalition_consent_set(actor=actor.user, shares=True)
        actors.append(actor)
    return actors


def _services() -> list[dict[str, Any]]:
    return [
        {"code": s.code, "name": s.name, "kind": s.kind, "lon": s.lon, "lat": s.lat,
         "unit": s.unit.code if s.unit else None}
        for s in Service.objects.filter(status=Status.OPERATING).select_related("unit")
    ]  # fmt: skip


def _inputs() -> dict[str, Any]:
    return {
        "gaps": gaps_report(GapParameters(year=2023)),
        "upr": upr_summary(RecommendationFilters(country="AZ")),
        "stats": stats_report(StatsParameters()),
        "services": _services(),
    }


def _check_files(chart: Any) -> None:
    root = ET.fromstring(chart.svg)  # noqa: S314 (our own output, not untrusted)
    title = root.find(f"{SVG}title")
    assert title is not None and title.text == chart.title
    image = Image.open(io.BytesIO(chart.png))
    assert image.info["dpi"][0] >= 150
    assert np.asarray(image.convert("L"), dtype=np.float64).std() > 8


def test_every_chart_is_drawn_from_the_shipped_dataset_with_its_figures(coalition):
    inputs = _inputs()
    started = time.perf_counter()
    drawn = report_charts(**inputs)
    seconds = time.perf_counter() - started
    assert list(drawn) == list(CHART_KEYS)
    for chart in drawn.values():
        _check_files(chart)
        assert chart.source_note and not chart.alt.startswith("No data")
    assert "175 shelter family places" in drawn["shelter_places"].alt
    assert "requires 1,025" in drawn["shelter_places"].alt
    assert "5.9 times" in drawn["shelter_places"].alt
    assert "Longest gap: 9 days from 18 March" in drawn["forensic_calendar"].alt
    assert "Farthest: Astara District, 300.1 km" in drawn["distance_map"].alt
    assert "no road connection: 8" in drawn["distance_map"].alt
    assert "over 300 km: 293,004 women (5.7%)" in drawn["women_by_distance"].alt
    assert "6 of 162 recommendations" in drawn["recommendations"].alt
    # 2019 (3) is small; 2020 is hidden too, or the total would give 2019 away.
    assert "Digital attacks: 2019: <5; 2020: x; 2021: 9." in drawn["cases_by_year"].alt
    assert "without a location" in drawn["services_map"].alt
    assert seconds < 30  # generous for a shared test machine; the report says what was measured


def test_a_hidden_count_leaves_the_chart_unchanged(coalition):
    before = report_charts(**_inputs(), keys=["cases_by_year"])["cases_by_year"]
    _attack(coalition[0], dt.date(2019, 9, 1))  # 2019 now holds 4 attacks: still "<5"
    after = report_charts(**_inputs(), keys=["cases_by_year"])["cases_by_year"]
    assert "2019: <5" in after.alt
    assert (after.svg, after.png, after.alt) == (before.svg, before.png, before.alt)


def test_the_same_inputs_redraw_byte_identical_files(coalition):
    inputs = _inputs()
    first, second = report_charts(**inputs), report_charts(**inputs)
    for key in CHART_KEYS:
        assert (first[key].svg, first[key].png) == (second[key].svg, second[key].png), key


@pytest.mark.parametrize("language", ["az", "ru"])
def test_titles_and_words_render_in_azerbaijani_and_russian(coalition, language):
    inputs = _inputs()
    english = report_charts(**inputs, keys=["shelter_places", "distance_map"])
    with translation.override(language):
        drawn = report_charts(**inputs, keys=["shelter_places", "distance_map"])
    for key, chart in drawn.items():
        _check_files(chart)
        assert chart.title != english[key].title
        assert chart.alt != english[key].alt
        assert chart.png != english[key].png
    # Numbers use the language's thousands separator (a no-break space in both).
    assert "1\xa0025" in drawn["shelter_places"].alt


@pytest.mark.django_db
def test_missing_data_gives_a_chart_that_says_so():
    drawn = report_charts(gaps={}, upr={}, stats={}, services=[])
    assert list(drawn) == list(CHART_KEYS)
    for chart in drawn.values():
        assert chart.alt.startswith("No data:")
        assert "No data:" in chart.svg
        _check_files(chart)


@pytest.mark.django_db
def test_unknown_keys_are_named_in_the_error():
    with pytest.raises(ValueError, match="pie_chart, radar"):
        report_charts(
            gaps={}, upr={}, stats={}, services=[], keys=["shelter_places", "pie_chart", "radar"]
        )
