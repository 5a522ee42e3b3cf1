"""An enterprise's programme: requesting one (refused when the service area is closed), reading it
with its sessions and goals, deriving its status from the sessions held, and cancelling it with
every live session.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from piccolo.query.methods.select import Select

from helseiarbeid.company_track.schemas import (
    MODULES,
    GoalDirection,
    GoalMeasure,
    GoalOut,
    ProgrammeOut,
    ProgrammeStatus,
    SessionKind,
    SessionOut,
    SessionState,
)
from helseiarbeid.company_track.services._common import ACTIVE_STATES, COMPANY_SESSION
from helseiarbeid.company_track.services.enterprises import _check_enterprise_access
from helseiarbeid.company_track.services.notifications import Notice, _notice, _notify
from helseiarbeid.company_track.tables import (
    Enterprise,
    Programme,
    ProgrammeSession,
    ResultGoal,
    SessionFacilitator,
)
from helseiarbeid.core import busy_time
from helseiarbeid.core.clock import today_in_oslo, utcnow
from helseiarbeid.core.database import for_update, write_transaction
from helseiarbeid.core.errors import Conflict, InvalidInput, NotFound
from helseiarbeid.core.timefmt import format_date
from helseiarbeid.core.users import CurrentUser


def derive_status(programme: dict[str, Any], sessions: list[dict[str, Any]]) -> ProgrammeStatus:
    """The status follows from what has been scheduled (confirmed) and recorded."""
    if programme["cancelled_at"] is not None:
        return ProgrammeStatus.CANCELLED
    if programme["evaluated_at"] is not None:
        return ProgrammeStatus.COMPLETED
    confirmed = {s["kind"] for s in sessions if s["state"] == SessionState.CONFIRMED.value}
    if SessionKind.EVALUATION.value in confirmed:
        return ProgrammeStatus.EVALUATION_SCHEDULED
    if programme["anchored_at"] is not None:
        if confirmed & {kind.value for kind in MODULES}:
            return ProgrammeStatus.MODULES_IN_PROGRESS
        return ProgrammeStatus.ANCHORED
    if SessionKind.ANCHORING.value in confirmed:
        return ProgrammeStatus.ANCHORING_SCHEDULED
    return ProgrammeStatus.REQUESTED


async def _refresh_status(programme_id: int) -> ProgrammeStatus:
    programme = await Programme.select().where(Programme.id == programme_id).first()
    if programme is None:
        raise NotFound("Programmet finnes ikke.")
    sessions = await ProgrammeSession.select(ProgrammeSession.kind, ProgrammeSession.state).where(
        ProgrammeSession.programme == programme_id
    )
    status = derive_status(programme, sessions)
    if status.value != programme["status"]:
        await Programme.update(
            {Programme.status: status.value, Programme.updated_at: utcnow()}
        ).where(Programme.id == programme_id)
    return status


async def _area_of_enterprise(enterprise_id: int) -> dict[str, Any]:
    row = await (
        Enterprise.select(Enterprise.service_area.name, Enterprise.service_area.company_track_from)
        .where(Enterprise.id == enterprise_id)
        .first()
    )
    if row is None:
        raise NotFound("Virksomheten finnes ikke.")
    return {
        "name": row["service_area.name"],
        "company_track_from": row["service_area.company_track_from"],
    }


def _not_open_message(area: dict[str, Any], when: date) -> str | None:
    opens: date | None = area["company_track_from"]
    if opens is None:
        return f"Bedriftstiltaket tilbys ikke i {area['name']} ennå."
    if when < opens:
        return f"Bedriftstiltaket åpner i {area['name']} {format_date(opens)}."
    return None


async def request_programme(user: CurrentUser, enterprise_id: int) -> int:
    await _check_enterprise_access(user, enterprise_id)
    area = await _area_of_enterprise(enterprise_id)
    closed = _not_open_message(area, today_in_oslo())
    if closed:
        raise Conflict(closed)
    async with write_transaction():
        # Two requests at once (a double click) must not both see "no running programme".
        await for_update(Enterprise.select(Enterprise.id).where(Enterprise.id == enterprise_id))
        running = await Programme.exists().where(
            (Programme.enterprise == enterprise_id)
            & Programme.status.not_in(
                [ProgrammeStatus.COMPLETED.value, ProgrammeStatus.CANCELLED.value]
            )
        )
        if running:
            raise Conflict("Virksomheten har allerede et program som ikke er avsluttet.")
        now = utcnow()
        rows = await Programme.insert(
            Programme(
                enterprise=enterprise_id,
                status=ProgrammeStatus.REQUESTED.value,
                requested_by=user.id,
                requested_at=now,
                updated_at=now,
            )
        )
    return int(rows[0]["id"])


async def lock_open_programme(programme_id: int) -> None:
    """Inside a write transaction: lock the programme's row until it ends (PostgreSQL; SQLite's
    IMMEDIATE transaction already excludes other writers), so a change that depends on the
    programme being open cannot race its completion or cancellation. Raises ``NotFound``, or
    ``Conflict`` when the programme is completed or cancelled."""
    row = await for_update(
        Programme.select(Programme.status).where(Programme.id == programme_id)
    ).first()
    if row is None:
        raise NotFound("Programmet finnes ikke.")
    if row["status"] in (ProgrammeStatus.CANCELLED.value, ProgrammeStatus.COMPLETED.value):
        raise Conflict(f"Programmet er {ProgrammeStatus(row['status']).label.lower()}.")


async def _programme_row(user: CurrentUser, programme_id: int) -> dict[str, Any]:
    row = await (
        Programme.select(
            *Programme.all_columns(),
            Programme.enterprise.name,
            Programme.enterprise.address,
            Programme.enterprise.service_area,
        )
        .where(Programme.id == programme_id)
        .first()
    )
    if row is None:
        raise NotFound("Programmet finnes ikke.")
    try:
        await _check_enterprise_access(user, row["enterprise"])
    except NotFound:
        raise NotFound("Programmet finnes ikke.") from None
    return row


def _ends(session: dict[str, Any]) -> datetime:
    ends: datetime = session["starts_at"] + timedelta(minutes=session["duration_minutes"])
    return ends


async def _sessions(programme_id: int) -> list[dict[str, Any]]:
    return list(
        await ProgrammeSession.select()
        .where(ProgrammeSession.programme == programme_id)
        .order_by(ProgrammeSession.starts_at)
    )


async def _facilitator_names(session_ids: list[int] | Select[Any]) -> dict[int, list[str]]:
    """Facilitators' names per session, for a list of sessions or a query selecting them."""
    if isinstance(session_ids, list) and not session_ids:
        return {}
    rows = await SessionFacilitator.select(
        SessionFacilitator.session, SessionFacilitator.facilitator.name
    ).where(SessionFacilitator.session.is_in(session_ids))
    names: dict[int, list[str]] = {}
    for row in rows:
        names.setdefault(row["session"], []).append(row["facilitator.name"])
    return names


def _session_out(session: dict[str, Any], facilitators: list[str]) -> SessionOut:
    kind = SessionKind(session["kind"])
    return SessionOut(
        id=session["id"],
        kind=kind,
        title=kind.label,
        state=SessionState(session["state"]),
        starts_at=session["starts_at"],
        ends_at=_ends(session),
        duration_minutes=session["duration_minutes"],
        location=session["location"],
        facilitators=sorted(facilitators),
        invited=session["invited"],
        attended=session["attended"],
        tasks=session["tasks"],
        ia_notes=session["ia_notes"],
        cancel_reason=session["cancel_reason"],
        sequence=session["sequence"],
    )


def _goal_out(goal: dict[str, Any]) -> GoalOut:
    measured = goal["measured"]
    direction = GoalDirection(goal["direction"])
    met = None if measured is None else direction.met(measured, goal["target"])
    return GoalOut(
        id=goal["id"],
        description=goal["description"],
        indicator=goal["indicator"],
        baseline=goal["baseline"],
        target=goal["target"],
        unit=goal["unit"],
        measured=measured,
        met=met,
        measure=GoalMeasure(goal["measure"]),
        direction=direction,
        due=f"{goal['due_quarter']}. kvartal {goal['due_year']}" if goal["due_year"] else "",
    )


async def get_programme(user: CurrentUser, programme_id: int) -> ProgrammeOut:
    row = await _programme_row(user, programme_id)
    sessions = await _sessions(programme_id)
    names = await _facilitator_names([s["id"] for s in sessions])
    goals = (
        await ResultGoal.select()
        .where(ResultGoal.programme == programme_id)
        .order_by(ResultGoal.id)
    )
    return ProgrammeOut(
        id=row["id"],
        enterprise_id=row["enterprise"],
        enterprise_name=row["enterprise.name"],
        status=ProgrammeStatus(row["status"]),
        requested_at=row["requested_at"],
        cancel_reason=row["cancel_reason"],
        anchoring_participants=row["anchoring_participants"],
        agreed_deliveries=row["agreed_deliveries"],
        evaluation_assessment=row["evaluation_assessment"],
        further_plans=row["further_plans"],
        sessions=[_session_out(s, names.get(s["id"], [])) for s in sessions],
        goals=[_goal_out(goal) for goal in goals],
    )


async def cancel_programme(user: CurrentUser, programme_id: int, reason: str) -> None:
    if not reason.strip():
        raise InvalidInput({"reason": "Skriv hvorfor programmet avlyses."})
    await _programme_row(user, programme_id)
    notices = []
    async with write_transaction():
        for session in await _sessions(programme_id):
            if session["state"] in ACTIVE_STATES:
                notices.append(await _cancel_session_row(session, reason))
        await Programme.update(
            {Programme.cancelled_at: utcnow(), Programme.cancel_reason: reason.strip()}
        ).where(Programme.id == programme_id)
        await _refresh_status(programme_id)
        for notice in notices:
            await _notify(notice)


async def _cancel_session_row(session: dict[str, Any], reason: str) -> Notice:
    await busy_time.release(COMPANY_SESSION, session["id"])
    await ProgrammeSession.update(
        {
            ProgrammeSession.state: SessionState.CANCELLED.value,
            ProgrammeSession.cancelled_at: utcnow(),
            ProgrammeSession.cancel_reason: reason.strip(),
            ProgrammeSession.sequence: ProgrammeSession.sequence + 1,
            ProgrammeSession.updated_at: utcnow(),
        }
    ).where(ProgrammeSession.id == session["id"])
    return await _notice(session["id"], "cancelled")
