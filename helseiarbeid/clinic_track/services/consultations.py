"""Consultations with the patient: booking team members from the shared busy-time ledger inside
working hours, cancelling with a reason (and a cancellation letter to the GP), and recording the
outcome. The first booking is also sent to the GP's record system as a status on the referral
(Dialogmelding 1.1, code 1 called in) when the GP can receive messages.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from helseiarbeid.clinic_track.schemas import (
    ConsultationCancel,
    ConsultationCreate,
    ConsultationOut,
    Outcome,
    OutcomeUpdate,
)
from helseiarbeid.clinic_track.services._common import (
    ACTIVE,
    PURPOSE,
    _case_to_change,
    _document_url,
    _lock_case,
)
from helseiarbeid.clinic_track.services.assessment import _refresh_waiting_times
from helseiarbeid.clinic_track.tables import Consultation, ConsultationStaff
from helseiarbeid.clinics import services as clinics
from helseiarbeid.core import audit, busy_time
from helseiarbeid.core.audit import Actor, AuditAction
from helseiarbeid.core.clock import today_in_oslo, utcnow
from helseiarbeid.core.database import for_update, write_transaction
from helseiarbeid.core.errors import Conflict, InvalidInput, NotFound
from helseiarbeid.core.pdf import render_pdf
from helseiarbeid.core.roles import TEAM_ROLES, Role
from helseiarbeid.core.tables import User
from helseiarbeid.core.timefmt import to_oslo
from helseiarbeid.core.users import CurrentUser
from helseiarbeid.core.working_hours import check_bookable
from helseiarbeid.messaging import services as messaging
from helseiarbeid.messaging.outgoing import ReferralStatus
from helseiarbeid.referrals import services as referrals
from helseiarbeid.referrals.status import Status

CONSULTATION = "consultation"


async def _team_members(staff_ids: list[int]) -> list[dict[str, Any]]:
    rows = await User.select(User.id, User.name, User.role).where(
        User.id.is_in(staff_ids) & (User.is_active == True)  # noqa: E712
    )
    found = {row["id"] for row in rows}
    if set(staff_ids) - found or any(Role(row["role"]) not in TEAM_ROLES for row in rows):
        raise InvalidInput(
            {"staff_ids": "Velg en eller flere i teamet (psykolog, lege, NAV-veileder)."}
        )
    return sorted(rows, key=lambda row: staff_ids.index(row["id"]))


async def book_consultation(
    user: CurrentUser, actor: Actor, referral_id: int, data: ConsultationCreate
) -> ConsultationOut:
    """Book the patient with team members: within the team's working hours
    (``core.working_hours``, 422 on ``starts_at``), nobody booked twice at once (409)."""
    check_bookable(data.starts_at, timedelta(minutes=data.duration_minutes))
    if not data.location.strip():
        raise InvalidInput({"location": "Oppgi sted eller rom."})
    staff_ids = list(dict.fromkeys(data.staff_ids))
    staff = await _team_members(staff_ids)
    ends_at = data.starts_at + timedelta(minutes=data.duration_minutes)
    # The letter is rendered before the transaction so the write lock is held briefly; it is
    # made from exactly the values stored below.
    referral = await _case_to_change(user, actor, referral_id, ACTIVE, "sette opp konsultasjon")
    # Only the team of the clinic that has the referral (issue 15).
    clinic_team = await clinics.member_ids([await referrals.clinic_of(referral_id) or 0])
    if set(staff_ids) - clinic_team:
        raise InvalidInput({"staff_ids": "Velg bare ansatte i klinikken som har henvisningen."})
    letter = await render_pdf(
        "clinic_track/appointment_letter_pdf.html",
        {
            "referral": referral,
            "starts_at": data.starts_at,
            "ends_at": ends_at,
            "location": data.location.strip(),
            "staff": staff,
            "today": today_in_oslo(),
        },
    )
    async with write_transaction():
        # Locked first: two bookings at once must not both see «accepted» and both move it on.
        await _lock_case(referral_id, ACTIVE, "sette opp konsultasjon")
        now = utcnow()
        rows = await Consultation.insert(
            Consultation(
                referral=referral_id,
                starts_at=data.starts_at,
                duration_minutes=data.duration_minutes,
                location=data.location.strip(),
                created_by=user.id,
                created_at=now,
                updated_at=now,
            )
        )
        consultation_id = int(rows[0]["id"])
        await busy_time.reserve(
            staff_ids, data.starts_at, ends_at, kind=CONSULTATION, source_id=consultation_id
        )
        # After the staff rows are locked (busy_time): the members' foreign keys take a share
        # lock on the same rows, and taken first it would deadlock two bookings of one person.
        await referrals.join_case(referral_id, [user.id, *staff_ids])
        await ConsultationStaff.insert(
            *[ConsultationStaff(consultation=consultation_id, staff=sid) for sid in staff_ids]
        )
        letter_id = await referrals.store_document(
            actor, referral_id, kind="appointment_letter", title="Innkalling", content=letter
        )
        await Consultation.update({Consultation.letter: letter_id}).where(
            Consultation.id == consultation_id
        )
        if await referrals.status_of(referral_id) is Status.ACCEPTED:
            await referrals.change_status(
                actor, referral_id, Status.IN_PROGRESS, reason="Første konsultasjon satt opp"
            )
            await messaging.send_referral_status(
                actor,
                referral_id,
                ReferralStatus.CALLED_IN,
                "Pasienten er innkalt til første konsultasjon.\n"
                f"Tid: {_when(data.starts_at)}\nSted: {data.location.strip()}",
            )
        await _refresh_waiting_times(referral_id)
        await audit.record(
            actor,
            AuditAction.CREATE,
            "consultation",
            consultation_id,
            purpose=PURPOSE,
            patient_id=await referrals.patient_of(referral_id),
            referral_id=referral_id,
        )
    return ConsultationOut(
        id=consultation_id,
        starts_at=data.starts_at,
        ends_at=ends_at,
        duration_minutes=data.duration_minutes,
        location=data.location.strip(),
        staff=[row["name"] for row in staff],
        letter_url=_document_url(referral_id, letter_id),
    )


def _when(moment: datetime) -> str:
    return to_oslo(moment).strftime("%d.%m.%Y kl. %H:%M")


async def _consultation_for_update(referral_id: int, consultation_id: int) -> dict[str, Any]:
    """The consultation row, locked until the transaction ends (404 if not this case's)."""
    row = await for_update(
        Consultation.select().where(
            (Consultation.id == consultation_id) & (Consultation.referral == referral_id)
        )
    ).first()
    if row is None:
        raise NotFound("Konsultasjonen finnes ikke.")
    if row["outcome"]:
        raise Conflict(
            f"Konsultasjonen {_when(row['starts_at'])} er allerede registrert som "
            f"«{Outcome(row['outcome']).label.lower()}»."
        )
    return dict(row)


MAX_CANCEL_REASON = 2000


async def cancel_consultation(
    user: CurrentUser,
    actor: Actor,
    referral_id: int,
    consultation_id: int,
    data: ConsultationCancel,
) -> None:
    """Call off a consultation that has no outcome yet, with a reason (422 without one).

    Frees the staff's time, marks the appointment letter cancelled, stores a cancellation
    letter (avlysning) for the patient that the GP sees with the other letters, and notes the
    cancellation and its reason in the case's history. 409 on a closed case or a consultation
    already held, missed or cancelled.
    """
    reason = data.reason.strip()
    if not reason:
        raise InvalidInput({"reason": "Skriv hvorfor konsultasjonen avlyses."})
    if len(reason) > MAX_CANCEL_REASON:
        raise InvalidInput({"reason": f"Begrunnelsen kan ha høyst {MAX_CANCEL_REASON} tegn."})
    # The letter is rendered before the transaction (as for booking) from the row as read;
    # the transaction refuses if the time or place changed meanwhile.
    referral = await _case_to_change(user, actor, referral_id, ACTIVE, "avlyse konsultasjonen")
    seen = (
        await Consultation.select(Consultation.starts_at, Consultation.location)
        .where((Consultation.id == consultation_id) & (Consultation.referral == referral_id))
        .first()
    )
    if seen is None:
        raise NotFound("Konsultasjonen finnes ikke.")
    letter = await render_pdf(
        "clinic_track/cancellation_letter_pdf.html",
        {
            "referral": referral,
            "starts_at": seen["starts_at"],
            "location": seen["location"],
            "today": today_in_oslo(),
        },
    )
    async with write_transaction():
        await _lock_case(referral_id, ACTIVE, "avlyse konsultasjonen")
        await referrals.join_case(referral_id, [user.id])
        row = await _consultation_for_update(referral_id, consultation_id)
        if (row["starts_at"], row["location"]) != (seen["starts_at"], seen["location"]):
            raise Conflict("Konsultasjonen ble endret samtidig. Last siden på nytt.")
        now = utcnow()
        await Consultation.update(
            {
                Consultation.cancelled_at: now,
                Consultation.cancel_reason: reason,
                Consultation.outcome: Outcome.CANCELLED.value,
                Consultation.outcome_recorded_at: now,
                Consultation.outcome_recorded_by: user.id,
                Consultation.updated_at: now,
                Consultation.sequence: Consultation.sequence + 1,
            }
        ).where(Consultation.id == consultation_id)
        await busy_time.release(CONSULTATION, consultation_id)
        if row["letter"]:
            await referrals.cancel_document(actor, referral_id, row["letter"])
        when = _when(row["starts_at"])
        await referrals.store_document(
            actor,
            referral_id,
            kind="cancellation_letter",
            title=f"Avlysning av time {when}",
            content=letter,
        )
        await referrals.record_event(actor, referral_id, f"Konsultasjon {when} avlyst: {reason}")
        await _refresh_waiting_times(referral_id)
        await audit.record(
            actor,
            AuditAction.UPDATE,
            "consultation",
            consultation_id,
            purpose=PURPOSE + " (avlyst)",
            patient_id=await referrals.patient_of(referral_id),
            referral_id=referral_id,
        )


async def record_outcome(
    user: CurrentUser,
    actor: Actor,
    referral_id: int,
    consultation_id: int,
    data: OutcomeUpdate,
) -> None:
    """Record that a consultation was held or that the patient did not attend.

    Only once it has started (409 before), only once (409 if it has an outcome), and only on
    an open case; cancelling goes through ``cancel_consultation`` with a reason (422 here).
    """
    if data.outcome is Outcome.CANCELLED:
        raise InvalidInput({"outcome": "Bruk «Avlys konsultasjonen» og skriv en begrunnelse."})
    await referrals.require_access(user, actor, referral_id, writing=True)
    async with write_transaction():
        await _lock_case(referral_id, ACTIVE, "registrere konsultasjonen")
        await referrals.join_case(referral_id, [user.id])
        row = await _consultation_for_update(referral_id, consultation_id)
        now = utcnow()
        if row["starts_at"] > now:
            raise Conflict(
                f"Konsultasjonen {_when(row['starts_at'])} har ikke begynt ennå. "
                "Registrer den når den er holdt, eller avlys den."
            )
        await Consultation.update(
            {
                Consultation.outcome: data.outcome.value,
                Consultation.outcome_recorded_at: now,
                Consultation.outcome_recorded_by: user.id,
            }
        ).where(Consultation.id == consultation_id)
        await audit.record(
            actor,
            AuditAction.UPDATE,
            "consultation",
            consultation_id,
            purpose=PURPOSE + f" ({data.outcome.label.lower()})",
            patient_id=await referrals.patient_of(referral_id),
            referral_id=referral_id,
        )
