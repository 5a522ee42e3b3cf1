"""Times are stored in UTC and shown in Oslo time, across daylight-saving changes."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from helseiarbeid.core.timefmt import format_date, format_datetime


def test_dates_are_shown_day_month_year() -> None:
    assert format_date(date(2026, 5, 17)) == "17.05.2026"
    assert format_date(None) == ""


def test_winter_time_is_utc_plus_one() -> None:
    assert format_datetime(datetime(2026, 1, 15, 8, 0, tzinfo=UTC)) == "15.01.2026 kl. 09:00"


def test_summer_time_is_utc_plus_two() -> None:
    assert format_datetime(datetime(2026, 7, 1, 8, 0, tzinfo=UTC)) == "01.07.2026 kl. 10:00"


def test_both_sides_of_the_march_and_october_changes() -> None:
    # 29 March 2026 02:00 CET -> 03:00 CEST; 25 October 2026 03:00 CEST -> 02:00 CET.
    assert format_datetime(datetime(2026, 3, 29, 0, 59, tzinfo=UTC)) == "29.03.2026 kl. 01:59"
    assert format_datetime(datetime(2026, 3, 29, 1, 0, tzinfo=UTC)) == "29.03.2026 kl. 03:00"
    assert format_datetime(datetime(2026, 10, 25, 0, 59, tzinfo=UTC)) == "25.10.2026 kl. 02:59"
    assert format_datetime(datetime(2026, 10, 25, 1, 0, tzinfo=UTC)) == "25.10.2026 kl. 02:00"


def test_a_late_evening_utc_time_is_the_next_day_in_oslo() -> None:
    assert format_date(datetime(2026, 6, 30, 22, 30, tzinfo=UTC)) == "01.07.2026"


def test_naive_datetimes_are_refused() -> None:
    with pytest.raises(ValueError, match="naive"):
        format_datetime(datetime(2026, 1, 1, 12, 0))  # noqa: DTZ001
