"""The referral web form: its flat fields to a ReferralCreate, with a message per bad field.

Field names in the form are the API's field paths ("patient.national_id"), so messages from
the service land beside the right input without a mapping table.
"""

from __future__ import annotations

import enum
from datetime import date
from typing import TypeVar

from helseiarbeid.referrals.schemas import (
    Complaint,
    EmployerIn,
    PatientIn,
    ReferralCreate,
    Urgency,
    WorkStatus,
)

E = TypeVar("E", bound=enum.Enum)


def _choice(
    form: dict[str, str],
    field: str,
    kind: type[E],
    fallback: E,
    message: str,
    problems: dict[str, str],
) -> E:
    try:
        return kind(form.get(field, ""))
    except ValueError:
        problems[field] = message
        return fallback


def _date(value: str) -> date:
    """ISO (from a date input) or DD.MM.YYYY (typed by hand)."""
    if "." in value:
        day, month, year = value.split(".")
        return date(int(year), int(month), int(day))
    return date.fromisoformat(value)


def parse(form: dict[str, str]) -> tuple[ReferralCreate, dict[str, str]]:
    """The referral in the form and what kept fields from being read.

    When a field cannot be read it is given a neutral value, so the service's validation can
    still run over the rest and the GP sees every problem at once.
    """
    problems: dict[str, str] = {}
    work_status = _choice(
        form, "work_status", WorkStatus, WorkStatus.OTHER, "Velg arbeidssituasjon.", problems
    )
    complaint = _choice(
        form, "complaint", Complaint, Complaint.BOTH, "Velg hvilke plager det gjelder.", problems
    )
    urgency = _choice(
        form, "urgency", Urgency, Urgency.ROUTINE, "Velg hvor raskt det haster.", problems
    )
    percent: int | None = None
    raw_percent = form.get("sick_leave_percent", "").strip().rstrip("%").strip()
    if raw_percent:
        try:
            percent = int(raw_percent)
        except ValueError:
            problems["sick_leave_percent"] = "Sykmeldingsgraden må være et helt tall."
    since: date | None = None
    raw_since = form.get("sick_leave_since", "").strip()
    if raw_since:
        try:
            since = _date(raw_since)
        except ValueError:
            problems["sick_leave_since"] = "Skriv datoen som dd.mm.åååå."
    org_number = form.get("employer.org_number", "").strip() or None
    return (
        ReferralCreate(
            patient=PatientIn(
                national_id=form.get("patient.national_id", "").strip(),
                name=form.get("patient.name", ""),
                address=form.get("patient.address", ""),
                phone=form.get("patient.phone", ""),
                municipality=form.get("patient.municipality", "").strip() or None,
            ),
            employer=EmployerIn(name=form.get("employer.name", ""), org_number=org_number),
            occupation=form.get("occupation", ""),
            work_status=work_status,
            sick_leave_percent=percent,
            sick_leave_since=since,
            complaint=complaint,
            description=form.get("description", ""),
            complaint_duration=form.get("complaint_duration", ""),
            question=form.get("question", ""),
            history=form.get("history", ""),
            medication=form.get("medication", ""),
            urgency=urgency,
            urgency_reason=form.get("urgency_reason", "") or None,
            consent_nav_participation=form.get("consent_nav_participation") == "true",
            clinic=form.get("clinic", "").strip() or None,
        ),
        problems,
    )
