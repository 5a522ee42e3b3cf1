"""Company-track rules: enterprises, their programme, sessions and records.

Every rule a booking breaks is refused with a message naming the rule. Facilitators are booked
through the shared busy-time ledger, with travel time around each on-site session. This track
holds no individual health data.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from piccolo.query.methods.select import Select

from helseiarbeid.company_track.schemas import (
    MODULES,
    AnchoringRecord,
    AttendanceRecord,
    EnterpriseCreate,
    EnterpriseOut,
    EvaluationRecord,
    GoalCreate,
    GoalOut,
    ProgrammeOut,
    ProgrammeStatus,
    SessionCreate,
    SessionKind,
    SessionOut,
    SessionState,
    Slot,
    SlotList,
)
from helseiarbeid.company_track.tables import (
    Enterprise,
    EnterpriseContact,
    Programme,
    ProgrammeSession,
    ResultGoal,
    ServiceArea,
    SessionFacilitator,
)
from helseiarbeid.core import busy_time, outbox
from helseiarbeid.core.clock import OSLO, today_in_oslo, utcnow
from helseiarbeid.core.database import for_update, is_unique_violation, write_transaction
from helseiarbeid.core.errors import Conflict, InvalidInput, NotFound
from helseiarbeid.core.ical import CANCELLED_KEPT, FEED_PAST, CalendarItem
from helseiarbeid.core.identifiers import IdentifierError, validate_org_number
from helseiarbeid.core.pdf import render_pdf
from helseiarbeid.core.roles import Role
from helseiarbeid.core.tables import BusyPeriod, User
from helseiarbeid.core.timefmt import format_date, format_datetime, to_oslo
from helseiarbeid.core.users import CurrentUser
from helseiarbeid.core.working_hours import check_bookable
from helseiarbeid.settings import get_settings

COMPANY_SESSION = "company_session"
HEALTH_FACILITATORS = frozenset({Role.PSYCHOLOGIST, Role.PHYSICIAN})
MEETING_MINUTES = 60
MODULE_MINUTES = 90
ACTIVE_STATES = (SessionState.REQUESTED.value, SessionState.CONFIRMED.value)
# Where slots are offered in a working day (Oslo time), if the session fits before closing.
SLOT_STARTS = (time(8, 30), time(10, 30), time(12, 30), time(14, 0))
SLOT_WEEKS = 8
# The booking page's week view reaches about six months ahead.
BOOKING_WEEKS = 26


# ---------------------------------------------------------------------------------------------
# Service areas and enterprises


async def create_service_area(
    name: str,
    county: str,
    *,
    company_track_from: date | None,
    individual_track_from: date | None,
) -> int:
    async with write_transaction():
        if await ServiceArea.exists().where(ServiceArea.name == name):
            raise InvalidInput({"name": f"Tjenesteområdet {name} finnes allerede."})
        rows = await ServiceArea.insert(
            ServiceArea(
                name=name,
                county=county,
                company_track_from=company_track_from,
                individual_track_from=individual_track_from,
            )
        )
    return int(rows[0]["id"])


async def list_service_areas() -> list[dict[str, Any]]:
    return list(await ServiceArea.select().order_by(ServiceArea.county).order_by(ServiceArea.name))


async def create_enterprise(data: EnterpriseCreate) -> int:
    problems: dict[str, str] = {}
    try:
        org_number = validate_org_number(data.org_number)
    except IdentifierError as exc:
        problems["org_number"] = str(exc)
    if data.employee_count < 1:
        problems["employee_count"] = "Antall ansatte må være minst 1."
    for field in ("name", "address", "municipality"):
        if not getattr(data, field).strip():
            problems[field] = "Må fylles ut."
    if problems:
        raise InvalidInput(problems)
    try:
        async with write_transaction():
            if not await ServiceArea.exists().where(ServiceArea.id == data.service_area_id):
                raise InvalidInput({"service_area_id": "Tjenesteområdet finnes ikke."})
            if await Enterprise.exists().where(Enterprise.org_number == org_number):
                message = f"En virksomhet med organisasjonsnummer {org_number} finnes allerede."
                raise Conflict(message)
            rows = await Enterprise.insert(
                Enterprise(
                    org_number=org_number,
                    name=data.name.strip(),
                    address=data.address.strip(),
                    municipality=data.municipality.strip(),
                    service_area=data.service_area_id,
                    employee_count=data.employee_count,
                    industry=data.industry.strip(),
                    union_representative=data.union_representative.strip(),
                    safety_delegate=data.safety_delegate.strip(),
                    company_health_service_takes_part=data.company_health_service_takes_part,
                    created_at=utcnow(),
                )
            )
    except Exception as error:
        if is_unique_violation(error):
            message = f"En virksomhet med organisasjonsnummer {org_number} finnes allerede."
            raise Conflict(message) from error
        raise
    return int(rows[0]["id"])


async def add_contact(enterprise_id: int, user_id: int) -> None:
    """Make an `enterprise_contact` user the contact of one enterprise."""
    async with write_transaction():
        role = await User.select(User.role).where(User.id == user_id).first()
        if role is None:
            raise NotFound(f"no user with id {user_id}")
        if role["role"] != Role.ENTERPRISE_CONTACT.value:
            message = "Bare brukere med rollen kontaktperson kan knyttes til en virksomhet."
            raise InvalidInput({"user": message})
        if not await Enterprise.exists().where(Enterprise.id == enterprise_id):
            raise NotFound(f"no enterprise with id {enterprise_id}")
        await EnterpriseContact.insert(EnterpriseContact(user=user_id, enterprise=enterprise_id))


async def enterprise_of(user: CurrentUser) -> int | None:
    row = (
        await EnterpriseContact.select(EnterpriseContact.enterprise)
        .where(EnterpriseContact.user == user.id)
        .first()
    )
    return int(row["enterprise"]) if row else None


async def _check_enterprise_access(user: CurrentUser, enterprise_id: int) -> None:
    """An enterprise contact sees only its own enterprise; another's is as if it did not exist."""
    if user.role is Role.ENTERPRISE_CONTACT and await enterprise_of(user) != enterprise_id:
        raise NotFound("Virksomheten finnes ikke.")


async def get_enterprise(user: CurrentUser, enterprise_id: int) -> EnterpriseOut:
    await _check_enterprise_access(user, enterprise_id)
    row = await (
        Enterprise.select(
            *Enterprise.all_columns(), Enterprise.service_area.name, Enterprise.service_area.county
        )
        .where(Enterprise.id == enterprise_id)
        .first()
    )
    if row is None:
        raise NotFound("Virksomheten finnes ikke.")
    contacts = await EnterpriseContact.select(EnterpriseContact.user.name).where(
        EnterpriseContact.enterprise == enterprise_id
    )
    programmes = await Programme.select(Programme.id).where(Programme.enterprise == enterprise_id)
    return EnterpriseOut(
        id=row["id"],
        org_number=row["org_number"],
        name=row["name"],
        address=row["address"],
        municipality=row["municipality"],
        service_area=row["service_area.name"],
        county=row["service_area.county"],
        employee_count=row["employee_count"],
        industry=row["industry"],
        union_representative=row["union_representative"],
        safety_delegate=row["safety_delegate"],
        company_health_service_takes_part=row["company_health_service_takes_part"],
        contacts=[contact["user.name"] for contact in contacts],
        programme_ids=[programme["id"] for programme in programmes],
    )


async def list_enterprises(area_id: int | None = None) -> list[dict[str, Any]]:
    query = Enterprise.select(
        Enterprise.id,
        Enterprise.name,
        Enterprise.org_number,
        Enterprise.municipality,
        Enterprise.employee_count,
        Enterprise.service_area.name,
    ).order_by(Enterprise.name)
    if area_id is not None:
        query = query.where(Enterprise.service_area == area_id)
    return list(await query)


# ---------------------------------------------------------------------------------------------
# Programmes


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
    met = None
    if measured is not None:
        lower_is_better = goal["target"] < goal["baseline"]
        met = measured <= goal["target"] if lower_is_better else measured >= goal["target"]
    return GoalOut(
        id=goal["id"],
        description=goal["description"],
        indicator=goal["indicator"],
        baseline=goal["baseline"],
        target=goal["target"],
        unit=goal["unit"],
        measured=measured,
        met=met,
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


# ---------------------------------------------------------------------------------------------
# Session rules


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
        if not _held(await _sessions(programme_id), SessionKind.EVALUATION):
            raise Conflict("Evalueringsmøtet må være holdt før evalueringen kan føres.")
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


# ---------------------------------------------------------------------------------------------
# Offered slots: when a health facilitator and a NAV counsellor are both free


def _first_bookable_day(area: dict[str, Any]) -> date | None:
    """Tomorrow, or the day the company track opens in the area; None if it never opens."""
    opens: date | None = area["company_track_from"]
    if opens is None:
        return None
    return max(today_in_oslo() + timedelta(days=1), opens)


async def slots(user: CurrentUser, programme_id: int, kind: SessionKind) -> SlotList:
    """Times the enterprise may ask for over the next ``SLOT_WEEKS`` weeks: rules kept, and at
    least one health facilitator and one NAV counsellor free with travel time on both sides."""
    row = await _programme_row(user, programme_id)
    area = await _area_of_enterprise(row["enterprise"])
    start_day = _first_bookable_day(area)
    if start_day is None:
        return SlotList(kind=kind, slots=[], opens=None)
    offered = await _offered(
        programme_id, area, kind, start_day, start_day + timedelta(weeks=SLOT_WEEKS)
    )
    return SlotList(kind=kind, slots=offered, opens=area["company_track_from"])


@dataclass(frozen=True)
class SlotWeek:
    """One working week of offered times, for the booking page's week view.

    ``days`` are Monday to Friday with their slots; ``previous`` and ``next`` are the Mondays
    to navigate to (None at the ends of the bookable range: from the first bookable day to
    ``BOOKING_WEEKS`` weeks ahead)."""

    kind: SessionKind
    monday: date
    days: list[tuple[date, list[Slot]]]
    previous: date | None
    next: date | None

    @property
    def number(self) -> int:
        return self.monday.isocalendar().week

    @property
    def friday(self) -> date:
        return self.monday + timedelta(days=4)


async def slot_week(
    user: CurrentUser, programme_id: int, kind: SessionKind, week: date | None
) -> SlotWeek | None:
    """The offered times in the week holding ``week``; without one (or out of range), the
    first week with an offered time, else the first bookable week. None when the company
    track does not open in the enterprise's area."""
    row = await _programme_row(user, programme_id)
    area = await _area_of_enterprise(row["enterprise"])
    first_day = _first_bookable_day(area)
    if first_day is None:
        return None
    first = first_day - timedelta(days=first_day.weekday())
    last = first + timedelta(weeks=BOOKING_WEEKS - 1)
    if week is not None and first <= week - timedelta(days=week.weekday()) <= last:
        monday = week - timedelta(days=week.weekday())
        offered = await _offered(
            programme_id, area, kind, max(monday, first_day), monday + timedelta(days=7)
        )
    else:
        # The rules (a module a week after the previous one ...) may leave the first weeks
        # empty: open where the first offered time is.
        offered = await _offered(programme_id, area, kind, first_day, last + timedelta(days=7))
        start = to_oslo(offered[0].starts_at).date() if offered else first
        monday = start - timedelta(days=start.weekday())
        offered = [s for s in offered if to_oslo(s.starts_at).date() < monday + timedelta(days=7)]
    by_day: dict[date, list[Slot]] = {}
    for slot in offered:
        by_day.setdefault(to_oslo(slot.starts_at).date(), []).append(slot)
    days = [monday + timedelta(days=n) for n in range(5)]
    return SlotWeek(
        kind=kind,
        monday=monday,
        days=[(day, by_day.get(day, [])) for day in days],
        previous=monday - timedelta(weeks=1) if monday > first else None,
        next=monday + timedelta(weeks=1) if monday < last else None,
    )


async def _offered(
    programme_id: int, area: dict[str, Any], kind: SessionKind, start_day: date, end_day: date
) -> list[Slot]:
    """The slots in [start_day, end_day) that keep every rule and have a health facilitator
    and a NAV counsellor free (two queries: the team and their busy time in the window)."""
    minutes = _default_minutes(kind)
    others = await _live_sessions(programme_id)
    buffer = timedelta(minutes=get_settings().travel_buffer_minutes)
    window_start = datetime.combine(start_day, time(0), tzinfo=OSLO)
    window_end = datetime.combine(end_day, time(0), tzinfo=OSLO)
    team = await User.select(User.id, User.role).where(
        User.role.is_in([r.value for r in (*HEALTH_FACILITATORS, Role.NAV_COUNSELLOR)])
        & (User.is_active == True)  # noqa: E712
    )
    busy = await BusyPeriod.select(
        BusyPeriod.staff, BusyPeriod.starts_at, BusyPeriod.ends_at, BusyPeriod.buffer_minutes
    ).where(
        (BusyPeriod.ends_at > window_start - buffer) & (BusyPeriod.starts_at < window_end + buffer)
    )
    busy_by_staff: dict[int, list[tuple[datetime, datetime, timedelta]]] = {}
    for period in busy:
        busy_by_staff.setdefault(period["staff"], []).append(
            (period["starts_at"], period["ends_at"], timedelta(minutes=period["buffer_minutes"]))
        )

    def free(staff_id: int, starts: datetime, ends: datetime) -> bool:
        return all(
            not (b_start < ends + max(buffer, b_buf) and starts < b_end + max(buffer, b_buf))
            for b_start, b_end, b_buf in busy_by_staff.get(staff_id, [])
        )

    offered = []
    day = start_day
    while day < end_day:
        for slot_start in SLOT_STARTS:
            starts = datetime.combine(day, slot_start, tzinfo=OSLO)
            ends = starts + timedelta(minutes=minutes)
            try:
                _check_calendar(starts, minutes, area)
                _check_order(Proposed(kind, starts, ends), others)
            except (InvalidInput, Conflict):
                continue
            free_roles = {Role(m["role"]) for m in team if free(m["id"], starts, ends)}
            if free_roles & HEALTH_FACILITATORS and Role.NAV_COUNSELLOR in free_roles:
                offered.append(Slot(starts_at=starts, ends_at=ends))
        day += timedelta(days=1)
    return offered


# ---------------------------------------------------------------------------------------------
# Notifications


@dataclass(frozen=True)
class Notice:
    session_id: int
    what: str
    title: str
    enterprise: str
    starts_at: datetime
    location: str
    reason: str
    recipients: tuple[str, ...]


async def _notice(session_id: int, what: str) -> Notice:
    session = await (
        ProgrammeSession.select(
            *ProgrammeSession.all_columns(),
            ProgrammeSession.programme._.enterprise._.id,
            ProgrammeSession.programme._.enterprise._.name,
        )
        .where(ProgrammeSession.id == session_id)
        .first()
    )
    if session is None:
        raise NotFound("Samlingen finnes ikke.")
    contacts = await EnterpriseContact.select(EnterpriseContact.user.email).where(
        EnterpriseContact.enterprise == session["programme.enterprise.id"]
    )
    facilitators = await SessionFacilitator.select(SessionFacilitator.facilitator.email).where(
        SessionFacilitator.session == session_id
    )
    coordinators = await User.select(User.email).where(
        (User.role == Role.COORDINATOR.value) & (User.is_active == True)  # noqa: E712
    )
    recipients = [c["user.email"] for c in contacts] + [
        f["facilitator.email"] for f in facilitators
    ]
    if what == "requested":
        recipients = [c["email"] for c in coordinators]
    return Notice(
        session_id=session_id,
        what=what,
        title=SessionKind(session["kind"]).label,
        enterprise=session["programme.enterprise.name"],
        starts_at=session["starts_at"],
        location=session["location"],
        reason=session["cancel_reason"],
        recipients=tuple(dict.fromkeys(recipients)),
    )


SUBJECTS = {
    "requested": "Ønske om samling",
    "confirmed": "Bekreftet",
    "rescheduled": "Flyttet",
    "cancelled": "Avlyst",
}


async def _notify(notice: Notice) -> None:
    """Queue the mail about a change of a session; call inside the change's transaction."""
    body = (
        f"{notice.title} for {notice.enterprise}\n"
        f"Tid: {format_datetime(notice.starts_at)}\n"
        f"Sted: {notice.location}\n"
    )
    if notice.what == "cancelled":
        body += f"Samlingen er avlyst. Begrunnelse: {notice.reason}\n"
    body += "\nSe programmet i HelseIArbeid.\n"
    await outbox.enqueue(
        "mail",
        notice.recipients,
        f"HelseIArbeid: {SUBJECTS[notice.what]} – {notice.title}, {notice.enterprise}",
        body,
    )


# ---------------------------------------------------------------------------------------------
# The coordinator's planning view


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
    area_id: int | None, start: date, weeks: int = 12
) -> tuple[list[TimelineRow], list[Load]]:
    """All live programmes (in one area, or all) on a timeline, and each facilitator's load."""
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
    busy = await BusyPeriod.select(
        BusyPeriod.staff.name,
        BusyPeriod.staff.role,
        BusyPeriod.kind,
        BusyPeriod.starts_at,
        BusyPeriod.ends_at,
    ).where((BusyPeriod.starts_at >= window_start) & (BusyPeriod.starts_at < window_end))
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


# ---------------------------------------------------------------------------------------------
# Documents


async def programme_document(user: CurrentUser, programme_id: int, kind: str) -> bytes:
    """The programme plan (once the anchoring meeting is confirmed) or the evaluation report
    (after evaluation), rendered from what is booked and recorded now."""
    row = await _programme_row(user, programme_id)
    if kind == "plan" and not any(
        s["kind"] == SessionKind.ANCHORING.value and s["state"] == SessionState.CONFIRMED.value
        for s in await _sessions(programme_id)
    ):
        raise NotFound("Programplanen lages når forankringsmøtet er bekreftet.")
    if kind == "evaluation" and row["evaluated_at"] is None:
        raise NotFound("Evalueringsrapporten lages når evalueringen er ført.")
    programme = await get_programme(user, programme_id)
    enterprise = await get_enterprise(user, row["enterprise"])
    return await render_pdf(
        f"company_track/{kind}_pdf.html",
        {
            "programme": programme,
            "enterprise": enterprise,
            "sessions": [s for s in programme.sessions if s.state is not SessionState.CANCELLED],
            "today": today_in_oslo(),
        },
    )


# ---------------------------------------------------------------------------------------------
# Calendar

WHO_ATTENDS = {
    SessionKind.ANCHORING: "Ledelsen, tillitsvalgte og verneombud.",
    SessionKind.MODULE_1: "Alle ansatte.",
    SessionKind.MODULE_2: "Alle ansatte.",
    SessionKind.MODULE_3: "Alle ansatte.",
    SessionKind.EVALUATION: "Ledelsen, tillitsvalgte og verneombud.",
}
WHAT_IT_IS = {
    SessionKind.ANCHORING: "Forankringsmøte i HelseIArbeid: vi avtaler leveranser og konkrete "
    "resultatmål for virksomheten.",
    SessionKind.MODULE_1: "Modul 1 (1,5 timer): kunnskap om muskel- og skjelettplager, avsluttet "
    "med en IA-prosess og oppgaver til neste modul.",
    SessionKind.MODULE_2: "Modul 2 (1,5 timer): psykisk helse på jobb, avsluttet med en IA-prosess "
    "og oppgaver til neste modul.",
    SessionKind.MODULE_3: "Modul 3 (1,5 timer): smertemestring og arbeidsmiljø, avsluttet med en "
    "IA-prosess.",
    SessionKind.EVALUATION: "Evalueringsmøte i HelseIArbeid: vi ser på resultatmålene og "
    "planlegger videre arbeid.",
}
ICAL_STATUS = {"requested": "TENTATIVE", "confirmed": "CONFIRMED", "cancelled": "CANCELLED"}


def _calendar_condition(
    enterprise_id: int | None, facilitator_id: int | None, session_id: int | None
) -> Any:
    """Which sessions a calendar holds. Cancelled sessions stay for 30 days so that
    subscribed calendars remove them."""
    now = utcnow()
    condition: Any = (ProgrammeSession.starts_at >= now - FEED_PAST) & (
        ProgrammeSession.cancelled_at.is_null()
        | (ProgrammeSession.cancelled_at >= now - CANCELLED_KEPT)
    )
    if session_id is not None:
        condition = ProgrammeSession.id == session_id
    if enterprise_id is not None:
        condition &= ProgrammeSession.programme._.enterprise == enterprise_id
    if facilitator_id is not None:
        facilitated = SessionFacilitator.select(SessionFacilitator.session).where(
            SessionFacilitator.facilitator == facilitator_id
        )
        condition &= ProgrammeSession.id.is_in(facilitated)
    return condition


async def calendar_changed_since(
    since: datetime, *, enterprise_id: int | None = None, facilitator_id: int | None = None
) -> bool:
    """Whether a session of ``calendar_items`` with this filter has changed (or been added, or
    given this facilitator) since then: every such write moves ``updated_at``."""
    condition = _calendar_condition(enterprise_id, facilitator_id, None)
    changed: bool = await ProgrammeSession.exists().where(
        condition & (ProgrammeSession.updated_at > since)
    )
    return changed


async def calendar_items(
    *,
    enterprise_id: int | None = None,
    facilitator_id: int | None = None,
    session_id: int | None = None,
    base_url: str,
) -> list[CalendarItem]:
    """Sessions for a calendar: an enterprise's, a facilitator's, or (no filter) all of them."""
    condition = _calendar_condition(enterprise_id, facilitator_id, session_id)
    rows = await ProgrammeSession.select(
        *ProgrammeSession.all_columns(), ProgrammeSession.programme._.enterprise._.name
    ).where(condition)
    names = await _facilitator_names(ProgrammeSession.select(ProgrammeSession.id).where(condition))
    items = []
    for row in rows:
        kind = SessionKind(row["kind"])
        facilitators = ", ".join(sorted(names.get(row["id"], []))) or "ikke satt ennå"
        description = (
            f"{WHAT_IT_IS[kind]}\nHvem deltar: {WHO_ATTENDS[kind]}\n"
            f"Veiledere fra helsetjenesten og NAV: {facilitators}\n"
            f"Programmet i HelseIArbeid: {base_url}/program/{row['programme']}"
        )
        if row["cancel_reason"]:
            description = f"Avlyst: {row['cancel_reason']}\n" + description
        items.append(
            CalendarItem(
                uid=f"programme-session-{row['id']}@helseiarbeid",
                summary=f"HelseIArbeid: {kind.label} – {row['programme.enterprise.name']}",
                starts_at=row["starts_at"],
                ends_at=_ends(row),
                location=row["location"],
                description=description,
                status=ICAL_STATUS[row["state"]],
                sequence=row["sequence"],
                changed_at=row["updated_at"],
                url=f"{base_url}/program/{row['programme']}#samling-{row['id']}",
            )
        )
    return items


async def session_for_calendar(user: CurrentUser, session_id: int, base_url: str) -> CalendarItem:
    """One session, if the user may see it (an enterprise contact only its own)."""
    await session_row(user, session_id)
    items = await calendar_items(session_id=session_id, base_url=base_url)
    if not items:
        raise NotFound("Samlingen finnes ikke.")
    return items[0]
