"""Triage notes and the assessment of a referral: the team's first act starts the assessment
(received → under assessment); the assessment accepts with a right to care, returns the
referral, or asks the GP for more; the waiting times are recorded as the status changes.
An acceptance or a return is also sent to the GP's record system as a status on the referral
(Dialogmelding 1.1) when the GP can receive messages (``messaging.services``).
"""

from __future__ import annotations

from datetime import date

from helseiarbeid.clinic_track.schemas import (
    AssessmentCreate,
    AssessmentOut,
    Decision,
    TriageNoteCreate,
    TriageNoteOut,
)
from helseiarbeid.clinic_track.services._common import PURPOSE, _require_status
from helseiarbeid.clinic_track.tables import Assessment, Consultation, TriageNote
from helseiarbeid.core import audit
from helseiarbeid.core.audit import Actor, AuditAction
from helseiarbeid.core.clock import today_in_oslo, utcnow
from helseiarbeid.core.database import write_transaction
from helseiarbeid.core.errors import InvalidInput, NotFound
from helseiarbeid.core.timefmt import format_date, to_oslo
from helseiarbeid.core.users import CurrentUser
from helseiarbeid.core.working_days import working_days_between
from helseiarbeid.messaging import services as messaging
from helseiarbeid.messaging.outgoing import ReferralStatus
from helseiarbeid.referrals import services as referrals
from helseiarbeid.referrals.status import AWAITING_ASSESSMENT, Status
from helseiarbeid.referrals.tables import Referral


async def _start_assessment(actor: Actor, referral_id: int, reason: str) -> Status:
    """received → under_assessment, the first time someone on the team acts on a referral.
    The referral row stays locked until the transaction ends."""
    current = await referrals.status_of(referral_id, lock=True)
    if current is Status.RECEIVED:
        await referrals.change_status(actor, referral_id, Status.UNDER_ASSESSMENT, reason=reason)
        return Status.UNDER_ASSESSMENT
    return current


async def add_triage_note(
    user: CurrentUser, actor: Actor, referral_id: int, data: TriageNoteCreate
) -> TriageNoteOut:
    if not data.note.strip():
        raise InvalidInput({"note": "Skriv et kort triasjenotat."})
    await referrals.require_access(user, actor, referral_id, writing=True)
    async with write_transaction():
        await referrals.join_case(referral_id, [user.id])
        current = await _start_assessment(actor, referral_id, "Triasje startet")
        _require_status(current, AWAITING_ASSESSMENT, "skrive triasjenotat")
        now = utcnow()
        rows = await TriageNote.insert(
            TriageNote(
                referral=referral_id,
                author=user.id,
                author_role=user.role.value,
                note=data.note.strip(),
                recommendation=data.recommendation.value,
                created_at=now,
            )
        )
        await audit.record(
            actor,
            AuditAction.CREATE,
            "triage_note",
            rows[0]["id"],
            purpose=PURPOSE,
            patient_id=await referrals.patient_of(referral_id),
            referral_id=referral_id,
        )
    return TriageNoteOut(
        id=rows[0]["id"],
        author=user.name,
        author_role=user.role.value,
        note=data.note.strip(),
        recommendation=data.recommendation,
        created_at=now,
    )


def _check_assessment(data: AssessmentCreate) -> None:
    problems: dict[str, str] = {}
    if data.decision is Decision.ACCEPTED:
        if data.start_deadline is None:
            problems["start_deadline"] = "Sett en frist for når helsehjelpen senest skal starte."
        elif data.start_deadline < today_in_oslo():
            problems["start_deadline"] = "Fristen kan ikke være passert."
        if data.priority is None:
            problems["priority"] = "Velg prioritet."
    elif not data.reason.strip():
        problems["reason"] = (
            "Skriv hvorfor henvisningen returneres."
            if data.decision is Decision.RETURNED
            else "Skriv hva teamet trenger å vite fra fastlegen."
        )
    if problems:
        raise InvalidInput(problems)


async def assess(
    user: CurrentUser, actor: Actor, referral_id: int, data: AssessmentCreate
) -> AssessmentOut:
    """Decide on a referral: accept with a right to care, return, or ask the GP for more."""
    _check_assessment(data)
    accepted = data.decision is Decision.ACCEPTED
    await referrals.require_access(user, actor, referral_id, writing=True)
    async with write_transaction():
        await referrals.join_case(referral_id, [user.id])
        await referrals.check_version(referral_id, data.version)
        current = await _start_assessment(actor, referral_id, "Vurdering startet")
        _require_status(current, AWAITING_ASSESSMENT, "vurdere henvisningen")
        if data.decision is Decision.MORE_INFORMATION:
            await referrals.request_information(actor, referral_id, data.reason.strip())
        else:
            target = Status.ACCEPTED if accepted else Status.RETURNED
            await referrals.change_status(actor, referral_id, target, reason=data.reason.strip())
            await _tell_gp(actor, referral_id, data)
        now = utcnow()
        rows = await Assessment.insert(
            Assessment(
                referral=referral_id,
                decision=data.decision.value,
                has_right_to_care=True if accepted else None,
                start_deadline=data.start_deadline if accepted else None,
                priority=data.priority.value if accepted and data.priority else None,
                reason=data.reason.strip(),
                assessed_by=user.id,
                assessed_at=now,
            )
        )
        if data.decision is not Decision.MORE_INFORMATION:
            await _refresh_waiting_times(referral_id)
        await audit.record(
            actor,
            AuditAction.CREATE,
            "assessment",
            rows[0]["id"],
            purpose=PURPOSE,
            patient_id=await referrals.patient_of(referral_id),
            referral_id=referral_id,
        )
    return AssessmentOut(
        id=rows[0]["id"],
        decision=data.decision,
        has_right_to_care=True if accepted else None,
        start_deadline=data.start_deadline if accepted else None,
        priority=data.priority if accepted else None,
        reason=data.reason.strip(),
        assessed_by=user.name,
        assessed_at=now,
    )


async def _tell_gp(actor: Actor, referral_id: int, data: AssessmentCreate) -> None:
    """The decision as a status on the referral (code system 2.16.578.1.12.4.1.1.9148):
    accepted → 2 right to care with the start deadline; returned → 4 rejected with the reason.
    The patient's rights text follows the directorate's example message."""
    if data.decision is Decision.ACCEPTED:
        status = ReferralStatus.RIGHT_TO_CARE
        text = (
            "Henvisningen er vurdert. Pasienten har rett til nødvendig helsehjelp.\n"
            f"Frist for oppstart av helsehjelpen: {format_date(data.start_deadline)}.\n"
            "Pasienten får innkalling med tid og sted."
        )
    else:
        status = ReferralStatus.REJECTED
        text = f"Henvisningen er vurdert og returnert.\nBegrunnelse: {data.reason.strip()}"
    await messaging.send_referral_status(actor, referral_id, status, text)


async def _refresh_waiting_times(referral_id: int) -> None:
    """Recount the working days from receipt to the first decision (accept or return) and to
    the first consultation still planned: cancelling the first makes the next one the first."""
    referral = await Referral.select(Referral.received_on).where(Referral.id == referral_id).first()
    if referral is None:
        raise NotFound("Henvisningen finnes ikke.")
    received: date = referral["received_on"]
    decided = (
        await Assessment.select(Assessment.assessed_at)
        .where(
            (Assessment.referral == referral_id)
            & Assessment.decision.is_in([Decision.ACCEPTED.value, Decision.RETURNED.value])
        )
        .order_by(Assessment.assessed_at)
        .first()
    )
    consulted = (
        await Consultation.select(Consultation.starts_at)
        .where((Consultation.referral == referral_id) & Consultation.cancelled_at.is_null())
        .order_by(Consultation.starts_at)
        .first()
    )
    await referrals.record_waiting_times(
        referral_id,
        working_days_between(received, to_oslo(decided["assessed_at"]).date()) if decided else None,
        working_days_between(received, to_oslo(consulted["starts_at"]).date())
        if consulted
        else None,
    )
