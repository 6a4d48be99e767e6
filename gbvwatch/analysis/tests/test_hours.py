import datetime as dt

import pytest

from gbvwatch.analysis.hours import (
    UNKNOWN_HOURS,
    HoursError,
    WeeklyHours,
    format_hours,
    hours_from_intervals,
    is_open,
    next_opening,
    parse_hours,
)

NO_HOLIDAYS: frozenset[dt.date] = frozenset()
# 2025-03-17 is a Monday; 2025-03-20/21 are Novruz holidays in Azerbaijan.
MONDAY = dt.date(2025, 3, 17)
NOVRUZ = frozenset({dt.date(2025, 3, 20), dt.date(2025, 3, 21)})


def at(day_offset: int, hhmm: str) -> dt.datetime:
    hour, minute = map(int, hhmm.split(":"))
    return dt.datetime.combine(MONDAY + dt.timedelta(days=day_offset), dt.time(hour, minute))


def open_without_holidays(hours: WeeklyHours, when: dt.datetime) -> bool | None:
    return is_open(hours, when, closed_dates=NO_HOLIDAYS, closes_on_holidays=True)


def next_opening_without_holidays(
    hours: WeeklyHours, after: dt.datetime, horizon_days: int = 30
) -> dt.datetime | None:
    return next_opening(
        hours, after, closed_dates=NO_HOLIDAYS, closes_on_holidays=True, horizon_days=horizon_days
    )


def test_round_the_clock_covers_every_minute_of_every_day() -> None:
    hours = parse_hours("24/7")
    assert hours.is_24_7
    assert hours.intervals == tuple((day, 0, 1440) for day in range(7))


def test_weekday_range_expands_to_each_day() -> None:
    hours = parse_hours("Mo-Fr 09:00-18:00")
    assert hours.intervals == tuple((day, 540, 1080) for day in range(5))
    assert not hours.is_24_7
    assert not hours.unknown


def test_split_shifts_and_several_rules() -> None:
    hours = parse_hours("Mo-Fr 09:00-13:00,14:00-18:00; Sa 10:00-14:00")
    assert (0, 540, 780) in hours.intervals
    assert (0, 840, 1080) in hours.intervals
    assert (5, 600, 840) in hours.intervals
    assert not any(day == 6 for day, _, _ in hours.intervals)
    assert len(hours.intervals) == 11


def test_day_lists() -> None:
    hours = parse_hours("Mo,We,Fr 08:00-20:00")
    assert [day for day, _, _ in hours.intervals] == [0, 2, 4]


def test_range_past_midnight_is_split_into_two_days() -> None:
    assert parse_hours("Fr 20:00-02:00").intervals == ((4, 1200, 1440), (5, 0, 120))


def test_sunday_night_runs_into_monday_morning() -> None:
    assert parse_hours("Su 22:00-06:00").intervals == ((0, 0, 360), (6, 1320, 1440))


def test_empty_string_means_unknown_hours() -> None:
    assert parse_hours("") == UNKNOWN_HOURS
    assert parse_hours("   ").unknown


def test_later_rule_replaces_the_days_it_names() -> None:
    hours = parse_hours("Mo-Fr 09:00-18:00; We 10:00-12:00; Fr off")
    assert [iv for iv in hours.intervals if iv[0] in (2, 4)] == [(2, 600, 720)]


def test_every_day_open_all_day_is_24_7() -> None:
    assert parse_hours("Mo-Su 00:00-24:00") == parse_hours("24/7")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("Mx 09:00-18:00", "unknown day 'Mx' at position 0"),
        ("Mo-Fx 09:00-18:00", "unknown day 'Fx' at position 3"),
        ("Mo-Fr 09:00-18:00; Sa 25:00-26:00", "bad time '25:00' at position 22"),
        ("Mo 10:00-10:60", "bad time '10:60' at position 9"),
        ("Mo 24:00-02:00", "bad time '24:00' at position 3"),
        ("Mo 9:00-18:00", "bad time range '9:00-18:00' at position 3"),
        ("Mo 09:00-09:00", "empty time range '09:00-09:00' at position 3"),
        ("Mo-Fr", "missing times after 'Mo-Fr' at position 0"),
        ("Mo 09:00-12:00;; Tu 09:00-12:00", "empty rule at position 15"),
    ],
)
def test_bad_input_names_the_token_and_its_position(text: str, message: str) -> None:
    with pytest.raises(HoursError) as caught:
        parse_hours(text)
    assert str(caught.value) == message
    assert isinstance(caught.value, ValueError)


@pytest.mark.parametrize(
    "text",
    [
        "24/7",
        "Mo-Fr 09:00-18:00",
        "Mo-Fr 09:00-13:00,14:00-18:00; Sa 10:00-14:00",
        "Mo,We,Fr 08:00-20:00",
        "Fr 20:00-02:00",
        "Sa-Mo 10:00-12:00",
        "Mo-Fr 09:00-18:00; We off",
        "Mo-Su off",
        "",
    ],
)
def test_format_round_trips_through_parse(text: str) -> None:
    hours = parse_hours(text)
    canonical = format_hours(hours)
    assert parse_hours(canonical) == hours
    assert format_hours(parse_hours(canonical)) == canonical


def test_canonical_form_groups_days_with_equal_hours() -> None:
    text = "Mo 09:00-18:00; Tu 09:00-18:00; We-Fr 09:00-18:00; Sa 10:00-14:00"
    assert format_hours(parse_hours(text)) == "Mo-Fr 09:00-18:00; Sa 10:00-14:00"


def test_intervals_are_merged_when_they_overlap() -> None:
    hours = hours_from_intervals([(0, 600, 720), (0, 700, 800), (0, 800, 900)])
    assert hours == WeeklyHours(intervals=((0, 600, 900),))


def test_interval_outside_the_week_is_rejected() -> None:
    with pytest.raises(ValueError, match="out of range"):
        hours_from_intervals([(7, 0, 60)])


def test_open_during_hours_and_closed_outside() -> None:
    hours = parse_hours("Mo-Fr 09:00-18:00")
    assert open_without_holidays(hours, at(0, "09:00")) is True
    assert open_without_holidays(hours, at(0, "17:59")) is True
    assert open_without_holidays(hours, at(0, "18:00")) is False
    assert open_without_holidays(hours, at(5, "12:00")) is False


def test_night_opening_continues_after_midnight() -> None:
    hours = parse_hours("Fr 20:00-02:00")
    assert is_open(hours, at(5, "01:30"), closed_dates=NO_HOLIDAYS, closes_on_holidays=None)


def test_unknown_hours_give_unknown_answers() -> None:
    assert (
        is_open(UNKNOWN_HOURS, at(0, "10:00"), closed_dates=NOVRUZ, closes_on_holidays=False)
        is None
    )
    assert (
        next_opening(UNKNOWN_HOURS, at(0, "10:00"), closed_dates=NOVRUZ, closes_on_holidays=False)
        is None
    )


def test_holiday_closes_a_service_that_closes_on_holidays() -> None:
    hours = parse_hours("24/7")
    assert is_open(hours, at(3, "10:00"), closed_dates=NOVRUZ, closes_on_holidays=True) is False
    assert is_open(hours, at(3, "10:00"), closed_dates=NOVRUZ, closes_on_holidays=False) is True


def test_holiday_with_unknown_behaviour_is_unknown_only_when_otherwise_open() -> None:
    hours = parse_hours("Mo-Fr 09:00-18:00")
    assert is_open(hours, at(3, "10:00"), closed_dates=NOVRUZ, closes_on_holidays=None) is None
    assert is_open(hours, at(3, "20:00"), closed_dates=NOVRUZ, closes_on_holidays=None) is False


def test_next_opening_is_now_when_already_open() -> None:
    now = at(0, "10:00") + dt.timedelta(seconds=30)
    hours = parse_hours("Mo-Fr 09:00-18:00")
    assert next_opening(hours, now, closed_dates=NO_HOLIDAYS, closes_on_holidays=True) == now


def test_next_opening_later_the_same_day_after_a_lunch_break() -> None:
    hours = parse_hours("Mo-Fr 09:00-13:00,14:00-18:00")
    opening = next_opening(hours, at(0, "13:15"), closed_dates=NO_HOLIDAYS, closes_on_holidays=True)
    assert opening == at(0, "14:00")


def test_next_opening_skips_the_weekend() -> None:
    hours = parse_hours("Mo-Fr 09:00-18:00")
    opening = next_opening(hours, at(4, "18:00"), closed_dates=NO_HOLIDAYS, closes_on_holidays=True)
    assert opening == at(7, "09:00")


def test_next_opening_skips_holidays_when_closed_or_unknown_on_them() -> None:
    hours = parse_hours("Mo-Fr 09:00-18:00")
    for closes in (True, None):
        opening = next_opening(
            hours, at(2, "19:00"), closed_dates=NOVRUZ, closes_on_holidays=closes
        )
        assert opening == at(7, "09:00")
    opening = next_opening(hours, at(2, "19:00"), closed_dates=NOVRUZ, closes_on_holidays=False)
    assert opening == at(3, "09:00")


def test_next_opening_gives_up_after_the_horizon() -> None:
    hours = parse_hours("Su 10:00-12:00")
    assert next_opening_without_holidays(hours, at(0, "10:00"), horizon_days=6) is None
    assert next_opening_without_holidays(hours, at(0, "10:00"), horizon_days=7) == at(6, "10:00")
    assert next_opening_without_holidays(parse_hours("Mo-Su off"), at(0, "10:00")) is None
