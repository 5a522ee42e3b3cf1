"""The team's worklist: referrals to act on by status, complaint, urgency, responsible person or
overdue deadline, urgent ones not yet assessed first, with the deadlines that count for each.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from piccolo.columns.combination import WhereRaw
from piccolo.query.mixins import OrderByRaw

from helseiarbeid.clinic_track.schemas import (
    DeadlineKind,
    Decision,
    Outcome,
    Worklist,
    WorklistItem,
)
from helseiarbeid.clinic_track.services._common import ACTIVE, PURPOSE
from helseiarbeid.clinic_track.tables import Assessment, Consultation
from helseiarbeid.core import audit
from helseiarbeid.core.audit import Actor, AuditAction
from helseiarbeid.core.clock import today_in_oslo
from helseiarbeid.core.timefmt import to_oslo
from helseiarbeid.core.users import CurrentUser
from helseiarbeid.core.working_days import working_days_between
from helseiarbeid.referrals import services as referrals
from helseiarbeid.referrals.schemas import Complaint, HealthAccess, Urgency
from helseiarbeid.referrals.status import AWAITING_ASSESSMENT, OPEN, OPEN_SQL, Status
from helseiarbeid.referrals.tables import Referral

# Urgent referrals not yet assessed come first, whatever their deadline (a constant, like
# OPEN_SQL, so the plan does not depend on a parameter).
URGENT_FIRST_SQL = (
    "CASE WHEN urgency = 'urgent' AND status IN ('received', 'under_assessment') THEN 0 ELSE 1 END"
)


async def worklist(
    user: CurrentUser,
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
    soonest legal deadline; overdue ones marked, urgent ones with their internal target.

    Each row says what ``user`` may see of the case (``referrals.decide``); a case whose
    health information the user may not see is listed without it (no complaint), and its
    listing is logged as such."""
    today = today_in_oslo()
    condition: Any = referrals.visible_to(user) & Referral.status.is_in(
        [status.value for status in statuses]
    )
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
            Referral.nav_consent,
            *referrals.access_columns(user),
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
    access = {row["id"]: referrals.decide(user, row).access for row in rows}
    for full in (True, False):
        await audit.record_many(
            actor,
            AuditAction.READ,
            "referral",
            [
                (row["id"], row["patient"])
                for row in rows
                if (access[row["id"]] is HealthAccess.FULL) is full
            ],
            purpose=PURPOSE
            + (" (arbeidsliste)" if full else " (arbeidsliste, uten helseopplysninger)"),
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
                complaint=Complaint(row["complaint"])
                if access[row["id"]] is HealthAccess.FULL
                else None,
                urgency=Urgency(row["urgency"]),
                responsible=row["responsible.name"],
                access=access[row["id"]],
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
