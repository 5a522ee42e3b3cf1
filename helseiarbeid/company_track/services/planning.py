"""The coordinator's planning view: every live programme (in one service area, or all) on a
timeline with its next step, each facilitator's load in the weeks shown, and the team that can
be booked.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from helseiarbeid.company_track.schemas import ProgrammeStatus, SessionKind
from helseiarbeid.company_track.services._common import (
    ACTIVE_STATES,
    COMPANY_SESSION,
    HEALTH_FACILITATORS,
)
from helseiarbeid.company_track.services.scope import enterprise_scope
from helseiarbeid.company_track.tables import Programme, ProgrammeSession, SessionFacilitator
from helseiarbeid.core.clock import OSLO
from helseiarbeid.core.roles import Role
from helseiarbeid.core.tables import BusyPeriod, User
from helseiarbeid.core.users import CurrentUser
from helseiarbeid.regions import services as regions


@dataclass(frozen=True)
class TimelineItem:
    session_id: int
    title: str
    state: str
    starts_at: datetime
    offset_percent: float
    missing_facilitators: bool


@dataclass(frozen=True)
class TimelineRow:
    programme_id: int
    enterprise: str
    area: str
    status: ProgrammeStatus
    items: list[TimelineItem]
    next_step: str | None


@dataclass(frozen=True)
class Load:
    name: str
    role: str
    sessions: int
    consultations: int
    hours: float


NEXT_STEP = {
    ProgrammeStatus.REQUESTED: "Sett opp forankringsmøte",
    ProgrammeStatus.ANCHORING_SCHEDULED: "Før forankringsmøtet når det er holdt",
    ProgrammeStatus.ANCHORED: "Sett opp modul 1",
    ProgrammeStatus.MODULES_IN_PROGRESS: "Sett opp neste modul eller evaluering",
    ProgrammeStatus.EVALUATION_SCHEDULED: "Før evalueringen når møtet er holdt",
}


async def planning(
    user: CurrentUser, area_id: int | None, start: date, weeks: int = 12
) -> tuple[list[TimelineRow], list[Load]]:
    """The live programmes of the user's regions (``scope``; in one area, or all) on a
    timeline, and the load of each person working for those regions (their whole calendar:
    the busy-time ledger is one per person, whatever the region)."""
    scope = await enterprise_scope(user)
    window_start = datetime.combine(start, time(0), tzinfo=OSLO)
    window_end = window_start + timedelta(weeks=weeks)
    span = (window_end - window_start).total_seconds()
    query = Programme.select(
        Programme.id,
        Programme.status,
        Programme.enterprise.name,
        Programme.enterprise._.service_area._.name,
    ).where(
        Programme.status.not_in([ProgrammeStatus.COMPLETED.value, ProgrammeStatus.CANCELLED.value])
    )
    condition = scope.condition(Programme.enterprise, Programme.enterprise._.region)
    if condition is not None:
        query = query.where(condition)
    if area_id is not None:
        query = query.where(Programme.enterprise._.service_area == area_id)
    programmes = await query.order_by(Programme.enterprise.name)
    ids = [p["id"] for p in programmes]
    sessions = await (
        ProgrammeSession.select()
        .where(
            ProgrammeSession.programme.is_in(ids or [0])
            & ProgrammeSession.state.is_in(list(ACTIVE_STATES))
        )
        .order_by(ProgrammeSession.starts_at)
    )
    staffed = await SessionFacilitator.select(SessionFacilitator.session).where(
        SessionFacilitator.session.is_in([s["id"] for s in sessions] or [0])
    )
    with_facilitators = {row["session"] for row in staffed}
    by_programme: dict[int, list[TimelineItem]] = {}
    for s in sessions:
        if not window_start <= s["starts_at"] < window_end:
            continue
        by_programme.setdefault(s["programme"], []).append(
            TimelineItem(
                session_id=s["id"],
                title=SessionKind(s["kind"]).label,
                state=s["state"],
                starts_at=s["starts_at"],
                offset_percent=round(
                    100 * (s["starts_at"] - window_start).total_seconds() / span, 2
                ),
                missing_facilitators=s["id"] not in with_facilitators,
            )
        )
    rows = [
        TimelineRow(
            programme_id=p["id"],
            enterprise=p["enterprise.name"],
            area=p["enterprise.service_area.name"],
            status=ProgrammeStatus(p["status"]),
            items=by_programme.get(p["id"], []),
            next_step=NEXT_STEP.get(ProgrammeStatus(p["status"])),
        )
        for p in programmes
    ]
    busy_query = BusyPeriod.select(
        BusyPeriod.staff.name,
        BusyPeriod.staff.role,
        BusyPeriod.kind,
        BusyPeriod.starts_at,
        BusyPeriod.ends_at,
    ).where((BusyPeriod.starts_at >= window_start) & (BusyPeriod.starts_at < window_end))
    if not scope.everything:
        members = await regions.members_of(scope.region_ids)
        busy_query = busy_query.where(BusyPeriod.staff.is_in(sorted(members) or [0]))
    busy = await busy_query
    loads: dict[str, dict[str, Any]] = {}
    for period in busy:
        entry = loads.setdefault(
            period["staff.name"],
            {"role": period["staff.role"], "sessions": 0, "consultations": 0, "hours": 0.0},
        )
        entry["sessions" if period["kind"] == COMPANY_SESSION else "consultations"] += 1
        entry["hours"] += (period["ends_at"] - period["starts_at"]).total_seconds() / 3600
    load = [
        Load(
            name=name,
            role=Role(v["role"]).label,
            sessions=v["sessions"],
            consultations=v["consultations"],
            hours=round(v["hours"], 1),
        )
        for name, v in sorted(loads.items())
    ]
    return rows, load


async def team_for_booking() -> list[dict[str, Any]]:
    return list(
        await User.select(User.id, User.name, User.role)
        .where(
            User.role.is_in([r.value for r in (*HEALTH_FACILITATORS, Role.NAV_COUNSELLOR)])
            & (User.is_active == True)  # noqa: E712
        )
        .order_by(User.name)
    )
