"""The rules for booking a programme's sessions: the area's calendar and working hours, the order
of start-up meeting, modules and follow-up, free facilitators from the shared busy-time ledger
(with travel time around on-site sessions), and confirming, moving and cancelling a session. A
broken rule is refused with a message naming it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from helseiarbeid.company_track.schemas import (
    MODULES,
    ProgrammeStatus,
    SessionCreate,
    SessionKind,
    SessionState,
)
from helseiarbeid.company_track.services._common import (
    ACTIVE_STATES,
    COMPANY_SESSION,
    HEALTH_FACILITATORS,
)
from helseiarbeid.company_track.services.notifications import _notice, _notify
from helseiarbeid.company_track.services.programmes import (
    _area_of_enterprise,
    _cancel_session_row,
    _ends,
    _not_open_message,
    _programme_row,
    _refresh_status,
    _sessions,
)
from helseiarbeid.company_track.tables import ProgrammeSession, SessionFacilitator
from helseiarbeid.core import busy_time
from helseiarbeid.core.clock import utcnow
from helseiarbeid.core.database import for_update, write_transaction
from helseiarbeid.core.errors import Conflict, InvalidInput, NotFound
from helseiarbeid.core.roles import Role
from helseiarbeid.core.tables import User
from helseiarbeid.core.timefmt import format_datetime, to_oslo
from helseiarbeid.core.users import CurrentUser
from helseiarbeid.core.working_hours import check_bookable
from helseiarbeid.settings import get_settings

MEETING_MINUTES = 60
MODULE_MINUTES = 90


@dataclass(frozen=True)
class Proposed:
    kind: SessionKind
    starts_at: datetime
    ends_at: datetime


def _check_calendar(starts_at: datetime, minutes: int, area: dict[str, Any]) -> None:
    """The team's working-hours rule (``core.working_hours``), and the area open by then."""
    check_bookable(starts_at, timedelta(minutes=minutes))
    closed = _not_open_message(area, to_oslo(starts_at).date())
    if closed:
        raise Conflict(closed)


def _check_order(proposed: Proposed, others: list[dict[str, Any]]) -> None:
    """Anchoring first; modules 1, 2, 3 in order, each first sitting at least the gap after
    the previous module's first sitting ended; evaluation after the last sitting of module 3.
    ``others`` are the programme's other live sessions (requested or confirmed)."""
    gap = timedelta(days=get_settings().module_gap_days)
    by_kind: dict[SessionKind, list[dict[str, Any]]] = {}
    for session in others:
        by_kind.setdefault(SessionKind(session["kind"]), []).append(session)
    sequence = [SessionKind.ANCHORING, *MODULES, SessionKind.EVALUATION]
    kind = proposed.kind
    position = sequence.index(kind)

    def first(of: SessionKind) -> dict[str, Any] | None:
        return min(by_kind.get(of, []), key=lambda s: s["starts_at"], default=None)

    def gap_between(earlier: SessionKind, later: SessionKind) -> timedelta:
        return gap if earlier.is_module and later.is_module else timedelta(0)

    if kind in (SessionKind.ANCHORING, SessionKind.EVALUATION) and by_kind.get(kind):
        raise Conflict(f"Programmet har allerede et {kind.label.lower()}.")
    if position > 0:
        previous_kind = sequence[position - 1]
        previous = first(previous_kind)
        if previous is None:
            raise Conflict(f"{previous_kind.label} må settes opp før {kind.label.lower()}.")
        if kind is SessionKind.EVALUATION:
            earliest = max(_ends(s) for s in by_kind[SessionKind.MODULE_3])
            rule = "etter siste samling i modul 3"
        else:
            earliest = _ends(previous) + gap_between(previous_kind, kind)
            rule = (
                f"minst {gap.days} dager etter første samling i {previous_kind.label}"
                if kind.is_module and previous_kind.is_module
                else f"etter {previous_kind.label.lower()}"
            )
        if proposed.starts_at < earliest:
            raise Conflict(f"{kind.label} må ligge {rule}, tidligst {format_datetime(earliest)}.")
    if position < len(sequence) - 1:
        next_kind = sequence[position + 1]
        following = first(next_kind)
        if following is None:
            return
        if kind is SessionKind.MODULE_3:
            # Every sitting of module 3 must be over before the evaluation.
            latest_end = following["starts_at"]
        else:
            current_first = first(kind)
            if current_first is not None and current_first["starts_at"] <= proposed.starts_at:
                return  # not the first sitting: the next module keeps its distance already
            latest_end = following["starts_at"] - gap_between(kind, next_kind)
        if proposed.ends_at > latest_end:
            raise Conflict(
                f"{kind.label} må ligge før {next_kind.label.lower()} "
                f"({format_datetime(following['starts_at'])})"
                + (
                    f", med minst {gap.days} dager imellom."
                    if kind.is_module and next_kind.is_module
                    else "."
                )
            )


async def _check_facilitators(facilitator_ids: list[int]) -> None:
    rows = await User.select(User.id, User.role).where(
        User.id.is_in(facilitator_ids or [0]) & (User.is_active == True)  # noqa: E712
    )
    roles = {Role(row["role"]) for row in rows}
    if len(rows) != len(set(facilitator_ids)) or not roles <= HEALTH_FACILITATORS | {
        Role.NAV_COUNSELLOR
    }:
        raise InvalidInput(
            {"facilitator_ids": "Veiledere må være psykolog, lege eller NAV-veileder i teamet."}
        )
    if not roles & HEALTH_FACILITATORS or Role.NAV_COUNSELLOR not in roles:
        raise InvalidInput(
            {
                "facilitator_ids": "Hver samling trenger minst én fra helsetjenesten "
                "(psykolog eller lege) og én NAV-veileder."
            }
        )


def _default_minutes(kind: SessionKind) -> int:
    return MODULE_MINUTES if kind.is_module else MEETING_MINUTES


async def _live_sessions(
    programme_id: int, *, except_id: int | None = None
) -> list[dict[str, Any]]:
    return [
        session
        for session in await _sessions(programme_id)
        if session["state"] in ACTIVE_STATES and session["id"] != except_id
    ]


def _open_programme(row: dict[str, Any]) -> None:
    if row["status"] in (ProgrammeStatus.CANCELLED.value, ProgrammeStatus.COMPLETED.value):
        raise Conflict(f"Programmet er {ProgrammeStatus(row['status']).label.lower()}.")


async def _reserve(
    session_id: int, facilitator_ids: list[int], starts: datetime, ends: datetime
) -> None:
    await busy_time.reserve(
        facilitator_ids,
        starts,
        ends,
        kind=COMPANY_SESSION,
        source_id=session_id,
        buffer_minutes=get_settings().travel_buffer_minutes,
    )


async def add_session(user: CurrentUser, programme_id: int, data: SessionCreate) -> int:
    """Schedule one session (see ``add_sessions``); its id."""
    return (await add_sessions(user, programme_id, [data]))[0]


async def add_sessions(
    user: CurrentUser, programme_id: int, sittings: list[SessionCreate]
) -> list[int]:
    """Schedule one or more sessions at once, all or none: e.g. several sittings of one
    module so every shift can attend. An enterprise contact's are requests (no facilitators);
    the coordinator's are confirmed at once and need facilitators.

    Each sitting keeps the working-hours rule (422 on ``starts_at``) and the programme's order
    (409); the coordinator's facilitators must be free (409). Returns the new sessions' ids in
    the order given.
    """
    if not sittings:
        raise InvalidInput({"starts_at": "Velg minst ett tidspunkt."})
    row = await _programme_row(user, programme_id)
    _open_programme(row)
    is_contact = user.role is Role.ENTERPRISE_CONTACT
    area = await _area_of_enterprise(row["enterprise"])
    planned: list[tuple[SessionCreate, int, str, list[int]]] = []
    for data in sittings:
        if is_contact and data.facilitator_ids:
            raise InvalidInput({"facilitator_ids": "Koordinatoren velger veiledere."})
        if not is_contact:
            await _check_facilitators(data.facilitator_ids or [])
        minutes = data.duration_minutes or _default_minutes(data.kind)
        if data.kind.is_module and minutes != MODULE_MINUTES:
            raise InvalidInput({"duration_minutes": f"En modul varer {MODULE_MINUTES} minutter."})
        _check_calendar(data.starts_at, minutes, area)
        location = (data.location or "").strip() or row["enterprise.address"]
        if len(location) > 300:
            raise InvalidInput({"location": "Stedet kan ha høyst 300 tegn."})
        facilitators = list(dict.fromkeys(data.facilitator_ids or []))
        planned.append((data, minutes, location, facilitators))
    session_ids = []
    async with write_transaction():
        for data, minutes, location, facilitators in planned:
            ends_at = data.starts_at + timedelta(minutes=minutes)
            # Re-read each time: the sittings added just before count too.
            _check_order(
                Proposed(data.kind, data.starts_at, ends_at), await _live_sessions(programme_id)
            )
            now = utcnow()
            state = SessionState.REQUESTED if is_contact else SessionState.CONFIRMED
            rows = await ProgrammeSession.insert(
                ProgrammeSession(
                    programme=programme_id,
                    kind=data.kind.value,
                    state=state.value,
                    starts_at=data.starts_at,
                    duration_minutes=minutes,
                    location=location,
                    created_at=now,
                    updated_at=now,
                )
            )
            session_id = int(rows[0]["id"])
            if not is_contact:
                await _reserve(session_id, facilitators, data.starts_at, ends_at)
                await SessionFacilitator.insert(
                    *[SessionFacilitator(session=session_id, facilitator=f) for f in facilitators]
                )
            session_ids.append(session_id)
        await _refresh_status(programme_id)
        for session_id in session_ids:
            await _notify(await _notice(session_id, "requested" if is_contact else "confirmed"))
    return session_ids


async def session_row(user: CurrentUser, session_id: int) -> dict[str, Any]:
    session = await ProgrammeSession.select().where(ProgrammeSession.id == session_id).first()
    if session is None:
        raise NotFound("Samlingen finnes ikke.")
    try:
        await _programme_row(user, session["programme"])
    except NotFound:
        raise NotFound("Samlingen finnes ikke.") from None
    return session


async def _locked_session(session_id: int) -> dict[str, Any]:
    """The session, re-read inside the write transaction with its row locked."""
    query = ProgrammeSession.select().where(ProgrammeSession.id == session_id)
    session: dict[str, Any] | None = await for_update(query).first()
    if session is None:
        raise NotFound("Samlingen finnes ikke.")
    return session


async def confirm_session(user: CurrentUser, session_id: int, facilitator_ids: list[int]) -> None:
    """The coordinator confirms an enterprise's request and assigns facilitators."""
    seen = await session_row(user, session_id)
    await _check_facilitators(facilitator_ids)
    facilitators = list(dict.fromkeys(facilitator_ids))
    row = await _programme_row(user, seen["programme"])
    area = await _area_of_enterprise(row["enterprise"])
    async with write_transaction():
        session = await _locked_session(session_id)
        if session["state"] != SessionState.REQUESTED.value:
            raise Conflict("Bare ønskede samlinger kan bekreftes.")
        _check_calendar(session["starts_at"], session["duration_minutes"], area)
        await _reserve(session_id, facilitators, session["starts_at"], _ends(session))
        await SessionFacilitator.insert(
            *[SessionFacilitator(session=session_id, facilitator=f) for f in facilitators]
        )
        await ProgrammeSession.update(
            {
                ProgrammeSession.state: SessionState.CONFIRMED.value,
                ProgrammeSession.sequence: ProgrammeSession.sequence + 1,
                ProgrammeSession.updated_at: utcnow(),
            }
        ).where(ProgrammeSession.id == session_id)
        await _refresh_status(session["programme"])
        await _notify(await _notice(session_id, "confirmed"))


async def reschedule_session(user: CurrentUser, session_id: int, starts_at: datetime) -> None:
    seen = await session_row(user, session_id)
    row = await _programme_row(user, seen["programme"])
    _open_programme(row)
    area = await _area_of_enterprise(row["enterprise"])
    _check_calendar(starts_at, seen["duration_minutes"], area)
    duration = timedelta(minutes=seen["duration_minutes"])
    async with write_transaction():
        session = await _locked_session(session_id)
        if session["state"] not in ACTIVE_STATES:
            raise Conflict("En avlyst samling kan ikke flyttes.")
        confirmed = session["state"] == SessionState.CONFIRMED.value
        if user.role is Role.ENTERPRISE_CONTACT and confirmed:
            raise Conflict("Kontakt koordinatoren for å flytte en bekreftet samling.")
        ends_at = starts_at + duration
        others = await _live_sessions(session["programme"], except_id=session_id)
        _check_order(Proposed(SessionKind(session["kind"]), starts_at, ends_at), others)
        if confirmed:
            facilitators = await SessionFacilitator.select(SessionFacilitator.facilitator).where(
                SessionFacilitator.session == session_id
            )
            await _reserve(session_id, [f["facilitator"] for f in facilitators], starts_at, ends_at)
        await ProgrammeSession.update(
            {
                ProgrammeSession.starts_at: starts_at,
                ProgrammeSession.sequence: ProgrammeSession.sequence + 1,
                ProgrammeSession.updated_at: utcnow(),
            }
        ).where(ProgrammeSession.id == session_id)
        await _notify(await _notice(session_id, "rescheduled"))


async def cancel_session(user: CurrentUser, session_id: int, reason: str) -> None:
    if not reason.strip():
        raise InvalidInput({"reason": "Skriv hvorfor samlingen avlyses."})
    await session_row(user, session_id)
    async with write_transaction():
        session = await _locked_session(session_id)
        if session["state"] not in ACTIVE_STATES:
            raise Conflict("Samlingen er allerede avlyst.")
        others = await _live_sessions(session["programme"], except_id=session_id)
        same_kind_left = any(s["kind"] == session["kind"] for s in others)
        later = [
            s
            for s in others
            if s["starts_at"] > session["starts_at"] and s["kind"] != session["kind"]
        ]
        if later and not same_kind_left and session["kind"] != SessionKind.EVALUATION.value:
            raise Conflict(
                f"Avlys eller flytt de senere samlingene først: "
                f"{SessionKind(later[0]['kind']).label} bygger på denne."
            )
        notice = await _cancel_session_row(session, reason)
        await _refresh_status(session["programme"])
        await _notify(notice)
