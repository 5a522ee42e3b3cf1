"""What is recorded on a programme as it runs: attendance at a held module session (counts, never
names), the anchoring meeting's participants, the programme's goals and the closing evaluation.

Recording the anchoring meeting and the evaluation each freezes a snapshot of the sick-leave
figures (``sick_leave.take_snapshot``); a goal that follows a sick-leave figure takes its
baseline from the anchoring snapshot and its measured value from the evaluation snapshot.
"""

from __future__ import annotations

from typing import Any

from helseiarbeid.company_track.schemas import (
    AnchoringRecord,
    AttendanceRecord,
    EvaluationRecord,
    GoalCreate,
    GoalDirection,
    GoalMeasure,
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
from helseiarbeid.company_track.services.sick_leave import (
    Figures,
    programme_snapshots,
    take_snapshot,
)
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
        await take_snapshot(programme_id, row["enterprise"], "anchoring")
        await _refresh_status(programme_id)


def figure_for(measure: GoalMeasure, figures: Figures) -> float | None:
    """The enterprise's percentage a goal follows (latest quarter, or the last four quarters),
    None when it is missing or masked."""
    enterprise = figures.enterprise
    if measure is GoalMeasure.LATEST_QUARTER:
        value = enterprise.latest.percent if enterprise.latest else None
    else:
        four = enterprise.four_quarters
        value = four.percent if four else None
    return None if value is None else float(value)


async def add_goal(user: CurrentUser, programme_id: int, data: GoalCreate) -> GoalOut:
    """A result goal. One that follows a sick-leave figure (``data.measure``) is in % and,
    without a baseline, takes it from the anchoring meeting's snapshot."""
    row = await _programme_row(user, programme_id)
    _open_programme(row)
    problems = {}
    if not data.description.strip():
        problems["description"] = "Beskriv målet."
    if not data.indicator.strip():
        problems["indicator"] = "Oppgi hva som måles."
    if (data.due_year is None) != (data.due_quarter is None):
        problems["due_quarter"] = "Oppgi både kvartal og år for når målet skal nås, eller ingen."
    baseline = data.baseline
    if baseline is None and data.measure is not GoalMeasure.TYPED:
        anchoring = (await programme_snapshots(programme_id)).get("anchoring")
        baseline = figure_for(data.measure, anchoring.figures) if anchoring else None
        if baseline is None:
            problems["baseline"] = (
                "Forankringsmøtets sykefraværstall mangler eller er skjermet: oppgi utgangspunktet."
            )
    elif baseline is None:
        problems["baseline"] = "Oppgi utgangspunktet."
    direction = data.direction
    if direction is None and data.measure is not GoalMeasure.TYPED:
        direction = GoalDirection.LOWER  # sick leave: lower is better
    elif direction is None and baseline is not None and baseline != data.target:
        direction = GoalDirection.LOWER if data.target < baseline else GoalDirection.HIGHER
    elif direction is None and baseline is not None:
        problems["direction"] = (
            "Målet er det samme som utgangspunktet: velg om målet er å redusere eller å øke, "
            "så det er klart hvilken side som er verre."
        )
    if problems or baseline is None or direction is None:
        raise InvalidInput(problems)
    async with write_transaction():
        rows = await ResultGoal.insert(
            ResultGoal(
                programme=programme_id,
                description=data.description.strip(),
                indicator=data.indicator.strip(),
                baseline=baseline,
                target=data.target,
                unit="%" if data.measure is not GoalMeasure.TYPED else data.unit.strip(),
                measure=data.measure.value,
                direction=direction.value,
                due_year=data.due_year,
                due_quarter=data.due_quarter,
            )
        ).returning(*ResultGoal.all_columns())
    return _goal_out(rows[0])


async def record_evaluation(user: CurrentUser, programme_id: int, data: EvaluationRecord) -> None:
    """Records the evaluation and freezes the evaluation snapshot. A goal that follows a
    sick-leave figure gets its measured value from that snapshot (a typed value counts only
    when the figure is missing or masked); every other goal needs a typed value."""
    row = await _programme_row(user, programme_id)
    _open_programme(row)
    if not data.assessment.strip():
        raise InvalidInput({"assessment": "Skriv vurderingen av programmet."})
    goals = await ResultGoal.select(ResultGoal.id, ResultGoal.indicator, ResultGoal.measure).where(
        ResultGoal.programme == programme_id
    )
    unknown = set(data.measured) - {goal["id"] for goal in goals}
    if unknown:
        raise InvalidInput({"measured": f"Ukjente mål: {sorted(unknown)}"})
    async with write_transaction():
        await lock_open_programme(programme_id)
        if not _held(await _sessions(programme_id), SessionKind.EVALUATION):
            raise Conflict("Evalueringsmøtet må være holdt før evalueringen kan føres.")
        blocking = [f.message for f in await completion_findings(programme_id) if f.blocking]
        if blocking:
            raise Conflict(" ".join(blocking))
        await take_snapshot(programme_id, row["enterprise"], "evaluation")
        after = (await programme_snapshots(programme_id))["evaluation"].figures
        measured: dict[int, float] = {}
        for goal in goals:
            measure = GoalMeasure(goal["measure"])
            value = figure_for(measure, after) if measure is not GoalMeasure.TYPED else None
            if value is None:
                value = data.measured.get(goal["id"])
            if value is None:
                raise InvalidInput(
                    {
                        "measured": "Før inn målt verdi for hvert resultatmål."
                        if measure is GoalMeasure.TYPED
                        else f"Sykefraværstallet for «{goal['indicator']}» mangler eller er "
                        "skjermet: før inn målt verdi."
                    }
                )
            measured[goal["id"]] = value
        for goal_id, value in measured.items():
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
