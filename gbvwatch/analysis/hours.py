"""Weekly opening hours: a small subset of OpenStreetMap `opening_hours`, and open-now queries.

Supported: `24/7`; rules `<days> <times>` separated by `;`, where days are `Mo`..`Su`, ranges
(`Mo-Fr`, wrapping `Fr-Mo`) and lists (`Mo,We,Fr`), and times are `HH:MM-HH:MM` lists or `off`;
a range ending at or before its start runs past midnight. As in OSM, a later rule replaces the
schedule of the days it names. An empty string means the hours are unknown.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass

DAY_CODES = ("Mo", "Tu", "We", "Th", "Fr", "Sa", "Su")
MINUTES_PER_DAY = 24 * 60
_ALL_DAYS = tuple(range(7))
_OFF_WORDS = frozenset({"off", "closed"})
_SPAN_RE = re.compile(r"(\d\d:\d\d)-(\d\d:\d\d)")
_TIME_RE = re.compile(r"(\d\d):(\d\d)")

Interval = tuple[int, int, int]  # (weekday 0=Monday, start_minute, end_minute), end <= 1440
Span = tuple[int, int]  # (start_minute, end_minute); end <= start runs past midnight


class HoursError(ValueError):
    """Text outside the supported syntax; the message names the offending token and position."""


@dataclass(frozen=True)
class WeeklyHours:
    """Opening intervals of a typical week, sorted, merged and split at midnight."""

    is_24_7: bool = False
    intervals: tuple[Interval, ...] = ()
    unknown: bool = False


UNKNOWN_HOURS = WeeklyHours(unknown=True)


def hours_from_intervals(intervals: Iterable[Interval]) -> WeeklyHours:
    """Normalise (weekday, start_minute, end_minute) intervals; end <= start runs past midnight."""
    by_day: dict[int, list[Span]] = {day: [] for day in _ALL_DAYS}
    for day, start, end in intervals:
        if not (0 <= day < 7 and 0 <= start < MINUTES_PER_DAY and 0 <= end <= MINUTES_PER_DAY):
            raise ValueError(f"interval out of range: {(day, start, end)}")
        if end > start:
            by_day[day].append((start, end))
            continue
        by_day[day].append((start, MINUTES_PER_DAY))
        if end > 0:
            by_day[(day + 1) % 7].append((0, end))
    merged = tuple((day, s, e) for day in _ALL_DAYS for s, e in _merge(by_day[day]))
    full_week = tuple((day, 0, MINUTES_PER_DAY) for day in _ALL_DAYS)
    return WeeklyHours(is_24_7=merged == full_week, intervals=merged)


def parse_hours(text: str) -> WeeklyHours:
    """Parse an opening_hours string (the subset above); raises HoursError naming the bad token."""
    if not text.strip():
        return UNKNOWN_HOURS
    if text.strip() == "24/7":
        return hours_from_intervals((day, 0, MINUTES_PER_DAY) for day in _ALL_DAYS)
    schedule: dict[int, list[Span]] = {}
    for position, rule in _pieces(text, ";", 0):
        if not rule:
            raise HoursError(f"empty rule at position {position}")
        days, spans = _parse_rule(rule, position)
        schedule.update({day: spans for day in days})
    return hours_from_intervals((d, s, e) for d, spans in schedule.items() for s, e in spans)


def format_hours(hours: WeeklyHours) -> str:
    """Canonical opening_hours string for the hours ('' when unknown); parse_hours inverts it."""
    if hours.unknown:
        return ""
    if hours.is_24_7:
        return "24/7"
    groups: dict[tuple[Span, ...], list[int]] = {}
    for day in _ALL_DAYS:
        spans = tuple((s, e) for d, s, e in hours.intervals if d == day)
        if spans:
            groups.setdefault(spans, []).append(day)
    if not groups:
        return "off"
    rules = (f"{_format_days(days)} {_format_spans(spans)}" for spans, days in groups.items())
    return "; ".join(rules)


def is_open(
    hours: WeeklyHours,
    at: dt.datetime,
    *,
    closed_dates: frozenset[dt.date],
    closes_on_holidays: bool | None,
) -> bool | None:
    """Whether open at a local wall-clock time; None when hours or holiday behaviour are unknown."""
    if hours.unknown:
        return None
    minute = at.hour * 60 + at.minute
    scheduled = any(d == at.weekday() and s <= minute < e for d, s, e in hours.intervals)
    if not scheduled or at.date() not in closed_dates:
        return scheduled
    return None if closes_on_holidays is None else not closes_on_holidays


def next_opening(
    hours: WeeklyHours,
    after: dt.datetime,
    *,
    closed_dates: frozenset[dt.date],
    closes_on_holidays: bool | None,
    horizon_days: int = 30,
) -> dt.datetime | None:
    """First moment at or after `after` known to be open, looking horizon_days days ahead."""
    if hours.unknown:
        return None
    floor = after.hour * 60 + after.minute
    for offset in range(horizon_days):
        day = after.date() + dt.timedelta(days=offset)
        if day in closed_dates and closes_on_holidays is not False:
            continue
        for weekday, start, end in hours.intervals:
            if weekday != day.weekday() or (offset == 0 and end <= floor):
                continue
            if offset == 0 and start <= floor:
                return after
            midnight = dt.datetime.combine(day, dt.time(), tzinfo=after.tzinfo)
            return midnight + dt.timedelta(minutes=start)
    return None


def _merge(spans: list[Span]) -> list[Span]:
    merged: list[Span] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


def _pieces(text: str, separator: str, offset: int) -> list[tuple[int, str]]:
    # Split keeping each stripped piece's absolute character position, for error messages.
    pieces: list[tuple[int, str]] = []
    start = 0
    for part in text.split(separator):
        lead = len(part) - len(part.lstrip())
        pieces.append((offset + start + lead, part.strip()))
        start += len(part) + len(separator)
    return pieces


def _parse_rule(rule: str, position: int) -> tuple[tuple[int, ...], list[Span]]:
    if rule in _OFF_WORDS:
        return _ALL_DAYS, []
    if rule[0].isdigit():  # a rule without days applies to every day
        return _ALL_DAYS, _parse_spans(rule, position)
    match = re.match(r"(\S+)\s+(\S.*)", rule)
    if match is None:
        raise HoursError(f"missing times after {rule!r} at position {position}")
    days = _parse_days(match.group(1), position)
    return days, _parse_spans(match.group(2), position + match.start(2))


def _parse_days(text: str, position: int) -> tuple[int, ...]:
    days: list[int] = []
    for item_position, item in _pieces(text, ",", position):
        first, dash, last = item.partition("-")
        start = _day_index(first, item_position)
        if not dash:
            days.append(start)
            continue
        stop = _day_index(last, item_position + len(first) + 1)
        days.extend((start + i) % 7 for i in range((stop - start) % 7 + 1))
    return tuple(days)


def _day_index(token: str, position: int) -> int:
    if token not in DAY_CODES:
        raise HoursError(f"unknown day {token!r} at position {position}")
    return DAY_CODES.index(token)


def _parse_spans(text: str, position: int) -> list[Span]:
    pieces = _pieces(text, ",", position)
    if len(pieces) == 1 and pieces[0][1] in _OFF_WORDS:
        return []
    spans: list[Span] = []
    for item_position, item in pieces:
        match = _SPAN_RE.fullmatch(item)
        if match is None:
            raise HoursError(f"bad time range {item!r} at position {item_position}")
        start = _minutes(match.group(1), item_position, is_end=False)
        end = _minutes(match.group(2), item_position + match.start(2), is_end=True)
        if start == end:
            raise HoursError(f"empty time range {item!r} at position {item_position}")
        spans.append((start, end))
    return spans


def _minutes(token: str, position: int, *, is_end: bool) -> int:
    match = _TIME_RE.fullmatch(token)
    hour, minute = (int(match.group(1)), int(match.group(2))) if match else (99, 99)
    value = hour * 60 + minute
    if minute > 59 or value > MINUTES_PER_DAY or (value == MINUTES_PER_DAY and not is_end):
        raise HoursError(f"bad time {token!r} at position {position}")
    return value


def _format_days(days: list[int]) -> str:
    runs: list[list[int]] = []
    for day in days:
        if runs and day == runs[-1][-1] + 1:
            runs[-1].append(day)
        else:
            runs.append([day])
    codes = (
        DAY_CODES[r[0]] if len(r) == 1 else f"{DAY_CODES[r[0]]}-{DAY_CODES[r[-1]]}" for r in runs
    )
    return ",".join(codes)


def _format_spans(spans: tuple[Span, ...]) -> str:
    return ",".join(f"{_hhmm(start)}-{_hhmm(end)}" for start, end in spans)


def _hhmm(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"
