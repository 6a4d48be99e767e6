"""Report charts drawn from small hand-made inputs: files, words, determinism, suppression."""

from __future__ import annotations

import datetime as dt
import io
import warnings
import xml.etree.ElementTree as ET
from collections.abc import Callable

import numpy as np
import pytest
from PIL import Image

from gbvwatch.analysis import charts
from gbvwatch.analysis.charts import Chart, ChartText

SVG = "{http://www.w3.org/2000/svg}"
BANDS = ("0-50 km", "50-100 km", "100-200 km", "200-300 km", "over 300 km")
SQUARE = (((45.0, 39.0), (46.0, 39.0), (46.0, 40.0), (45.0, 40.0)),)
HOLED = (
    ((46.0, 39.0), (48.0, 39.0), (48.0, 41.0), (46.0, 41.0)),
    ((46.5, 39.5), (46.5, 40.5), (47.5, 40.5), (47.5, 39.5)),
)


def text(title: str = "A title") -> ChartText:
    return ChartText(title, f"{title}: the figures in words", "Source: a test")


def calendar_2023() -> charts.DayCalendar:
    weekend = [(dt.date(2023, 1, 1) + dt.timedelta(days=i)).weekday() >= 5 for i in range(365)]
    return charts.DayCalendar(
        year=2023,
        days_without=tuple(weekend),
        longest_start=dt.date(2023, 1, 7),
        longest_days=2,
        month_labels=tuple(f"M{m}" for m in range(1, 13)),
        without_label="closed all day",
        with_label="open",
        longest_label="Longest gap: 2 days from 7 January",
    )


def cases(hidden_label: str = "<5") -> charts.CasesByYear:
    return charts.CasesByYear(
        year_labels=("2020", "2021"),
        series=(
            charts.CountSeries(
                "Incidents", (charts.CountCell(12, "12"), charts.CountCell(None, hidden_label))
            ),
            charts.CountSeries("Attacks", (charts.CountCell(6, "6"), charts.CountCell(9, "9"))),
        ),
        axis_label="Cases",
        suppressed_label="hidden",
        k=5,
    )


DRAWINGS: dict[str, Callable[[], Chart]] = {
    "shelter_places": lambda: charts.shelter_places_chart(
        charts.ShelterPlaces(175, 1025.02, "available", "required", "places", "ratio 5.9"), text()
    ),
    "women_by_distance": lambda: charts.women_by_distance_chart(
        charts.WomenByDistance(
            BANDS,
            (
                charts.Series("Woman", (2e6, 4e5, 1.7e6, 6e5, 3e5)),
                charts.Series("Man", (1e6, 0, 0, 0, 4e6)),
            ),
            "women",
        ),
        text(),
    ),
    "forensic_calendar": lambda: charts.forensic_calendar_chart(calendar_2023(), text()),
    "cases_by_year": lambda: charts.cases_by_year_chart(cases(), text()),
    "recommendations": lambda: charts.recommendations_chart(
        charts.StackedCounts(
            ("Group A", "Group B with a long name that must wrap onto two lines"),
            ("not assessed", "partial"),
            ("#c9c9d4", "#f4a582"),
            ((3, 1), (0, 2)),
            "recommendations",
        ),
        text(),
    ),
    "distance_map": lambda: charts.distance_map_chart(
        charts.DistanceMap(
            (charts.MapArea((SQUARE,), 30.0), charts.MapArea((HOLED,), None)),
            (50, 100, 200, 300),
            BANDS,
            "no road",
            "distance",
            charts.PointGroup("Shelter", ((45.5, 39.5),)),
        ),
        text(),
    ),
    "services_map": lambda: charts.services_map_chart(
        charts.PointsMap(
            (charts.MapArea((SQUARE,)), charts.MapArea((HOLED,))),
            (
                charts.PointGroup("Shelter", ((45.5, 39.5), (45.5, 39.5))),
                charts.PointGroup("Forensic", ((47.0, 40.8),)),
            ),
            "kind",
        ),
        text(),
    ),
}


def pixels(chart: Chart) -> np.ndarray:
    image = Image.open(io.BytesIO(chart.png))
    return np.asarray(image.convert("L"), dtype=np.float64)


@pytest.mark.parametrize("key", sorted(DRAWINGS))
def test_each_chart_gives_parseable_svg_and_a_drawn_png(key: str) -> None:
    chart = DRAWINGS[key]()
    assert chart.key == key
    root = ET.fromstring(chart.svg)  # noqa: S314 (our own output, not untrusted)
    assert root.tag == f"{SVG}svg" and root.get("role") == "img"
    assert root.find(f"{SVG}title").text == "A title"  # type: ignore[union-attr]
    assert root.find(f"{SVG}desc").text == "A title: the figures in words"  # type: ignore[union-attr]
    # Every id is the chart's own, so several charts can share one HTML page.
    assert all(e.get("id", key).startswith(key) for e in root.iter())
    image = Image.open(io.BytesIO(chart.png))
    dpi = image.info["dpi"][0]
    assert dpi == pytest.approx(charts.PNG_DPI, abs=1)
    assert image.width == pytest.approx(chart.width_mm / 25.4 * dpi, abs=2)
    assert pixels(chart).std() > 8  # not blank (a blank image has 0)


@pytest.mark.parametrize("key", sorted(DRAWINGS))
def test_the_same_input_gives_byte_identical_files(key: str) -> None:
    first, second = DRAWINGS[key](), DRAWINGS[key]()
    assert first.svg == second.svg
    assert first.png == second.png
    assert "<metadata" not in first.svg and "<?xml" not in first.svg


AZERBAIJANI = "S\u0131\u011f\u0131nacaq yerl\u0259ri: \u0130\u015f, \u00f6, \u00fc, \u00e7"


def test_azerbaijani_and_russian_letters_have_glyphs() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # matplotlib warns when a glyph is missing from the font
        chart = charts.no_data_chart("shelter_places", text(AZERBAIJANI), "Нет данных: приюты")
    assert AZERBAIJANI in chart.svg
    assert pixels(chart).std() > 10


def test_no_data_chart_says_so_in_the_drawing_and_the_alt_text() -> None:
    chart = charts.no_data_chart(
        "services_map", ChartText("Services", "No data: none", ""), "No data: none"
    )
    assert chart.alt == "No data: none"
    assert "No data: none" in chart.svg
    assert pixels(chart).std() > 10


def test_units_without_a_value_and_distances_fall_in_their_band() -> None:
    edges = (50, 100, 200, 300)
    assert [charts.band_index(v, edges) for v in (0, 49.9, 50, 150, 300, 301)] == [
        0, 0, 1, 2, 4, 4,
    ]  # fmt: skip
    assert charts.band_index(None, edges) is None


def test_numbers_use_the_separators_given() -> None:
    numbers = charts.NumberFormat(thousands="\xa0", decimal=",")
    assert numbers.integer(1025.02) == "1\xa0025"
    assert numbers.fixed(12345.678) == "12\xa0345,7"
    assert charts.NumberFormat().fixed(0.5, 2) == "0.50"
