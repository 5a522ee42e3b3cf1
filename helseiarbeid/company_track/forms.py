"""The company-track pages' forms: flat fields to the API's request schemas."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from helseiarbeid.core.clock import OSLO
from helseiarbeid.core.errors import InvalidInput
from helseiarbeid.core.schemas import MAX_DB_INT


def oslo_time(form: dict[str, Any]) -> datetime:
    """Date and time fields, read as Oslo wall-clock time."""
    try:
        day = date.fromisoformat(str(form.get("date", "")))
        hour, minute = (int(part) for part in str(form.get("time", "")).split(":"))
        return datetime(day.year, day.month, day.day, hour, minute, tzinfo=OSLO)
    except ValueError as exc:
        raise InvalidInput({"starts_at": "Velg dato og klokkeslett."}) from exc


def slot_or_time(form: dict[str, Any]) -> datetime:
    """The chosen offered slot (an ISO instant), else the typed date and time."""
    if form.get("slot"):
        try:
            return datetime.fromisoformat(str(form["slot"]))
        except ValueError as exc:
            raise InvalidInput({"starts_at": "Velg et av de ledige tidspunktene."}) from exc
    return oslo_time(form)


def ids(form: dict[str, Any], name: str) -> list[int]:
    raw = form.get(name, [])
    values = raw if isinstance(raw, list) else [raw]
    return [int(value) for value in values if str(value).isdigit() and int(value) <= MAX_DB_INT]
