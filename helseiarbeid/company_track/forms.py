"""The company-track pages' forms: flat fields to the API's request schemas."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, TypeVar

import msgspec

from helseiarbeid.core.clock import OSLO
from helseiarbeid.core.errors import InvalidInput
from helseiarbeid.core.schemas import MAX_DB_INT

T = TypeVar("T")


def convert(form: dict[str, Any], schema: type[T], **extra: Any) -> T:
    """The form as ``schema``; a field msgspec cannot read is named in the error."""
    values = {k: v for k, v in form.items() if not k.startswith("_csrf") and v != ""}
    values.update(extra)
    try:
        return msgspec.convert(values, schema, strict=False)
    except msgspec.ValidationError as exc:
        text = str(exc)
        field = text.rsplit("$.", 1)[-1].split("[")[0].strip("`") if "$." in text else "form"
        raise InvalidInput({field: f"Ugyldig verdi: {text.split(' - ')[0]}"}) from exc


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
