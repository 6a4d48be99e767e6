"""National holiday calendars (via the `holidays` package): days off, transfers, long closures.

A `CalendarDay` lists only the special days of a calendar; any other date is a working day unless
it falls on the weekend. Names come in the requested language; kinds are language-independent.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

import holidays
from holidays import HolidayBase

DayKind = Literal["holiday", "observed", "substituted_day_off", "weekend_workday", "other"]
DEFAULT_WEEKEND_DAYS = frozenset({5, 6})  # Saturday, Sunday (date.weekday numbering)
WEEKEND_WORKDAY_NAME = "Working day (weekend day transferred)"  # the package names none
_DAY_OFF_PRIORITY: tuple[DayKind, ...] = ("holiday", "observed", "substituted_day_off")


@dataclass(frozen=True)
class CalendarDay:
    """A special day: a day off (holiday, observed, substituted) or a differing working day."""

    date: dt.date
    name: str
    kind: DayKind
    is_working_day: bool


@dataclass(frozen=True)
class Closure:
    """A run of consecutive non-working days, both ends inclusive."""

    start: dt.date
    end: dt.date
    length_days: int


def country_calendar(
    country: str, years: Iterable[int], language: str | None = None
) -> tuple[CalendarDay, ...]:
    """Special days of an ISO 3166-1 alpha-2 country in the given years, sorted by date."""
    wanted = set(years)
    if not wanted:
        return ()
    # Ask for a year either side: a transfer can move a day off across New Year.
    span = range(min(wanted) - 1, max(wanted) + 2)
    public = holidays.country_holidays(
        country, years=span, categories=("public",), language=language
    )
    days = {d: _public_day(public, d) for d in public}
    weekend = frozenset(public.weekend)
    for d in public.weekend_workdays:
        if d not in days and d.weekday() in weekend:
            days[d] = CalendarDay(d, WEEKEND_WORKDAY_NAME, "weekend_workday", True)
    if "workday" in public.supported_categories:
        observances = holidays.country_holidays(
            country, years=span, categories=("workday",), language=language
        )
        for d in observances:
            days[d] = _add_observance(days.get(d), d, "; ".join(observances.get_list(d)), weekend)
    return tuple(sorted((day for day in days.values() if day.date.year in wanted), key=_by_date))


def non_working_dates(
    days: Iterable[CalendarDay],
    start: dt.date,
    end: dt.date,
    *,
    weekend_days: frozenset[int] = DEFAULT_WEEKEND_DAYS,
) -> frozenset[dt.date]:
    """Dates from start to end inclusive that are days off: weekends not worked, and holidays."""
    special = {day.date: day.is_working_day for day in days}
    dates = (start + dt.timedelta(days=i) for i in range((end - start).days + 1))
    return frozenset(d for d in dates if not special.get(d, d.weekday() not in weekend_days))


def holiday_dates(days: Iterable[CalendarDay], start: dt.date, end: dt.date) -> frozenset[dt.date]:
    """Dates from start to end inclusive that are days off by the calendar, weekends aside."""
    return frozenset(
        day.date for day in days if not day.is_working_day and start <= day.date <= end
    )


def longest_closure(
    days: Iterable[CalendarDay],
    year: int,
    *,
    weekend_days: frozenset[int] = DEFAULT_WEEKEND_DAYS,
) -> Closure | None:
    """Longest run of consecutive non-working days within the year (earliest on ties), or None."""
    first, last = dt.date(year, 1, 1), dt.date(year, 12, 31)
    off = non_working_dates(days, first, last, weekend_days=weekend_days)
    best: Closure | None = None
    run_start: dt.date | None = None
    for i in range((last - first).days + 2):
        d = first + dt.timedelta(days=i)
        if d in off and d <= last:
            run_start = run_start or d
            continue
        if run_start is not None:
            length = (d - run_start).days
            if best is None or length > best.length_days:
                best = Closure(run_start, d - dt.timedelta(days=1), length)
            run_start = None
    return best


def _by_date(day: CalendarDay) -> dt.date:
    return day.date


def _public_day(public: HolidayBase, d: dt.date) -> CalendarDay:
    names = public.get_list(d)
    kinds = {_name_kind(public, name) for name in names}
    kind = next(k for k in _DAY_OFF_PRIORITY if k in kinds)
    return CalendarDay(d, "; ".join(names), kind, False)


def _add_observance(
    existing: CalendarDay | None, d: dt.date, name: str, weekend: frozenset[int]
) -> CalendarDay:
    # Observances (the "workday" category) are commemorations that stay working days.
    if existing is None:
        return CalendarDay(d, name, "other", d.weekday() not in weekend)
    return CalendarDay(d, f"{existing.name}; {name}", existing.kind, existing.is_working_day)


def _name_kind(public: HolidayBase, name: str) -> DayKind:
    if _label_matches(public, "substituted_label", name):
        return "substituted_day_off"
    observed_labels = ("observed_label", "observed_label_before", "observed_estimated_label")
    if any(_label_matches(public, label, name) for label in observed_labels):
        return "observed"
    return "holiday"


def _label_matches(public: HolidayBase, attribute: str, name: str) -> bool:
    # Labels are printf templates such as "%s (observed)", translated like the names are.
    template = getattr(public, attribute, None)
    if not isinstance(template, str) or template.strip() == "%s":
        return False
    translated = public.tr(template)
    pattern = ".+".join(re.escape(part) for part in translated.split("%s"))
    return re.fullmatch(pattern, name) is not None
