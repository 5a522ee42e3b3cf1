"""The team's consultations as calendar items for the feeds and single-event downloads, for one
team member or one consultation, without health data.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from helseiarbeid.clinic_track.tables import Consultation, ConsultationStaff
from helseiarbeid.core import audit
from helseiarbeid.core.audit import Actor, AuditAction
from helseiarbeid.core.clock import utcnow
from helseiarbeid.core.errors import NotFound
from helseiarbeid.core.ical import CANCELLED_KEPT, FEED_PAST, CalendarItem
from helseiarbeid.referrals import services as referrals

CONSULTATION_SUMMARY = "Konsultasjon HelseIArbeid"


def _calendar_condition(
    staff_id: int | None, consultation_id: int | None, clinic_ids: list[int] | None = None
) -> Any:
    """Which consultations a calendar holds; cancelled ones stay for 30 days. With
    ``clinic_ids`` only the cases of those clinics (the team feed: its owner's clinics)."""
    now = utcnow()
    condition: Any = (Consultation.starts_at >= now - FEED_PAST) & (
        Consultation.cancelled_at.is_null() | (Consultation.cancelled_at >= now - CANCELLED_KEPT)
    )
    if consultation_id is not None:
        condition = Consultation.id == consultation_id
    if staff_id is not None:
        booked = ConsultationStaff.select(ConsultationStaff.consultation).where(
            ConsultationStaff.staff == staff_id
        )
        condition &= Consultation.id.is_in(booked)
    if clinic_ids is not None:
        condition &= Consultation.referral.clinic.is_in(clinic_ids or [0])
    return condition


async def calendar_changed_since(
    since: datetime, *, staff_id: int | None, clinic_ids: list[int] | None = None
) -> bool:
    """Whether a consultation of ``calendar_items`` for this staff member (or anyone's, with
    None) has been booked or changed since then: every such write moves ``updated_at``."""
    condition = _calendar_condition(staff_id, None, clinic_ids)
    changed: bool = await Consultation.exists().where(condition & (Consultation.updated_at > since))
    return changed


async def calendar_items(
    *,
    staff_id: int | None,
    base_url: str,
    consultation_id: int | None = None,
    clinic_ids: list[int] | None = None,
) -> list[CalendarItem]:
    """Consultations for a calendar: one staff member's (or the whole team's with None, of
    the clinics ``clinic_ids`` when given).

    Nothing about the patient leaves the service: no name, national ID or complaint, only the
    time, the room and a link that needs a login.
    """
    condition = _calendar_condition(staff_id, consultation_id, clinic_ids)
    rows = await Consultation.select(
        Consultation.id,
        Consultation.referral,
        Consultation.starts_at,
        Consultation.duration_minutes,
        Consultation.location,
        Consultation.cancelled_at,
        Consultation.sequence,
        Consultation.updated_at,
    ).where(condition)
    return [
        CalendarItem(
            uid=f"consultation-{row['id']}@helseiarbeid",
            summary=CONSULTATION_SUMMARY,
            starts_at=row["starts_at"],
            ends_at=row["starts_at"] + timedelta(minutes=row["duration_minutes"]),
            location=row["location"],
            description=(
                "Tverrfaglig konsultasjon i HelseIArbeid. Detaljer (krever innlogging): "
                f"{base_url}/klinikk/henvisninger/{row['referral']}#konsultasjoner"
            ),
            status="CANCELLED" if row["cancelled_at"] else "CONFIRMED",
            sequence=row["sequence"],
            changed_at=row["updated_at"],
            url=f"{base_url}/klinikk/henvisninger/{row['referral']}#konsultasjoner",
        )
        for row in rows
    ]


async def consultation_event(actor: Actor, consultation_id: int, base_url: str) -> CalendarItem:
    """One consultation as a calendar item ("Add to calendar"), logged as a read of the
    patient's case. Raises NotFound for an unknown consultation."""
    items = await calendar_items(staff_id=None, base_url=base_url, consultation_id=consultation_id)
    if not items:
        raise NotFound("Konsultasjonen finnes ikke.")
    row = (
        await Consultation.select(Consultation.referral)
        .where(Consultation.id == consultation_id)
        .first()
    )
    referral_id = row["referral"] if row else None
    await audit.record(
        actor,
        AuditAction.READ,
        "consultation",
        consultation_id,
        purpose="konsultasjon lagt i kalender",
        patient_id=await referrals.patient_of(referral_id) if referral_id else None,
        referral_id=referral_id,
    )
    return items[0]
