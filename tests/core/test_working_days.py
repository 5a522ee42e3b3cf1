"""The 10-working-day assessment deadline skips weekends and Norwegian public holidays."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from helseiarbeid.core.working_days import add_working_days, is_working_day, working_days_between


def test_an_ordinary_fortnight() -> None:
    # Monday 2 November 2026 + 10 working days = Monday 16 November.
    assert add_working_days(date(2026, 11, 2), 10) == date(2026, 11, 16)


def test_easter_2026_is_skipped() -> None:
    # Maundy Thursday 2 April, Good Friday 3 April, Easter Monday 6 April 2026 are holidays.
    assert add_working_days(date(2026, 3, 30), 10) == date(2026, 4, 16)


def test_easter_moves_every_year() -> None:
    # Easter 2027: Maundy Thursday 25 March, Good Friday 26 March, Easter Monday 29 March.
    assert add_working_days(date(2027, 3, 22), 10) == date(2027, 4, 8)


def test_christmas_and_new_year() -> None:
    # Received Monday 21 December 2026: 25 Dec and 1 Jan are holidays; 24 and 31 Dec are not.
    assert add_working_days(date(2026, 12, 21), 10) == date(2027, 1, 6)


def test_17_may_and_ascension_day() -> None:
    # 2026: Ascension Day 14 May, Constitution Day Sunday 17 May, Whit Monday 25 May.
    assert add_working_days(date(2026, 5, 11), 10) == date(2026, 5, 27)
    # 2027: 17 May is a Monday (and Whit Monday as well); Ascension Day is 6 May.
    assert add_working_days(date(2027, 5, 10), 10) == date(2027, 5, 25)


def test_a_weekend_receipt_counts_from_monday() -> None:
    assert add_working_days(date(2026, 11, 21), 1) == date(2026, 11, 23)


@pytest.mark.parametrize(
    "holiday", [date(2026, 1, 1), date(2026, 5, 1), date(2026, 5, 17), date(2026, 12, 26)]
)
def test_public_holidays_are_not_working_days(holiday: date) -> None:
    assert not is_working_day(holiday)


@given(st.dates(min_value=date(2019, 1, 1), max_value=date(2035, 12, 31)), st.integers(1, 40))
def test_the_deadline_is_a_working_day_exactly_n_working_days_later(start: date, n: int) -> None:
    due = add_working_days(start, n)
    assert is_working_day(due)
    assert working_days_between(start, due) == n
    assert working_days_between(start, due - timedelta(days=1)) == n - 1
