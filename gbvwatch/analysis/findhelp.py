"""Ranking services by estimated road distance from one place, for the public find-help page.

Coordinates are degrees, distances km. A service on another road-network component than the
place (an exclave, a closed border) is unreachable by road: its distance is infinite, and it is
listed last. A service without coordinates (a national helpline) has no distance (NaN) and is
listed after the reachable ones, before the unreachable ones. The road distance is the
great-circle distance times a circuity factor, as in the gap analysis without a road graph.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from gbvwatch.analysis.geo import haversine_km
from gbvwatch.analysis.hours import Span, WeeklyHours

FloatArray = NDArray[np.float64]


@dataclass(frozen=True)
class Origin:
    """Where the person is: a point in degrees and its road-network component."""

    lat: float
    lon: float
    component: str


@dataclass(frozen=True)
class Ranked:
    """Services in order, nearest first, with estimated road km (inf: unreachable, nan: none)."""

    order: tuple[int, ...]
    road_km: FloatArray
    straight_km: FloatArray


def rank_by_road_km(
    origin: Origin,
    lats: Sequence[float | None],
    lons: Sequence[float | None],
    components: Sequence[str],
    *,
    circuity: float = 1.3,
) -> Ranked:
    """Order services by estimated road km from origin (stable on ties); no side effects."""
    if circuity < 1.0:
        raise ValueError(f"circuity must be at least 1, got {circuity}")
    if not len(lats) == len(lons) == len(components):
        raise ValueError("lats, lons and components must have the same length")
    lat = np.array([np.nan if v is None else v for v in lats], dtype=np.float64)
    lon = np.array([np.nan if v is None else v for v in lons], dtype=np.float64)
    straight = np.asarray(haversine_km(origin.lat, origin.lon, lat, lon), dtype=np.float64)
    straight = np.atleast_1d(straight)
    same = np.array([c == origin.component for c in components], dtype=np.bool_)
    located = ~np.isnan(straight)
    road = np.where(located & ~same, np.inf, straight * circuity)
    # Sort key: reachable by distance, then without location, then unreachable.
    key = np.where(np.isnan(road), np.finfo(np.float64).max, road)
    order = tuple(int(i) for i in np.argsort(key, kind="stable"))
    return Ranked(order=order, road_km=road, straight_km=straight)


def rounded_km(distance_km: float, *, step_km: int) -> int | None:
    """Distance rounded to a step (e.g. 10 km to avoid revealing a precise place); None if none."""
    if step_km < 1:
        raise ValueError(f"step_km must be at least 1, got {step_km}")
    if math.isnan(distance_km) or math.isinf(distance_km):
        return None
    return max(step_km, round(distance_km / step_km) * step_km)


def _day_spans(
    hours: WeeklyHours, day: dt.date, working_weekends: frozenset[dt.date]
) -> list[Span]:
    # A weekend day turned into a working day keeps the hours of the service's first weekday
    # with any (as offices do, and as the gap analysis assumes).
    weekday = day.weekday()
    if day in working_weekends and weekday >= 5:
        weekdays = sorted({d for d, _s, _e in hours.intervals if d < 5})
        if not weekdays:
            return []
        weekday = weekdays[0]
    return [(s, e) for d, s, e in hours.intervals if d == weekday]


def opening_at(
    hours: WeeklyHours,
    at: dt.datetime,
    *,
    closed_dates: frozenset[dt.date],
    working_weekends: frozenset[dt.date],
    closes_on_holidays: bool | None,
    horizon_days: int = 30,
) -> tuple[bool | None, dt.datetime | None]:
    """(open now, next opening when closed) at a local wall-clock time, with days off and
    working weekend days; None where the hours or the holiday behaviour are not known."""
    if hours.unknown:
        return None, None
    minute = at.hour * 60 + at.minute
    today = _day_spans(hours, at.date(), working_weekends)
    scheduled = any(s <= minute < e for s, e in today)
    if scheduled and at.date() in closed_dates:
        if closes_on_holidays is None:
            return None, None
        if not closes_on_holidays:
            return True, None
    elif scheduled:
        return True, None
    for offset in range(horizon_days):
        day = at.date() + dt.timedelta(days=offset)
        if day in closed_dates and closes_on_holidays is not False:
            continue
        for start, end in _day_spans(hours, day, working_weekends):
            if offset == 0 and end <= minute:
                continue
            midnight = dt.datetime.combine(day, dt.time(), tzinfo=at.tzinfo)
            return False, max(at, midnight + dt.timedelta(minutes=start))
    return False, None
