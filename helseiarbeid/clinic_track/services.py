"""The clinic team's rules: triage, assessment, consultations, clarification, onward referral
and the report to the GP. Each function owns its transaction and writes the audit rows.

Reads of referral rows join the referrals tables; every change to a referral (status,
documents, questions to the GP) goes through ``referrals.services``.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from piccolo.columns.combination import WhereRaw
from piccolo.query.mixins import OrderByRaw

from helseiarbeid.clinic_track.schemas import (
    AssessmentCreate,
    AssessmentOut,
    CaseOut,
    ClarificationUpdate,
    ConsultationCancel,
    ConsultationCreate,
    ConsultationOut,
    DeadlineKind,
    Decision,
    Destination,
    DocumentOut,
    OnwardReferralCreate,
    OnwardReferralOut,
    Outcome,
    OutcomeUpdate,
    Priority,
    Recommendation,
    TriageNoteCreate,
    TriageNoteOut,
    Worklist,
    WorklistItem,
)
from helseiarbeid.clinic_track.tables import (
    Assessment,
    Clarification,
    Consultation,
    ConsultationStaff,
    OnwardReferral,
    TriageNote,
)
from helseiarbeid.core import audit, busy_time
from helseiarbeid.core.audit import Actor, AuditAction
from helseiarbeid.core.clock import today_in_oslo, utcnow
from helseiarbeid.core.database import for_update, is_unique_violation, write_transaction
from helseiarbeid.core.errors import Conflict, InvalidInput, NotFound
from helseiarbeid.core.ical import CANCELLED_KEPT, FEED_PAST, CalendarItem
from helseiarbeid.core.pdf import render_pdf
from helseiarbeid.core.roles import TEAM_ROLES, Role
from helseiarbeid.core.tables import User
from helseiarbeid.core.timefmt import to_oslo
from helseiarbeid.core.users import CurrentUser
from helseiarbeid.core.working_days import working_days_between
from helseiarbeid.core.working_hours import check_bookable
from helseiarbeid.referrals import services as referrals
from helseiarbeid.referrals.schemas import Complaint, ReferralOut, Urgency
from helseiarbeid.referrals.status import (
    AWAITING_ASSESSMENT,
    OPEN,
    OPEN_SQL,
    Status,
    can_move,
    refusal,
)
from helseiarbeid.referrals.tables import Referral

CONSULTATION = "consultation"
# Where the team works on a case once it is accepted.
ACTIVE = frozenset({Status.ACCEPTED, Status.IN_PROGRESS})
PURPOSE = "behandling av henvisning i HelseIArbeid-teamet"


def _require_status(current: Status, allowed: frozenset[Status], action: str) -> None:
    if current not in allowed:
        names = ", ".join(sorted(status.label.lower() for status in allowed))
        raise Conflict(
            f"Kan ikke {action} når henvisningen er «{current.label.lower()}». "
            f"Det går når den er: {names}."
        )


async def _lock_case(referral_id: int, allowed: frozenset[Status], action: str) -> Status:
    """The case's status, its row locked until the transaction ends, if ``action`` is allowed
    in it (409 otherwise). Every change the team makes to a case starts here, so nothing
    changes a closed case and no decision is taken on a status that is being changed."""
    current = await referrals.status_of(referral_id, lock=True)
    _require_status(current, allowed, action)
    return current


async def _start_assessment(actor: Actor, referral_id: int, reason: str) -> Status:
    """received → under_assessment, the first time someone on the team acts on a referral.
    The referral row stays locked until the transaction ends."""
    current = await referrals.status_of(referral_id, lock=True)
    if current is Status.RECEIVED:
        await referrals.change_status(actor, referral_id, Status.UNDER_ASSESSMENT, reason=reason)
        return Status.UNDER_ASSESSMENT
    return current


# ---------------------------------------------------------------------------------------------
# Worklist

# Urgent referrals not yet assessed come first, whatever their deadline (a constant, like
# OPEN_SQL, so the plan does not depend on a parameter).
URGENT_FIRST_SQL = (
    "CASE WHEN urgency = 'urgent' AND status IN ('received', 'under_assessment') THEN 0 ELSE 1 END"
)


async def worklist(
    actor: Actor,
    *,
    statuses: frozenset[Status] = AWAITING_ASSESSMENT,
    complaint: Complaint | None = None,
    urgency: Urgency | None = None,
    responsible_id: int | None = None,
    overdue_only: bool = False,
    limit: int = 50,
    offset: int = 0,
) -> Worklist:
    """Referrals waiting for the team: urgent ones still to be assessed first, then the
    soonest legal deadline; overdue ones marked, urgent ones with their internal target."""
    today = today_in_oslo()
    condition: Any = Referral.status.is_in([status.value for status in statuses])
    if statuses <= OPEN:
        condition &= WhereRaw(OPEN_SQL)
    if complaint is not None:
        condition &= Referral.complaint == complaint.value
    if urgency is not None:
        condition &= Referral.urgency == urgency.value
    if responsible_id is not None:
        condition &= Referral.responsible == responsible_id
    if overdue_only:
        awaiting = [status.value for status in AWAITING_ASSESSMENT]
        condition &= (Referral.assessment_due < today) & Referral.status.is_in(awaiting)
    rows = await (
        Referral.select(
            Referral.id,
            Referral.reference,
            Referral.status,
            Referral.received_at,
            Referral.assessment_due,
            Referral.assessment_target,
            Referral.complaint,
            Referral.urgency,
            Referral.patient,
            Referral.patient_name,
            Referral.responsible.name,
        )
        .where(condition)
        .order_by(OrderByRaw(URGENT_FIRST_SQL))
        .order_by(Referral.assessment_due)
        .order_by(Referral.received_at)
        .limit(limit)
        .offset(offset)
    )
    total = await Referral.count().where(condition)
    waiting, answered = await referrals.answer_states([row["id"] for row in rows])
    await audit.record_many(
        actor,
        AuditAction.READ,
        "referral",
        [(row["id"], row["patient"]) for row in rows],
        purpose=PURPOSE + " (arbeidsliste)",
    )
    start_deadlines, care_started = await _start_deadlines([row["id"] for row in rows])
    items = []
    for row in rows:
        status = Status(row["status"])
        started = care_started.get(row["id"])
        deadline, kind = _counting_deadline(
            status, row["assessment_due"], start_deadlines.get(row["id"]), started
        )
        left = None
        if deadline is not None:
            left = (
                -working_days_between(deadline, today)
                if deadline < today
                else working_days_between(today, deadline)
            )
        items.append(
            WorklistItem(
                id=row["id"],
                reference=row["reference"],
                status=status,
                received_at=row["received_at"],
                assessment_due=row["assessment_due"],
                assessment_target=row["assessment_target"],
                deadline=deadline,
                deadline_kind=kind,
                overdue=deadline is not None and deadline < today,
                working_days_left=left,
                start_deadline=start_deadlines.get(row["id"]),
                care_started_on=started,
                patient_name=row["patient_name"],
                complaint=Complaint(row["complaint"]),
                urgency=Urgency(row["urgency"]),
                responsible=row["responsible.name"],
                waiting_for_information=row["id"] in waiting,
                answer_from_gp=row["id"] in answered,
            )
        )
    return Worklist(items=items, total=total, limit=limit, offset=offset)


def _counting_deadline(
    status: Status, assessment_due: date, start_deadline: date | None, care_started: date | None
) -> tuple[date | None, DeadlineKind | None]:
    """The deadline a case counts down to: the assessment deadline until it is decided, the
    start deadline once accepted until care starts (the first consultation held), else none
    (an ended case's old deadline stops counting)."""
    if status in AWAITING_ASSESSMENT:
        return assessment_due, DeadlineKind.ASSESSMENT
    if status in ACTIVE and start_deadline is not None and care_started is None:
        return start_deadline, DeadlineKind.START
    return None, None


async def _start_deadlines(referral_ids: list[int]) -> tuple[dict[int, date], dict[int, date]]:
    """For a page of the worklist: each accepted referral's start deadline (the latest
    acceptance's) and the Oslo day its first held consultation began. Two queries."""
    if not referral_ids:
        return {}, {}
    accepted = await (
        Assessment.select(Assessment.referral, Assessment.start_deadline)
        .where(
            Assessment.referral.is_in(referral_ids)
            & (Assessment.decision == Decision.ACCEPTED.value)
        )
        .order_by(Assessment.id)
    )
    held = await (
        Consultation.select(Consultation.referral, Consultation.starts_at)
        .where(
            Consultation.referral.is_in(referral_ids) & (Consultation.outcome == Outcome.HELD.value)
        )
        .order_by(Consultation.starts_at, ascending=False)
    )
    deadlines = {int(row["referral"]): row["start_deadline"] for row in accepted}
    started = {int(row["referral"]): to_oslo(row["starts_at"]).date() for row in held}
    return deadlines, started


# ---------------------------------------------------------------------------------------------
# Triage and assessment


async def add_triage_note(
    user: CurrentUser, actor: Actor, referral_id: int, data: TriageNoteCreate
) -> TriageNoteOut:
    if not data.note.strip():
        raise InvalidInput({"note": "Skriv et kort triasjenotat."})
    async with write_transaction():
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
    async with write_transaction():
        await referrals.check_version(referral_id, data.version)
        current = await _start_assessment(actor, referral_id, "Vurdering startet")
        _require_status(current, AWAITING_ASSESSMENT, "vurdere henvisningen")
        if data.decision is Decision.MORE_INFORMATION:
            await referrals.request_information(actor, referral_id, data.reason.strip())
        else:
            target = Status.ACCEPTED if accepted else Status.RETURNED
            await referrals.change_status(actor, referral_id, target, reason=data.reason.strip())
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


# ---------------------------------------------------------------------------------------------
# Consultations


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
    referral = await referrals.get_referral(user, actor, referral_id)
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
    referral = await referrals.get_referral(user, actor, referral_id)
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
    async with write_transaction():
        await _lock_case(referral_id, ACTIVE, "registrere konsultasjonen")
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


# ---------------------------------------------------------------------------------------------
# Clarification and onward referral


async def save_clarification(
    user: CurrentUser, actor: Actor, referral_id: int, data: ClarificationUpdate
) -> ClarificationUpdate:
    """Write or update the work-focused clarification; a stale version is refused (409).

    ``data.version`` is the version the writer saw: 0 (or left out) when there was none yet.
    Creating is checked like updating, so of two people who both opened an empty form the
    second is refused instead of overwriting the first's text.
    """
    if not data.summary.strip():
        raise InvalidInput({"summary": "Skriv en oppsummering."})
    seen = data.version or 0
    async with write_transaction():
        await _lock_case(referral_id, ACTIVE, "skrive avklaringen")
        existing = await for_update(
            Clarification.select(Clarification.id, Clarification.version).where(
                Clarification.referral == referral_id
            )
        ).first()
        now = utcnow()
        fields: dict[Any, Any] = {
            Clarification.summary: data.summary.strip(),
            Clarification.coping_plan: data.coping_plan.strip(),
            Clarification.work_recommendations: data.work_recommendations.strip(),
            Clarification.follow_up: data.follow_up.strip(),
            Clarification.updated_by: user.id,
            Clarification.updated_at: now,
        }
        if existing is None:
            if seen != 0:
                raise Conflict(
                    "Avklaringen finnes ikke lenger i den versjonen du så. Last siden på nytt."
                )
            try:
                await Clarification.insert(
                    Clarification({**fields, Clarification.referral: referral_id})
                )
            except Exception as error:
                if is_unique_violation(error):
                    raise Conflict(
                        "Avklaringen ble skrevet samtidig av noen andre. Last siden på nytt."
                    ) from error
                raise
            version = 1
        else:
            if seen != existing["version"]:
                raise Conflict(
                    "Avklaringen er endret av noen andre siden du åpnet den. Last siden på nytt "
                    "og legg inn endringene dine igjen."
                )
            version = int(existing["version"]) + 1
            updated = await (
                Clarification.update({**fields, Clarification.version: version})
                .where(
                    (Clarification.id == existing["id"])
                    & (Clarification.version == existing["version"])
                )
                .returning(Clarification.id)
            )
            if not updated:
                raise Conflict("Avklaringen ble endret samtidig av noen andre. Last siden på nytt.")
        await audit.record(
            actor,
            AuditAction.UPDATE if existing else AuditAction.CREATE,
            "clarification",
            referral_id,
            purpose=PURPOSE,
            patient_id=await referrals.patient_of(referral_id),
            referral_id=referral_id,
        )
    return ClarificationUpdate(
        summary=data.summary.strip(),
        coping_plan=data.coping_plan.strip(),
        work_recommendations=data.work_recommendations.strip(),
        follow_up=data.follow_up.strip(),
        version=version,
    )


# Who may refer into health services and sign the letter: health personnel with an HPR
# number (``users.create_user`` requires one for these roles). The NAV counsellor is not
# health personnel and registers NAV's own work-oriented measures.
REFERRING_CLINICIANS = frozenset({Role.PSYCHOLOGIST, Role.PHYSICIAN})


def onward_destinations(user: CurrentUser) -> list[Destination]:
    """The destinations this team member may refer to: all for a physician or psychologist,
    NAV's work-oriented measures only for anyone else on the team."""
    return [d for d in Destination if user.role in REFERRING_CLINICIANS or not d.is_health_service]


async def add_onward_referral(
    user: CurrentUser, actor: Actor, referral_id: int, data: OnwardReferralCreate
) -> OnwardReferralOut:
    """Refer the patient onward and store the letter, signed by ``user``.

    A referral into health services (DPS, specialist departments, physiotherapy ...) is a
    clinician's decision (DOMAIN.md: a physician or psychologist, with HPR number); anyone
    else is refused with 422 on ``destination_type``. 409 unless the case is accepted or in
    progress.
    """
    problems = {}
    if data.destination_type not in onward_destinations(user):
        problems["destination_type"] = (
            "Henvisning til helsetjenester gjøres av lege eller psykolog med HPR-nummer. "
            "Som NAV-veileder kan du registrere arbeidsrettede tiltak i NAV."
        )
    if not data.destination_name.strip():
        problems["destination_name"] = "Oppgi hvor pasienten henvises."
    if not data.reason.strip():
        problems["reason"] = "Skriv begrunnelsen for henvisningen."
    if problems:
        raise InvalidInput(problems)
    referral = await referrals.get_referral(user, actor, referral_id)
    _require_status(referral.status, ACTIVE, "henvise videre")
    now = utcnow()
    letter = await render_pdf(
        "clinic_track/onward_letter_pdf.html",
        {
            "referral": referral,
            "destination_type": data.destination_type,
            "destination_name": data.destination_name.strip(),
            "reason": data.reason.strip(),
            "author": user,
            "today": today_in_oslo(),
        },
    )
    async with write_transaction():
        await _lock_case(referral_id, ACTIVE, "henvise videre")
        letter_id = await referrals.store_document(
            actor,
            referral_id,
            kind="onward_referral",
            title=f"Henvisning videre til {data.destination_name.strip()}"[:200],
            content=letter,
        )
        rows = await OnwardReferral.insert(
            OnwardReferral(
                referral=referral_id,
                destination_type=data.destination_type.value,
                destination_name=data.destination_name.strip(),
                reason=data.reason.strip(),
                letter=letter_id,
                created_by=user.id,
                created_at=now,
            )
        )
        await audit.record(
            actor,
            AuditAction.CREATE,
            "onward_referral",
            rows[0]["id"],
            purpose=PURPOSE,
            patient_id=await referrals.patient_of(referral_id),
            referral_id=referral_id,
        )
    return OnwardReferralOut(
        id=rows[0]["id"],
        destination_type=data.destination_type,
        destination_name=data.destination_name.strip(),
        reason=data.reason.strip(),
        created_at=now,
        letter_url=_document_url(referral_id, letter_id),
    )


# ---------------------------------------------------------------------------------------------
# The case as a whole, and the report to the GP


def _document_url(referral_id: int, document_id: int) -> str:
    return f"/api/v1/referrals/{referral_id}/documents/{document_id}"


async def _case_parts(referral_id: int) -> dict[str, Any]:
    notes = await (
        TriageNote.select(*TriageNote.all_columns(), TriageNote.author.name)
        .where(TriageNote.referral == referral_id)
        .order_by(TriageNote.id)
    )
    assessments = await (
        Assessment.select(*Assessment.all_columns(), Assessment.assessed_by.name)
        .where(Assessment.referral == referral_id)
        .order_by(Assessment.id)
    )
    consultations = await (
        Consultation.select()
        .where(Consultation.referral == referral_id)
        .order_by(Consultation.starts_at)
    )
    staff_rows = await ConsultationStaff.select(
        ConsultationStaff.consultation, ConsultationStaff.staff.name
    ).where(ConsultationStaff.consultation.is_in([c["id"] for c in consultations] or [0]))
    staff_by_consultation: dict[int, list[str]] = {}
    for row in staff_rows:
        staff_by_consultation.setdefault(row["consultation"], []).append(row["staff.name"])
    clarification = (
        await Clarification.select().where(Clarification.referral == referral_id).first()
    )
    onward = await (
        OnwardReferral.select()
        .where(OnwardReferral.referral == referral_id)
        .order_by(OnwardReferral.id)
    )
    return {
        "triage_notes": [
            TriageNoteOut(
                id=n["id"],
                author=n["author.name"],
                author_role=n["author_role"],
                note=n["note"],
                recommendation=Recommendation(n["recommendation"]),
                created_at=n["created_at"],
            )
            for n in notes
        ],
        "assessments": [
            AssessmentOut(
                id=a["id"],
                decision=Decision(a["decision"]),
                has_right_to_care=a["has_right_to_care"],
                start_deadline=a["start_deadline"],
                priority=Priority(a["priority"]) if a["priority"] else None,
                reason=a["reason"],
                assessed_by=a["assessed_by.name"],
                assessed_at=a["assessed_at"],
            )
            for a in assessments
        ],
        "consultations": [
            ConsultationOut(
                id=c["id"],
                starts_at=c["starts_at"],
                ends_at=c["starts_at"] + timedelta(minutes=c["duration_minutes"]),
                duration_minutes=c["duration_minutes"],
                location=c["location"],
                staff=staff_by_consultation.get(c["id"], []),
                letter_url=_document_url(referral_id, c["letter"]) if c["letter"] else None,
                outcome=Outcome(c["outcome"]) if c["outcome"] else None,
                cancel_reason=c["cancel_reason"],
            )
            for c in consultations
        ],
        "clarification": (
            ClarificationUpdate(
                summary=clarification["summary"],
                coping_plan=clarification["coping_plan"],
                work_recommendations=clarification["work_recommendations"],
                follow_up=clarification["follow_up"],
                version=clarification["version"],
            )
            if clarification
            else None
        ),
        "onward_referrals": [
            OnwardReferralOut(
                id=o["id"],
                destination_type=Destination(o["destination_type"]),
                destination_name=o["destination_name"],
                reason=o["reason"],
                created_at=o["created_at"],
                letter_url=_document_url(referral_id, o["letter"]),
            )
            for o in onward
        ],
    }


async def case(user: CurrentUser, actor: Actor, referral_id: int) -> tuple[ReferralOut, CaseOut]:
    """The referral and everything recorded on it; one audited read."""
    referral = await referrals.get_referral(user, actor, referral_id)
    parts = await _case_parts(referral_id)
    documents = await referrals.list_documents([referral_id])
    return referral, CaseOut(
        referral_id=referral_id,
        status=referral.status,
        version=referral.version,
        documents=[
            DocumentOut(
                id=d.id,
                kind=d.kind,
                title=d.title,
                created_at=d.created_at,
                url=_document_url(referral_id, d.id),
                cancelled_at=d.cancelled_at,
            )
            for d in documents
        ],
        information_requests=referral.information_requests,
        **parts,
    )


async def _case_fingerprint(referral_id: int) -> str:
    """What the report is made from, in brief: a change to any of it makes a draft or a
    report being rendered stale. A short hex digest, carried by the preview's form."""
    clarification = (
        await Clarification.select(Clarification.version)
        .where(Clarification.referral == referral_id)
        .first()
    )
    consultations = await (
        Consultation.select(Consultation.id, Consultation.outcome, Consultation.starts_at)
        .where(Consultation.referral == referral_id)
        .order_by(Consultation.id)
    )
    parts = (
        await referrals.status_of(referral_id),
        clarification["version"] if clarification else None,
        await OnwardReferral.count().where(OnwardReferral.referral == referral_id),
        [(c["id"], c["outcome"], c["starts_at"].isoformat()) for c in consultations],
        await Assessment.count().where(Assessment.referral == referral_id),
    )
    return hashlib.sha256(repr(parts).encode()).hexdigest()[:32]


def _check_report_ready(recorded: CaseOut) -> None:
    """The report needs a case in progress, the clarification, and an outcome recorded for
    every consultation (409 naming the open ones by date and time)."""
    if not can_move(recorded.status, Status.COMPLETED):
        raise Conflict(refusal(recorded.status, Status.COMPLETED))
    if recorded.clarification is None:
        raise InvalidInput(
            {"clarification": "Skriv den arbeidsfokuserte avklaringen før rapporten lages."}
        )
    open_ones = [c for c in recorded.consultations if c.outcome is None]
    if open_ones:
        times = ", ".join(_when(c.starts_at) for c in open_ones)
        raise Conflict(
            "Rapporten kan lages når hver konsultasjon er registrert som gjennomført, "
            f"ikke møtt eller avlyst. Ikke registrert: {times}."
        )


@dataclass(frozen=True)
class ReportDraft:
    referral: ReferralOut
    case: CaseOut
    pdf: bytes
    # _case_fingerprint of what the draft was made from.
    fingerprint: str


async def draft_report(user: CurrentUser, actor: Actor, referral_id: int) -> ReportDraft:
    """The report as it would be sent now, without storing or sending anything (the
    preview); refused like the report itself when the case is not ready."""
    fingerprint = await _case_fingerprint(referral_id)
    referral, recorded = await case(user, actor, referral_id)
    _check_report_ready(recorded)
    pdf = await render_pdf(
        "clinic_track/report_pdf.html",
        {"referral": referral, "case": recorded, "author": user, "today": today_in_oslo()},
    )
    return ReportDraft(referral, recorded, pdf, fingerprint)


async def write_report(
    user: CurrentUser,
    actor: Actor,
    referral_id: int,
    version: int | None,
    draft: str | None = None,
) -> int:
    """Build the report to the GP from what was recorded, store it, and complete the case.

    Refused (409) while a consultation has no outcome, when ``version`` is stale, when
    ``draft`` (the preview's fingerprint) no longer matches the case, or when the case
    changed while the PDF was rendered. After this the case is closed: every service that
    changes a case refuses a completed one.
    """
    made = await draft_report(user, actor, referral_id)
    if draft is not None and draft != made.fingerprint:
        raise Conflict(
            "Saken er endret siden du så utkastet. Se over utkastet på nytt før du sender."
        )
    async with write_transaction():
        await _lock_case(referral_id, frozenset({Status.IN_PROGRESS}), "sende rapporten")
        await referrals.check_version(referral_id, version)
        if await _case_fingerprint(referral_id) != made.fingerprint:
            raise Conflict(
                "Saken ble endret mens rapporten ble laget. Se over endringene og lag den på nytt."
            )
        document_id = await referrals.store_document(
            actor, referral_id, kind="report", title="Rapport til fastlege", content=made.pdf
        )
        await referrals.change_status(
            actor, referral_id, Status.COMPLETED, reason="Rapport sendt fastlege"
        )
    return document_id


# ---------------------------------------------------------------------------------------------
# Calendar


CONSULTATION_SUMMARY = "Konsultasjon HelseIArbeid"


def _calendar_condition(staff_id: int | None, consultation_id: int | None) -> Any:
    """Which consultations a calendar holds; cancelled ones stay for 30 days."""
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
    return condition


async def calendar_changed_since(since: datetime, *, staff_id: int | None) -> bool:
    """Whether a consultation of ``calendar_items`` for this staff member (or anyone's, with
    None) has been booked or changed since then: every such write moves ``updated_at``."""
    condition = _calendar_condition(staff_id, None)
    changed: bool = await Consultation.exists().where(condition & (Consultation.updated_at > since))
    return changed


async def calendar_items(
    *, staff_id: int | None, base_url: str, consultation_id: int | None = None
) -> list[CalendarItem]:
    """Consultations for a calendar: one staff member's (or the whole clinic's with None).

    Nothing about the patient leaves the service: no name, national ID or complaint, only the
    time, the room and a link that needs a login.
    """
    condition = _calendar_condition(staff_id, consultation_id)
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
