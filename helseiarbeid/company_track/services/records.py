"""What is recorded on a programme as it runs: attendance at a held module session (counts, never
names), the anchoring meeting's participants, the programme's goals and the closing evaluation.
"""

from __future__ import annotations

from typing import Any

from helseiarbeid.company_track.schemas import (
    AnchoringRecord,
    AttendanceRecord,
    EvaluationRecord,
    GoalCreate,
    GoalOut,
    SessionKind,
    SessionState,
)
from helseiarbeid.company_track.services.completion import completion_findings
from helseiarbeid.company_track.services.programmes import (
    _goal_out,
    _programme_row,
    _refresh_status,
    _sessions,
    lock_open_programme,
)
from helseiarbeid.company_track.services.session_rules import _open_programme, session_row
from helseiarbeid.company_track.tables import Programme, ProgrammeSession, ResultGoal
from helseiarbeid.core.clock import utcnow
from helseiarbeid.core.database import write_transaction
from helseiarbeid.core.errors import Conflict, InvalidInput
from helseiarbeid.core.users import CurrentUser


async def record_attendance(user: CurrentUser, session_id: int, data: AttendanceRecord) -> None:
    session = await session_row(user, session_id)
    if not SessionKind(session["kind"]).is_module:
        raise InvalidInput({"kind": "Oppmøte føres for modulsamlinger."})
    if session["state"] != SessionState.CONFIRMED.value or session["starts_at"] > utcnow():
        raise Conflict("Oppmøte føres når en bekreftet samling har startet.")
    if data.attended > data.invited:
        raise InvalidInput({"attended": "Flere kan ikke ha møtt enn som var invitert."})
    async with write_transaction():
        await ProgrammeSession.update(
            {
                ProgrammeSession.invited: data.invited,
                ProgrammeSession.attended: data.attended,
                ProgrammeSession.tasks: data.tasks.strip(),
                ProgrammeSession.ia_notes: data.ia_notes.strip(),
                ProgrammeSession.updated_at: utcnow(),
            }
        ).where(ProgrammeSession.id == session_id)


def _held(sessions: list[dict[str, Any]], kind: SessionKind) -> bool:
    return any(
        s["kind"] == kind.value
        and s["state"] == SessionState.CONFIRMED.value
        and s["starts_at"] <= utcnow()
        for s in sessions
    )


async def record_anchoring(user: CurrentUser, programme_id: int, data: AnchoringRecord) -> None:
    row = await _programme_row(user, programme_id)
    _open_programme(row)
    if not data.participants.strip():
        raise InvalidInput({"participants": "Skriv hvem som deltok."})
    async with write_transaction():
        if not _held(await _sessions(programme_id), SessionKind.ANCHORING):
            raise Conflict("Forankringsmøtet må være holdt før det kan føres.")
        await Programme.update(
            {
                Programme.anchoring_participants: data.participants.strip(),
                Programme.agreed_deliveries: data.agreed_deliveries.strip(),
                Programme.anchored_at: row["anchored_at"] or utcnow(),
                Programme.updated_at: utcnow(),
            }
        ).where(Programme.id == programme_id)
        await _refresh_status(programme_id)


async def add_goal(user: CurrentUser, programme_id: int, data: GoalCreate) -> GoalOut:
    row = await _programme_row(user, programme_id)
    _open_programme(row)
    problems = {}
    if not data.description.strip():
        problems["description"] = "Beskriv målet."
    if not data.indicator.strip():
        problems["indicator"] = "Oppgi hva som måles."
    if data.baseline == data.target:
        problems["target"] = "Målet må være et annet enn utgangspunktet."
    if problems:
        raise InvalidInput(problems)
    async with write_transaction():
        rows = await ResultGoal.insert(
            ResultGoal(
                programme=programme_id,
                description=data.description.strip(),
                indicator=data.indicator.strip(),
                baseline=data.baseline,
                target=data.target,
                unit=data.unit.strip(),
            )
        ).returning(*ResultGoal.all_columns())
    return _goal_out(rows[0])


async def record_evaluation(user: CurrentUser, programme_id: int, data: EvaluationRecord) -> None:
    row = await _programme_row(user, programme_id)
    _open_programme(row)
    if not data.assessment.strip():
        raise InvalidInput({"assessment": "Skriv vurderingen av programmet."})
    goals = await ResultGoal.select(ResultGoal.id).where(ResultGoal.programme == programme_id)
    goal_ids = {goal["id"] for goal in goals}
    unknown = set(data.measured) - goal_ids
    if unknown:
        raise InvalidInput({"measured": f"Ukjente mål: {sorted(unknown)}"})
    missing = goal_ids - set(data.measured)
    if missing:
        raise InvalidInput({"measured": "Før inn målt verdi for hvert resultatmål."})
    async with write_transaction():
        await lock_open_programme(programme_id)
        if not _held(await _sessions(programme_id), SessionKind.EVALUATION):
            raise Conflict("Evalueringsmøtet må være holdt før evalueringen kan føres.")
        blocking = [f.message for f in await completion_findings(programme_id) if f.blocking]
        if blocking:
            raise Conflict(" ".join(blocking))
        for goal_id, value in data.measured.items():
            await ResultGoal.update({ResultGoal.measured: value}).where(ResultGoal.id == goal_id)
        await Programme.update(
            {
                Programme.evaluation_assessment: data.assessment.strip(),
                Programme.further_plans: data.further_plans.strip(),
                Programme.evaluated_at: utcnow(),
                Programme.updated_at: utcnow(),
            }
        ).where(Programme.id == programme_id)
        await _refresh_status(programme_id)
