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


def chosen_slots(form: dict[str, Any]) -> list[datetime]:
    """The offered slots ticked in the week view (ISO instants), in time order, each once.
    None ticked is refused on the field ``slot`` («Ledige tidspunkter»)."""
    raw = form.get("slot", [])
    values = raw if isinstance(raw, list) else [raw]
    chosen = set()
    for value in values:
        try:
            moment = datetime.fromisoformat(str(value))
        except ValueError as exc:
            raise InvalidInput({"slot": "Velg et av de ledige tidspunktene."}) from exc
        if moment.tzinfo is None:
            raise InvalidInput({"slot": "Velg et av de ledige tidspunktene."})
        chosen.add(moment)
    if not chosen:
        raise InvalidInput({"slot": "Ledige tidspunkter: velg minst ett tidspunkt før du sender."})
    return sorted(chosen)


def ids(form: dict[str, Any], name: str) -> list[int]:
    raw = form.get(name, [])
    values = raw if isinstance(raw, list) else [raw]
    return [int(value) for value in values if str(value).isdigit() and int(value) <= MAX_DB_INT]
