"""The current time, always timezone-aware UTC: stored as UTC, shown in Europe/Oslo.

``pinned`` sets the clock for a block of code (in this task only): demo data and imports of
referrals handled before the service existed use it to record what happened when it happened,
through the same service functions as live requests.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

OSLO = ZoneInfo("Europe/Oslo")
_pinned: ContextVar[datetime | None] = ContextVar("pinned_clock", default=None)


def utcnow() -> datetime:
    moment = _pinned.get()
    return moment if moment is not None else datetime.now(UTC)


def today_in_oslo() -> date:
    """Today's date where the service operates (Europe/Oslo), whatever the server's zone."""
    return utcnow().astimezone(OSLO).date()


def oslo_midnight(day: date) -> datetime:
    """The moment a day begins in Oslo."""
    return datetime.combine(day, time(0), tzinfo=OSLO)


@contextmanager
def pinned(moment: datetime) -> Iterator[None]:
    if moment.tzinfo is None:
        raise ValueError("a pinned time must carry its offset")
    token = _pinned.set(moment.astimezone(UTC))
    try:
        yield
    finally:
        _pinned.reset(token)


# How far ahead anything can be booked; also keeps date arithmetic far from its limits.
BOOKING_HORIZON = timedelta(days=2 * 366)


def within_horizon(moment: datetime) -> bool:
    return moment <= utcnow() + BOOKING_HORIZON
