"""Offered slots: the times in the coming weeks when a health facilitator and a NAV counsellor are
both free and a session of the asked kind may be booked under the session rules, as a list and
as the booking page's week view.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from helseiarbeid.company_track.schemas import SessionKind, Slot, SlotList
from helseiarbeid.company_track.services._common import HEALTH_FACILITATORS
from helseiarbeid.company_track.services.programmes import _area_of_enterprise, _programme_row
from helseiarbeid.company_track.services.session_rules import (
    Proposed,
    _check_calendar,
    _check_order,
    _default_minutes,
    _live_sessions,
)
from helseiarbeid.core.clock import OSLO, today_in_oslo
from helseiarbeid.core.errors import Conflict, InvalidInput
from helseiarbeid.core.roles import Role
from helseiarbeid.core.tables import BusyPeriod, User
from helseiarbeid.core.timefmt import to_oslo
from helseiarbeid.core.users import CurrentUser
from helseiarbeid.settings import get_settings

# Where slots are offered in a working day (Oslo time), if the session fits before closing.
SLOT_STARTS = (time(8, 30), time(10, 30), time(12, 30), time(14, 0))
SLOT_WEEKS = 8
# The booking page's week view reaches about six months ahead.
BOOKING_WEEKS = 26


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
