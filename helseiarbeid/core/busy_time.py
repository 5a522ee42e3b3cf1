"""The busy-time ledger: clinic consultations and company sessions book staff through here.

``reserve`` is the one place that decides whether someone is free, and it holds the lock while
it decides. It must run inside the caller's ``write_transaction()``:
- PostgreSQL: the staff members' user rows are locked (FOR UPDATE, in id order, so two
  bookings never deadlock) until the transaction ends, so two requests for the same person
  are decided one after the other;
- SQLite: the IMMEDIATE transaction already holds the database's single write lock.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from helseiarbeid.core.database import is_sqlite
from helseiarbeid.core.errors import Conflict, InvalidInput
from helseiarbeid.core.tables import BusyPeriod, User
from helseiarbeid.core.timefmt import format_datetime

# No booking asks for more travel time than this; it bounds the search for neighbours.
MAX_BUFFER = timedelta(hours=4)


@dataclass(frozen=True)
class Booking:
    staff_id: int
    staff_name: str
    starts_at: datetime
    ends_at: datetime
    kind: str
    source_id: int


async def _lock_staff(staff_ids: list[int]) -> dict[int, str]:
    """Lock the staff rows (PostgreSQL) and return their names; unknown ids are refused."""
    ordered = sorted(set(staff_ids))
    placeholders = ", ".join("{}" for _ in ordered)
    lock = "" if is_sqlite() else " FOR UPDATE"
    rows = await User.raw(
        f"SELECT id, name FROM app_user WHERE id IN ({placeholders}) AND is_active "  # noqa: S608
        f"ORDER BY id{lock}",
        *ordered,
    )
    names = {int(row["id"]): str(row["name"]) for row in rows}
    missing = [staff_id for staff_id in ordered if staff_id not in names]
    if missing:
        raise InvalidInput({"staff_ids": f"Ukjente eller inaktive ansatte: {missing}"})
    return names


async def clashes(
    staff_ids: list[int],
    starts_at: datetime,
    ends_at: datetime,
    *,
    buffer_minutes: int = 0,
    ignore: tuple[str, int] | None = None,
) -> list[Booking]:
    """The bookings of these staff that come too close to [starts_at, ends_at)."""
    rows = await (
        BusyPeriod.select(*BusyPeriod.all_columns(), BusyPeriod.staff.name)
        .where(
            BusyPeriod.staff.is_in(list(staff_ids))
            & (BusyPeriod.starts_at < ends_at + MAX_BUFFER)
            & (BusyPeriod.ends_at > starts_at - MAX_BUFFER)
        )
        .order_by(BusyPeriod.starts_at)
    )
    found = []
    for row in rows:
        if ignore and (row["kind"], row["source_id"]) == ignore:
            continue
        gap = timedelta(minutes=max(buffer_minutes, row["buffer_minutes"]))
        if row["starts_at"] < ends_at + gap and starts_at < row["ends_at"] + gap:
            found.append(
                Booking(
                    staff_id=row["staff"],
                    staff_name=row["staff.name"],
                    starts_at=row["starts_at"],
                    ends_at=row["ends_at"],
                    kind=row["kind"],
                    source_id=row["source_id"],
                )
            )
    return found


async def reserve(
    staff_ids: list[int],
    starts_at: datetime,
    ends_at: datetime,
    *,
    kind: str,
    source_id: int,
    buffer_minutes: int = 0,
) -> None:
    """Book the staff for the period, or raise Conflict naming who is busy and when."""
    if ends_at <= starts_at:
        raise InvalidInput({"duration_minutes": "Varigheten må være positiv."})
    names = await _lock_staff(staff_ids)
    found = await clashes(
        staff_ids,
        starts_at,
        ends_at,
        buffer_minutes=buffer_minutes,
        ignore=(kind, source_id),
    )
    if found:
        first = found[0]
        raise Conflict(
            f"{first.staff_name} er allerede opptatt {format_datetime(first.starts_at)}–"
            f"{format_datetime(first.ends_at)[-5:]}"
            + (f" (med {buffer_minutes} min reisetid)" if buffer_minutes else "")
            + ". Velg et annet tidspunkt eller en annen person."
        )
    await release(kind, source_id)
    await BusyPeriod.insert(
        *[
            BusyPeriod(
                staff=staff_id,
                starts_at=starts_at,
                ends_at=ends_at,
                buffer_minutes=buffer_minutes,
                kind=kind,
                source_id=source_id,
            )
            for staff_id in sorted(names)
        ]
    )


async def release(kind: str, source_id: int) -> None:
    """Free the time held for a booking (cancelled or about to be moved)."""
    await BusyPeriod.delete().where((BusyPeriod.kind == kind) & (BusyPeriod.source_id == source_id))
