import datetime as dt

import numpy as np
import pytest

from gbvwatch.analysis.availability import (
    Gap,
    OpenMatrix,
    ServiceSchedule,
    days_without_service,
    gap_for_any,
    gaps_for_places,
    longest_true_run,
    open_hours_matrix,
)
from gbvwatch.analysis.calendar import country_calendar, holiday_dates
from gbvwatch.analysis.hours import UNKNOWN_HOURS, is_open, parse_hours

NO_HOLIDAYS: frozenset[dt.date] = frozenset()
HOURS_2023 = 365 * 24
# 2023 starts on a Sunday: 52 whole weeks plus that Sunday, so 52 * 5 weekdays and 52 Fridays.
WEEKDAYS_2023 = 260


def local(year: int, month: int, day: int, hour: int = 0) -> dt.datetime:
    """Naive local wall-clock time, as the matrix uses."""
    return dt.datetime.combine(dt.date(year, month, day), dt.time(hour))


def schedule(text: str, *, closes_on_holidays: bool | None = True) -> ServiceSchedule:
    return ServiceSchedule(
        parse_hours(text), open_24_7=False, closes_on_holidays=closes_on_holidays
    )


ROUND_THE_CLOCK = ServiceSchedule(parse_hours(""), open_24_7=True, closes_on_holidays=True)
OFFICE = schedule("Mo-Fr 09:00-18:00")
WEEKEND_DAYS = schedule("Sa,Su 08:00-20:00")
WEEKDAY_DAYS = schedule("Mo-Fr 08:00-20:00")


def az_days_off(year: int) -> frozenset[dt.date]:
    """Public holidays and transferred days off; weekends are already closed by Mo-Fr hours."""
    days = country_calendar("AZ", [year])
    return holiday_dates(days, dt.date(year, 1, 1), dt.date(year, 12, 31))


def az_working_weekends(year: int) -> frozenset[dt.date]:
    """Weekend days turned into working days by a day-off transfer."""
    days = country_calendar("AZ", [year])
    return frozenset(d.date for d in days if d.kind == "weekend_workday" and d.date.year == year)


def matrix_2023(*schedules: ServiceSchedule) -> OpenMatrix:
    return open_hours_matrix(schedules, year=2023, closed_dates=NO_HOLIDAYS)


def test_office_hours_open_nine_hours_on_every_weekday() -> None:
    matrix = matrix_2023(OFFICE)
    assert matrix.is_open.shape == (1, HOURS_2023)
    assert matrix.start == local(2023, 1, 1)
    assert int(matrix.is_open.sum()) == WEEKDAYS_2023 * 9
    gap = gap_for_any(matrix)
    assert gap.hours_without_service == HOURS_2023 - WEEKDAYS_2023 * 9
    # Friday 6 January 18:00 to Monday 9 January 09:00: 2 days + 6 + 9 hours.
    assert gap.longest_gap_hours == 63
    assert gap.longest_gap_start == local(2023, 1, 6, 18)
    # Weekends without holidays: Saturday and Sunday; the first is 7-8 January (1 Jan is alone).
    assert (gap.longest_gap_days, gap.longest_gap_days_start) == (2, dt.date(2023, 1, 7))
    assert not matrix.unknown.any()


def test_round_the_clock_service_leaves_no_hour_without_service() -> None:
    matrix = open_hours_matrix([ROUND_THE_CLOCK], year=2023, closed_dates=az_days_off(2023))
    assert matrix.is_open.all()
    assert gap_for_any(matrix) == Gap(0, 0, None, 0, None)
    assert not matrix.unknown.any()


def test_matrix_agrees_with_is_open_at_every_hour_of_a_year_with_holidays() -> None:
    closed = az_days_off(2023)
    hours = parse_hours("Mo-Fr 09:00-18:00; Sa 10:00-14:00")
    matrix = open_hours_matrix(
        [ServiceSchedule(hours, open_24_7=False, closes_on_holidays=True)],
        year=2023,
        closed_dates=closed,
    )
    expected = [
        is_open(
            hours,
            matrix.start + dt.timedelta(hours=k),
            closed_dates=closed,
            closes_on_holidays=True,
        )
        for k in range(HOURS_2023)
    ]
    assert matrix.is_open[0].tolist() == expected


def test_office_closing_on_holidays_loses_the_weekday_holidays() -> None:
    closed = az_days_off(2023)
    weekday_holidays = sum(1 for d in closed if d.weekday() < 5)
    matrix = open_hours_matrix([OFFICE], year=2023, closed_dates=closed)
    assert int(matrix.is_open.sum()) == (WEEKDAYS_2023 - weekday_holidays) * 9


def test_novruz_2023_leaves_nine_whole_days_without_forensic_examination() -> None:
    matrix = open_hours_matrix([OFFICE], year=2023, closed_dates=az_days_off(2023))
    gap = gap_for_any(matrix)
    # Holidays Mon 20 - Fri 24 March between two weekends: Sat 18 to Sun 26 March.
    assert (gap.longest_gap_days, gap.longest_gap_days_start) == (9, dt.date(2023, 3, 18))
    # Closed from Friday 17 March 18:00 to Monday 27 March 09:00: 9 days + 6 + 9 hours.
    assert (gap.longest_gap_hours, gap.longest_gap_start) == (231, local(2023, 3, 17, 18))


@pytest.mark.parametrize(
    ("year", "days", "first_day", "hours", "first_hour"),
    [
        # Holidays Fri 20 - Fri 27 March, Sat 28; Sun 29 was a transferred working day.
        (2020, 9, dt.date(2020, 3, 20), 231, local(2020, 3, 19, 18)),
        # Holidays Sat 20 - Fri 26 March, then the weekend of 27-28 March.
        (2021, 9, dt.date(2021, 3, 20), 231, local(2021, 3, 19, 18)),
        # Weekend 19-20 March, holidays Sun 20 - Fri 25, weekend 26-27 March.
        (2022, 9, dt.date(2022, 3, 19), 231, local(2022, 3, 18, 18)),
        # Novruz Thu 20 - Wed 26, transferred days off 27-28, weekend, Eid al-Fitr 30-31 March.
        (2025, 12, dt.date(2025, 3, 20), 303, local(2025, 3, 19, 18)),
    ],
)
def test_spring_holidays_are_the_longest_closure_of_an_office(
    year: int, days: int, first_day: dt.date, hours: int, first_hour: dt.datetime
) -> None:
    matrix = open_hours_matrix(
        [OFFICE],
        year=year,
        closed_dates=az_days_off(year),
        working_weekend_dates=az_working_weekends(year),
    )
    gap = gap_for_any(matrix)
    assert (gap.longest_gap_days, gap.longest_gap_days_start) == (days, first_day)
    assert (gap.longest_gap_hours, gap.longest_gap_start) == (hours, first_hour)


def test_an_office_opens_on_a_weekend_day_turned_into_a_working_day() -> None:
    sunday = dt.date(2020, 3, 29)  # worked in exchange for Friday 27 March off
    matrix = open_hours_matrix(
        [OFFICE, ROUND_THE_CLOCK],
        year=2020,
        closed_dates=az_days_off(2020),
        working_weekend_dates=frozenset({sunday}),
    )
    column = (sunday - dt.date(2020, 1, 1)).days * 24
    assert matrix.is_open[0, column : column + 24].sum() == 9  # Monday's 09:00-18:00
    without = open_hours_matrix([OFFICE], year=2020, closed_dates=az_days_off(2020))
    assert gap_for_any(without).longest_gap_days == 10  # ignoring the transfer adds a day


def test_place_without_reachable_service_is_without_service_all_year() -> None:
    matrix = matrix_2023(OFFICE, ROUND_THE_CLOCK)
    reachable = np.array([[True, False], [False, True], [False, False]])
    office_only, round_the_clock, nothing = gaps_for_places(matrix, reachable)
    assert office_only == gap_for_any(matrix_2023(OFFICE))
    assert round_the_clock.hours_without_service == 0
    assert nothing == Gap(HOURS_2023, HOURS_2023, local(2023, 1, 1), 365, dt.date(2023, 1, 1))


def test_complementary_weekday_and_weekend_services_leave_only_the_nights() -> None:
    matrix = matrix_2023(WEEKDAY_DAYS, WEEKEND_DAYS)
    both, weekend_only = gaps_for_places(matrix, np.array([[True, True], [False, True]]))
    assert both == gap_for_any(matrix)
    # Every day is closed 20:00-08:00: 12 hours a day, each night a 12-hour run, no whole day.
    assert both.hours_without_service == 365 * 12
    assert (both.longest_gap_hours, both.longest_gap_start) == (12, local(2023, 1, 1, 20))
    assert (both.longest_gap_days, both.longest_gap_days_start) == (0, None)
    # Weekend-only: Sunday 20:00 to Saturday 08:00 is 5 days + 4 + 8 hours.
    assert weekend_only.longest_gap_hours == 132
    assert weekend_only.longest_gap_start == local(2023, 1, 1, 20)
    assert (weekend_only.longest_gap_days, weekend_only.longest_gap_days_start) == (
        5,
        dt.date(2023, 1, 2),
    )


def test_unknown_holiday_behaviour_is_assumed_open_and_flagged() -> None:
    closed = frozenset({dt.date(2023, 3, 20)})  # a Monday
    matrix = open_hours_matrix(
        [OFFICE, schedule("Mo-Fr 09:00-18:00", closes_on_holidays=None)],
        year=2023,
        closed_dates=closed,
    )
    monday_10 = (local(2023, 3, 20, 10) - matrix.start) // dt.timedelta(hours=1)
    assert matrix.is_open[:, monday_10].tolist() == [False, True]
    assert matrix.unknown.tolist() == [False, True]


def test_unknown_hours_are_assumed_closed_and_flagged() -> None:
    unknown = ServiceSchedule(UNKNOWN_HOURS, open_24_7=False, closes_on_holidays=False)
    matrix = matrix_2023(unknown, ROUND_THE_CLOCK)
    assert not matrix.is_open[0].any()
    assert matrix.unknown.tolist() == [True, False]


def test_interval_past_midnight_opens_friday_night_and_early_saturday() -> None:
    matrix = matrix_2023(schedule("Fr 20:00-02:00"))
    friday = (local(2023, 1, 6) - matrix.start) // dt.timedelta(hours=1)  # a Friday
    window = matrix.is_open[0, friday + 19 : friday + 27].tolist()  # Fri 19:00 .. Sat 02:00
    assert window == [False, True, True, True, True, True, True, False]
    assert int(matrix.is_open.sum()) == 52 * 6


def test_an_hour_with_any_open_minute_counts_as_open() -> None:
    matrix = matrix_2023(schedule("Mo 09:30-10:15"))
    monday = (local(2023, 1, 2) - matrix.start) // dt.timedelta(hours=1)
    assert matrix.is_open[0, monday + 8 : monday + 12].tolist() == [False, True, True, False]


def test_leap_year_has_8784_hours() -> None:
    matrix = open_hours_matrix([OFFICE], year=2024, closed_dates=NO_HOLIDAYS)
    assert matrix.is_open.shape == (1, 8784)
    assert matrix.start == local(2024, 1, 1)
    # 2024 starts on a Monday: 52 weeks plus Monday and Tuesday 30-31 December.
    assert int(matrix.is_open.sum()) == 262 * 9


def test_empty_service_set_leaves_the_whole_year_without_service() -> None:
    matrix = open_hours_matrix([], year=2023, closed_dates=NO_HOLIDAYS)
    assert matrix.is_open.shape == (0, HOURS_2023)
    assert gap_for_any(matrix).hours_without_service == HOURS_2023
    assert gaps_for_places(matrix, np.zeros((2, 0), dtype=np.bool_))[1].longest_gap_days == 365


def test_days_without_service_are_the_weekends_and_days_off_of_an_office() -> None:
    holiday = dt.date(2024, 1, 2)  # a Tuesday
    matrix = open_hours_matrix([OFFICE], year=2024, closed_dates=frozenset({holiday}))
    days = days_without_service(matrix)
    assert days[:3] == (holiday, dt.date(2024, 1, 6), dt.date(2024, 1, 7))
    assert len(days) == 366 - 262 + 1  # the office closes on the holiday too
    assert (
        len(days_without_service(open_hours_matrix([], year=2023, closed_dates=NO_HOLIDAYS))) == 365
    )


def test_reachable_must_have_one_column_per_service() -> None:
    with pytest.raises(ValueError, match="reachable"):
        gaps_for_places(matrix_2023(OFFICE), np.ones((2, 3), dtype=np.bool_))


@pytest.mark.parametrize(
    ("mask", "expected"),
    [
        ([], (0, -1)),
        ([False, False], (0, -1)),
        ([True], (1, 0)),
        ([True, True, False, True, True, True], (3, 3)),
        ([False, True, True, False, True, True], (2, 1)),  # earliest on ties
        ([True, True, True], (3, 0)),
    ],
)
def test_longest_true_run(mask: list[bool], expected: tuple[int, int]) -> None:
    assert longest_true_run(np.array(mask, dtype=np.bool_)) == expected
