"""Times are stored in UTC and shown in Europe/Oslo; dates are shown DD.MM.YYYY."""

from __future__ import annotations

from datetime import date, datetime

from helseiarbeid.core.clock import OSLO


def to_oslo(moment: datetime) -> datetime:
    if moment.tzinfo is None:
        raise ValueError("naive datetime: times must carry their offset")
    return moment.astimezone(OSLO)


def format_date(value: date | datetime | None) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = to_oslo(value).date()
    return value.strftime("%d.%m.%Y")


def format_datetime(value: datetime | None) -> str:
    if value is None:
        return ""
    return to_oslo(value).strftime("%d.%m.%Y kl. %H:%M")


def format_number(value: float | None) -> str:
    """Numbers the Norwegian way: decimal comma, no trailing zeros (8,2 and 12)."""
    if value is None:
        return ""
    return f"{value:g}".replace(".", ",")
