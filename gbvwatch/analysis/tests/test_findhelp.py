"""Ranking by estimated road distance and opening with days off and working weekends."""

from __future__ import annotations

import datetime as dt
import math

import pytest

from gbvwatch.analysis.findhelp import Origin, opening_at, rank_by_road_km, rounded_km
from gbvwatch.analysis.geo import haversine_km
from gbvwatch.analysis.hours import parse_hours

OFFICE = parse_hours("Mo-Fr 09:00-18:00")
NOVRUZ_2023 = frozenset(dt.date(2023, 3, d) for d in range(20, 25))  # Mon 20 - Fri 24


def wall(year: int, month: int, day: int, hour: int, minute: int) -> dt.datetime:
    """A local wall-clock time (naive, as opening hours are)."""
    return dt.datetime.combine(dt.date(year, month, day), dt.time(hour, minute))


def test_nearest_first_then_without_location_then_unreachable():
    origin = Origin(40.0, 49.0, "main")
    ranked = rank_by_road_km(
        origin,
        [41.0, 40.1, None, 40.05],
        [49.0, 49.0, None, 49.0],
        ["main", "main", "main", "island"],
        circuity=1.3,
    )
    assert ranked.order == (1, 0, 2, 3)
    assert ranked.road_km[1] == pytest.approx(1.3 * haversine_km(40.0, 49.0, 40.1, 49.0))
    assert math.isnan(ranked.road_km[2]) and math.isinf(ranked.road_km[3])


def test_circuity_below_one_is_refused():
    with pytest.raises(ValueError, match="circuity"):
        rank_by_road_km(Origin(0, 0, "main"), [0.0], [0.0], ["main"], circuity=0.5)


def test_rounding_hides_precise_distances():
    assert rounded_km(123.4, step_km=10) == 120
    assert rounded_km(2.0, step_km=10) == 10  # never "0 km" to a confidential address
    assert rounded_km(math.inf, step_km=1) is None and rounded_km(math.nan, step_km=1) is None


def test_forensic_office_on_novruz_opens_the_monday_after():
    state = opening_at(
        OFFICE,
        wall(2023, 3, 20, 12, 0),
        closed_dates=NOVRUZ_2023,
        working_weekends=frozenset(),
        closes_on_holidays=True,
    )
    assert state == (False, wall(2023, 3, 27, 9, 0))


def test_holiday_behaviour_not_known_is_not_known():
    state = opening_at(
        OFFICE,
        wall(2023, 3, 20, 12, 0),
        closed_dates=NOVRUZ_2023,
        working_weekends=frozenset(),
        closes_on_holidays=None,
    )
    assert state == (None, None)


def test_working_saturday_keeps_monday_hours():
    saturday = dt.date(2019, 12, 28)  # a day-off transfer made it a working day
    working = frozenset({saturday})
    none: frozenset[dt.date] = frozenset()
    at_ten = dt.datetime.combine(saturday, dt.time(10, 0))
    assert opening_at(
        OFFICE, at_ten, closed_dates=none, working_weekends=working, closes_on_holidays=True
    ) == (True, None)
    friday_evening = wall(2019, 12, 27, 19, 0)
    assert opening_at(
        OFFICE, friday_evening, closed_dates=none, working_weekends=working, closes_on_holidays=True
    ) == (
        False,
        wall(2019, 12, 28, 9, 0),
    )


def test_before_opening_today_opens_today_and_unknown_hours_are_unknown():
    monday = wall(2023, 6, 5, 7, 30)
    none: frozenset[dt.date] = frozenset()
    assert opening_at(
        OFFICE, monday, closed_dates=none, working_weekends=none, closes_on_holidays=True
    ) == (False, wall(2023, 6, 5, 9, 0))
    unknown = parse_hours("")
    assert opening_at(
        unknown, monday, closed_dates=none, working_weekends=none, closes_on_holidays=True
    ) == (None, None)
