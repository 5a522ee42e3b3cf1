"""Validation of a GP's referral before anything is stored: the national ID and org number, the
required fields and their length limits, the phone number, sick leave (grade and date), the
reason an urgent referral is urgent and the consent to NAV's part; each problem is a Norwegian
message keyed by its field path.
"""

from __future__ import annotations

import re
from datetime import date

from helseiarbeid.core.identifiers import IdentifierError, validate_national_id, validate_org_number
from helseiarbeid.referrals.schemas import ReferralCreate, Urgency, WorkStatus

MAX_SHORT_TEXT = 200
MAX_LONG_TEXT = 10_000
_PHONE = re.compile(r"\+?[0-9 ]{8,20}")


def _required(problems: dict[str, str], field: str, value: str, label: str, limit: int) -> None:
    if not value.strip():
        problems[field] = f"{label} må fylles ut."
    elif len(value) > limit:
        problems[field] = f"{label} kan ha høyst {limit} tegn."


def _optional(problems: dict[str, str], field: str, value: str | None, label: str) -> None:
    if value and len(value) > MAX_LONG_TEXT:
        problems[field] = f"{label} kan ha høyst {MAX_LONG_TEXT} tegn."


def validate(data: ReferralCreate, today: date) -> dict[str, str]:
    """All that is wrong with a referral, as {field path: Norwegian message}; empty if valid."""
    problems: dict[str, str] = {}
    try:
        validate_national_id(data.patient.national_id)
    except IdentifierError as exc:
        problems["patient.national_id"] = str(exc)
    _required(problems, "patient.name", data.patient.name, "Pasientens navn", MAX_SHORT_TEXT)
    _required(problems, "patient.address", data.patient.address, "Adressen", 300)
    if not _PHONE.fullmatch(data.patient.phone.strip()):
        problems["patient.phone"] = "Telefonnummeret må ha minst 8 siffer."
    _required(problems, "employer.name", data.employer.name, "Arbeidsgiverens navn", MAX_SHORT_TEXT)
    if data.employer.org_number:
        try:
            validate_org_number(data.employer.org_number)
        except IdentifierError as exc:
            problems["employer.org_number"] = str(exc)
    _required(problems, "occupation", data.occupation, "Stillingen", MAX_SHORT_TEXT)
    if data.work_status is WorkStatus.SICK_LEAVE_GRADED:
        if data.sick_leave_percent is None:
            problems["sick_leave_percent"] = "Oppgi sykmeldingsgraden ved gradert sykmelding."
        elif not 1 <= data.sick_leave_percent <= 99:
            problems["sick_leave_percent"] = "Sykmeldingsgraden må være mellom 1 og 99 prosent."
    elif data.sick_leave_percent is not None:
        problems["sick_leave_percent"] = "Sykmeldingsgrad oppgis bare ved gradert sykmelding."
    if data.sick_leave_since is not None:
        if data.work_status is WorkStatus.WORKING:
            problems["sick_leave_since"] = "Sykmeldt fra-dato passer ikke med «i arbeid»."
        elif data.sick_leave_since > today:
            problems["sick_leave_since"] = "Sykmeldt fra-dato kan ikke være fram i tid."
    _required(problems, "description", data.description, "Beskrivelsen av plagene", MAX_LONG_TEXT)
    if len(data.complaint_duration) > MAX_SHORT_TEXT:
        problems["complaint_duration"] = f"Varigheten kan ha høyst {MAX_SHORT_TEXT} tegn."
    _required(problems, "question", data.question, "Spørsmålet til teamet", MAX_LONG_TEXT)
    _optional(problems, "history", data.history, "Sykehistorien")
    _optional(problems, "medication", data.medication, "Medisineringen")
    if data.urgency is Urgency.URGENT and not (data.urgency_reason or "").strip():
        problems["urgency_reason"] = "Oppgi hvorfor henvisningen haster."
    _optional(problems, "urgency_reason", data.urgency_reason, "Begrunnelsen")
    if not data.consent_nav_participation:
        problems["consent_nav_participation"] = (
            "Pasienten må samtykke til at NAV deltar i vurderingen før henvisningen kan sendes."
        )
    return problems
