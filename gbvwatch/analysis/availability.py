"""Hours of a year without an open service of a kind, per place and nationally, at hour resolution.

A year is a (services x hours) boolean matrix in local wall-clock time, built by tiling each
service's 168-hour week over the calendar year and closing the days off it closes on. A place is
served in an hour when any service within its reach is open; the gaps are the hours it is not.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from gbvwatch.analysis.hours import WeeklyHours

HOURS_PER_DAY = 24
HOURS_PER_WEEK = 7 * HOURS_PER_DAY
_PLACES_CHUNK = 256  # bounds the (places x hours) block kept in memory

BoolArray = NDArray[np.bool_]


@dataclass(frozen=True)
class ServiceSchedule:
    """When one service is open: weekly hours, round-the-clock flag, and holiday behaviour."""

    hours: WeeklyHours
    open_24_7: bool  # open every hour of the year, days off included
    closes_on_holidays: bool | None  # None = not known (treated as open, flagged unknown)


@dataclass(frozen=True)
class OpenMatrix:
    """Hour-by-hour opening of each service over one calendar year, in local time."""

    year: int
    start: dt.datetime  # naive local 00:00 on 1 January; column k is start + k hours
    is_open: BoolArray  # (n_services, hours_in_year)
    unknown: BoolArray  # (n_services,) hours or holiday behaviour unknown, assumption applied


@dataclass(frozen=True)
class Gap:
    """Hours of the year without service, the longest run of them, and of whole days."""

    hours_without_service: int
    longest_gap_hours: int
    longest_gap_start: dt.datetime | None  # first hour of the longest run (earliest on ties)
    longest_gap_days: int  # longest run of whole calendar days with no open hour
    longest_gap_days_start: dt.date | None


def open_hours_matrix(
    schedules: Sequence[ServiceSchedule],
    *,
    year: int,
    closed_dates: frozenset[dt.date],
    working_weekend_dates: frozenset[dt.date] = frozenset(),
) -> OpenMatrix:
    """Open hours of each service in the year; an hour counts as open if any minute of it is.

    On a weekend day turned into a working day (a day-off transfer), a service keeps the hours
    of its first working weekday (usually Monday), as offices do."""
    start = dt.datetime.combine(dt.date(year, 1, 1), dt.time())  # naive local wall-clock time
    n_days = (dt.date(year + 1, 1, 1) - dt.date(year, 1, 1)).days
    templates = np.zeros((len(schedules), HOURS_PER_WEEK), dtype=np.bool_)
    for row, schedule in enumerate(schedules):
        templates[row] = _week_template(schedule)
    # Column k of the year falls in hour (weekday(1 Jan) * 24 + k) mod 168 of the Monday week.
    offset = start.weekday() * HOURS_PER_DAY
    is_open = templates[:, (offset + np.arange(n_days * HOURS_PER_DAY)) % HOURS_PER_WEEK]
    _apply_working_weekends(is_open, templates, working_weekend_dates, year)
    closing = np.array([_closes(s) for s in schedules], dtype=np.bool_)
    holiday_hours = np.repeat(_day_mask(closed_dates, year, n_days), HOURS_PER_DAY)
    is_open[np.ix_(closing, holiday_hours)] = False
    unknown = np.array([_is_unknown(s) for s in schedules], dtype=np.bool_)
    return OpenMatrix(year=year, start=start, is_open=is_open, unknown=unknown)


def gaps_for_places(matrix: OpenMatrix, reachable: NDArray[np.bool_]) -> list[Gap]:
    """Gap of each place (reachable: places x services); served when a reachable one is open."""
    n_services = matrix.is_open.shape[0]
    if reachable.ndim != 2 or reachable.shape[1] != n_services:
        raise ValueError(f"reachable must be (places, {n_services}), got {reachable.shape}")
    open_counts = matrix.is_open.astype(np.float32)  # counts stay exact in float32 up to 2**24
    gaps: list[Gap] = []
    for first in range(0, reachable.shape[0], _PLACES_CHUNK):
        block = reachable[first : first + _PLACES_CHUNK].astype(np.float32)
        served = (block @ open_counts) > 0.5  # (chunk, hours): some reachable service is open
        gaps.extend(_gap(matrix.start, np.logical_not(row)) for row in served)
    return gaps


def gap_for_any(matrix: OpenMatrix) -> Gap:
    """National gap: the hours when no service of the matrix is open anywhere."""
    served: BoolArray = np.count_nonzero(matrix.is_open, axis=0) > 0
    return _gap(matrix.start, np.logical_not(served))


def days_without_service(matrix: OpenMatrix) -> tuple[dt.date, ...]:
    """Calendar days of the year on which no service of the matrix is open in any hour."""
    served: BoolArray = np.count_nonzero(matrix.is_open, axis=0) > 0
    closed_days = np.flatnonzero(~np.any(served.reshape(-1, HOURS_PER_DAY), axis=1))
    first = matrix.start.date()
    return tuple(first + dt.timedelta(days=int(d)) for d in closed_days)


def longest_true_run(mask: NDArray[np.bool_]) -> tuple[int, int]:
    """(length, start index) of the longest True run in a 1-D mask, earliest first; else (0, -1)."""
    padded = np.concatenate(([0], np.asarray(mask, dtype=np.int8), [0]))
    steps = np.diff(padded)
    starts = np.flatnonzero(steps == 1)
    if starts.size == 0:
        return 0, -1
    lengths = np.flatnonzero(steps == -1) - starts
    best = int(np.argmax(lengths))
    return int(lengths[best]), int(starts[best])


def _week_template(schedule: ServiceSchedule) -> BoolArray:
    # 168 hours from Monday 00:00; an interval opens every hour it touches, even for one minute.
    template = np.zeros(HOURS_PER_WEEK, dtype=np.bool_)
    if schedule.open_24_7:
        template[:] = True
        return template
    if schedule.hours.unknown:
        return template  # assumed closed, flagged unknown
    for weekday, start_minute, end_minute in schedule.hours.intervals:
        first = weekday * HOURS_PER_DAY + start_minute // 60
        stop = weekday * HOURS_PER_DAY + -(-end_minute // 60)  # ceiling division
        template[first:stop] = True
    return template


def _apply_working_weekends(
    is_open: BoolArray, templates: BoolArray, dates: frozenset[dt.date], year: int
) -> None:
    # Each service's first weekday (Mon-Fri) with any open hour lends its hours to the date.
    days = templates[:, : 5 * HOURS_PER_DAY].reshape(len(templates), 5, HOURS_PER_DAY)
    has_hours: BoolArray = np.any(days, axis=2)
    if not np.any(has_hours):
        return
    first_day = np.argmax(has_hours, axis=1)
    lent = days[np.arange(len(templates)), first_day]  # (services, 24)
    lent[~np.any(has_hours, axis=1)] = False
    first = dt.date(year, 1, 1)
    for date in sorted(d for d in dates if d.year == year and d.weekday() >= 5):
        column = (date - first).days * HOURS_PER_DAY
        is_open[:, column : column + HOURS_PER_DAY] |= lent


def _closes(schedule: ServiceSchedule) -> bool:
    return not schedule.open_24_7 and schedule.closes_on_holidays is True


def _is_unknown(schedule: ServiceSchedule) -> bool:
    if schedule.open_24_7:
        return False
    return schedule.hours.unknown or schedule.closes_on_holidays is None


def _day_mask(dates: frozenset[dt.date], year: int, n_days: int) -> BoolArray:
    # Day-of-year mask of the dates that fall inside the year; others are ignored.
    mask = np.zeros(n_days, dtype=np.bool_)
    first = dt.date(year, 1, 1)
    mask[[(d - first).days for d in dates if d.year == year]] = True
    return mask


def _gap(start: dt.datetime, without: BoolArray) -> Gap:
    # without: (hours,) True where nobody is served; the year holds whole days of 24 hours.
    run_hours, first_hour = longest_true_run(without)
    closed_per_day = np.count_nonzero(without.reshape(-1, HOURS_PER_DAY), axis=1)
    whole_days: BoolArray = closed_per_day == HOURS_PER_DAY
    run_days, first_day = longest_true_run(whole_days)
    return Gap(
        hours_without_service=int(np.count_nonzero(without)),
        longest_gap_hours=run_hours,
        longest_gap_start=start + dt.timedelta(hours=first_hour) if run_hours else None,
        longest_gap_days=run_days,
        longest_gap_days_start=start.date() + dt.timedelta(days=first_day) if run_days else None,
    )
