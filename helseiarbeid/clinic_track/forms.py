"""The case page's forms: flat form fields to the API's request schemas."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, TypeVar

from helseiarbeid.clinic_track.schemas import (
    AssessmentCreate,
    ClarificationUpdate,
    ConsultationCancel,
    ConsultationCreate,
    OnwardReferralCreate,
    OutcomeUpdate,
    TriageNoteCreate,
)
from helseiarbeid.core import forms
from helseiarbeid.core.clock import OSLO
from helseiarbeid.core.errors import InvalidInput
from helseiarbeid.referrals.schemas import NavConsentChange

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
    "state": "Velg om samtykket er trukket tilbake eller gitt på nytt.",
    "effective_on": "Skriv datoen som en dato (dd.mm.åååå).",
}


def _convert(values: dict[str, Any], schema: type[T]) -> T:
    return forms.convert(values, schema, messages=FIELD_MESSAGES)


def triage(form: dict[str, Any]) -> TriageNoteCreate:
    return _convert(form, TriageNoteCreate)


def assessment(form: dict[str, Any]) -> AssessmentCreate:
    return _convert(form, AssessmentCreate)


def consultation(form: dict[str, Any]) -> ConsultationCreate:
    """The date and time fields are Oslo wall-clock time; staff_ids may repeat."""
    values = dict(form)
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
    return _convert(form, ClarificationUpdate)


def onward(form: dict[str, Any]) -> OnwardReferralCreate:
    return _convert(form, OnwardReferralCreate)


def outcome(form: dict[str, Any]) -> OutcomeUpdate:
    return _convert({"outcome": form.get("outcome", "")}, OutcomeUpdate)


def cancellation(form: dict[str, Any]) -> ConsultationCancel:
    return _convert({"reason": form.get("reason", "")}, ConsultationCancel)


def nav_consent(form: dict[str, Any]) -> NavConsentChange:
    return _convert(
        {name: form.get(name, "") for name in ("state", "effective_on", "note")},
        NavConsentChange,
    )
