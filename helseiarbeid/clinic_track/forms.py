"""The case page's forms: flat form fields to the API's request schemas."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, TypeVar

import msgspec

from helseiarbeid.clinic_track.schemas import (
    AssessmentCreate,
    ClarificationUpdate,
    ConsultationCancel,
    ConsultationCreate,
    OnwardReferralCreate,
    OutcomeUpdate,
    TriageNoteCreate,
)
from helseiarbeid.core.clock import OSLO
from helseiarbeid.core.errors import InvalidInput

T = TypeVar("T")

FIELD_MESSAGES = {
    "recommendation": "Velg en anbefaling.",
    "decision": "Velg en beslutning.",
    "priority": "Velg prioritet.",
    "start_deadline": "Skriv fristen som en dato.",
    "duration_minutes": "Varigheten må være mellom 15 og 480 minutter.",
    "staff_ids": "Velg minst én i teamet.",
    "destination_type": "Velg hvor pasienten henvises.",
    "version": "Last siden på nytt.",
    "outcome": "Velg gjennomført eller ikke møtt.",
    "reason": "Skriv en begrunnelse.",
}


def _convert(values: dict[str, Any], schema: type[T]) -> T:
    try:
        return msgspec.convert(values, schema, strict=False)
    except msgspec.ValidationError as exc:
        field = str(exc).rsplit("$.", 1)[-1].split("[")[0].rstrip("`") if "$." in str(exc) else ""
        raise InvalidInput({field or "form": FIELD_MESSAGES.get(field, str(exc))}) from exc


def _blank_to_none(form: dict[str, Any], *names: str) -> dict[str, Any]:
    return {key: (None if key in names and value == "" else value) for key, value in form.items()}


def _without_csrf(form: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in form.items() if not key.startswith("_csrf")}


def triage(form: dict[str, Any]) -> TriageNoteCreate:
    return _convert(_without_csrf(form), TriageNoteCreate)


def assessment(form: dict[str, Any]) -> AssessmentCreate:
    values = _blank_to_none(_without_csrf(form), "start_deadline", "priority", "version")
    return _convert(values, AssessmentCreate)


def consultation(form: dict[str, Any]) -> ConsultationCreate:
    """The date and time fields are Oslo wall-clock time; staff_ids may repeat."""
    values = _without_csrf(form)
    try:
        day = date.fromisoformat(str(values.pop("date", "")))
        hour, minute = (int(part) for part in str(values.pop("time", "")).split(":"))
        values["starts_at"] = datetime(day.year, day.month, day.day, hour, minute, tzinfo=OSLO)
    except ValueError as exc:
        raise InvalidInput({"starts_at": "Velg dato og klokkeslett."}) from exc
    staff = values.get("staff_ids", [])
    values["staff_ids"] = staff if isinstance(staff, list) else [staff]
    return _convert(values, ConsultationCreate)


def clarification(form: dict[str, Any]) -> ClarificationUpdate:
    return _convert(_blank_to_none(_without_csrf(form), "version"), ClarificationUpdate)


def onward(form: dict[str, Any]) -> OnwardReferralCreate:
    return _convert(_without_csrf(form), OnwardReferralCreate)


def outcome(form: dict[str, Any]) -> OutcomeUpdate:
    return _convert({"outcome": form.get("outcome", "")}, OutcomeUpdate)


def cancellation(form: dict[str, Any]) -> ConsultationCancel:
    return _convert({"reason": form.get("reason", "")}, ConsultationCancel)
