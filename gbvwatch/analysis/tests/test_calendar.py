import csv
import datetime as dt
from pathlib import Path

import pytest

from gbvwatch.analysis.calendar import (
    CalendarDay,
    Closure,
    country_calendar,
    holiday_dates,
    longest_closure,
    non_working_dates,
)

SHIPPED_AZ_CSV = (
    Path(__file__).resolve().parents[2] / "datasets" / "az" / "az_public_holidays_2019_2026.csv"
)


@pytest.fixture(scope="module")
def az_days() -> tuple[CalendarDay, ...]:
    return country_calendar("AZ", range(2019, 2027))


def day_on(days: tuple[CalendarDay, ...], date: dt.date) -> CalendarDay:
    return next(day for day in days if day.date == date)


def test_calendar_is_sorted_and_limited_to_the_requested_years(
    az_days: tuple[CalendarDay, ...],
) -> None:
    dates = [day.date for day in az_days]
    assert dates == sorted(dates)
    assert len(set(dates)) == len(dates)
    assert {d.year for d in dates} == set(range(2019, 2027))


def test_kinds_of_azerbaijani_special_days(az_days: tuple[CalendarDay, ...]) -> None:
    expected = {
        dt.date(2019, 1, 1): ("holiday", False),
        dt.date(2019, 3, 25): ("observed", False),  # Novruz fell on a weekend
        dt.date(2020, 1, 3): ("substituted_day_off", False),
        dt.date(2019, 12, 28): ("weekend_workday", True),
        dt.date(2022, 11, 17): ("other", True),  # National Revival Day is worked
        dt.date(2023, 11, 12): ("other", False),  # ...and this observance fell on a Sunday
    }
    for date, (kind, working) in expected.items():
        day = day_on(az_days, date)
        assert (day.kind, day.is_working_day) == (kind, working), day


def test_observed_and_substituted_names_are_recognised_in_azerbaijani() -> None:
    english = country_calendar("AZ", [2025])
    azerbaijani = country_calendar("AZ", [2025], language="az")
    assert [d.kind for d in azerbaijani] == [d.kind for d in english]
    assert day_on(azerbaijani, dt.date(2025, 3, 20)).name == "Novruz bayram\u0131"
    assert day_on(azerbaijani, dt.date(2025, 3, 25)).kind == "observed"


def test_transfers_across_new_year_appear_in_both_years() -> None:
    only_2024 = country_calendar("AZ", [2024])
    only_2025 = country_calendar("AZ", [2025])
    assert day_on(only_2024, dt.date(2024, 12, 29)).kind == "weekend_workday"
    assert day_on(only_2025, dt.date(2025, 1, 3)).kind == "substituted_day_off"
    assert all(day.date.year == 2024 for day in only_2024)


def test_no_years_gives_an_empty_calendar() -> None:
    assert country_calendar("AZ", []) == ()


def test_non_working_dates_count_weekends_holidays_but_not_transferred_workdays(
    az_days: tuple[CalendarDay, ...],
) -> None:
    off = non_working_dates(az_days, dt.date(2019, 12, 23), dt.date(2020, 1, 7))
    assert dt.date(2019, 12, 28) not in off  # a Saturday worked instead of 3 January
    assert dt.date(2020, 1, 1) in off
    assert dt.date(2020, 1, 3) in off
    assert dt.date(2020, 1, 4) in off  # ordinary Saturday
    assert dt.date(2019, 12, 27) in off  # municipal elections
    assert dt.date(2019, 12, 26) not in off
    assert min(off) >= dt.date(2019, 12, 23)
    assert max(off) <= dt.date(2020, 1, 7)


def test_weekend_days_can_differ_from_saturday_and_sunday() -> None:
    off = non_working_dates(
        (), dt.date(2025, 1, 6), dt.date(2025, 1, 12), weekend_days=frozenset({4})
    )
    assert off == frozenset({dt.date(2025, 1, 10)})


def test_holiday_dates_leave_out_ordinary_weekends(az_days: tuple[CalendarDay, ...]) -> None:
    dates = holiday_dates(az_days, dt.date(2025, 3, 1), dt.date(2025, 3, 31))
    assert dt.date(2025, 3, 8) in dates  # Women's Day, a Saturday
    assert dt.date(2025, 3, 15) not in dates
    assert dt.date(2025, 3, 27) in dates
    assert len(dates) == 12  # 8th, 20th-28th, 30th-31st


@pytest.mark.parametrize(
    ("year", "length_days"), [(2020, 9), (2021, 9), (2022, 9), (2023, 9), (2025, 12)]
)
def test_novruz_is_the_longest_closure(
    az_days: tuple[CalendarDay, ...], year: int, length_days: int
) -> None:
    closure = longest_closure(az_days, year)
    assert closure is not None
    assert closure.length_days == length_days
    assert closure.start.month == 3
    assert (closure.end - closure.start).days + 1 == length_days


def test_2025_spring_closure_runs_from_novruz_through_eid(
    az_days: tuple[CalendarDay, ...],
) -> None:
    assert longest_closure(az_days, 2025) == Closure(dt.date(2025, 3, 20), dt.date(2025, 3, 31), 12)


def test_without_weekends_or_holidays_nothing_closes() -> None:
    assert longest_closure((), 2025, weekend_days=frozenset()) is None


def disagreements(csv_path: Path) -> list[str]:
    with csv_path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    dates = [dt.date.fromisoformat(row["date"]) for row in rows]
    days = country_calendar("AZ", range(min(dates).year, max(dates).year + 1))
    off = non_working_dates(days, min(dates), max(dates))
    return [
        f"{row['date']} {row['name_en']}: file says working={row['is_working_day']}"
        for row, date in zip(rows, dates, strict=True)
        if (date not in off) != (row["is_working_day"].strip() == "1")
    ]


def test_calendar_agrees_with_the_shipped_azerbaijan_holiday_file() -> None:
    assert disagreements(SHIPPED_AZ_CSV) == []
