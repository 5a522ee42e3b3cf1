"""When the team can be booked: the one working-hours rule of both tracks.

A clinic consultation and a company session are held by the same people, so both are booked
by the same rule: in the future, on a Norwegian working day (no weekend, no public holiday,
``working_days.py``), and wholly within the opening hours of that day in Oslo time
(settings ``HELSEIARBEID_WORKING_DAY_START_HOUR`` and ``_END_HOUR``, default 08–16). Booking,
confirming and moving call ``check_bookable``; the company track's offered slots use it too,
so it never offers a time it would refuse.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta

from helseiarbeid.core.clock import utcnow, within_horizon
from helseiarbeid.core.errors import InvalidInput
from helseiarbeid.core.timefmt import format_date, to_oslo
from helseiarbeid.core.working_days import is_working_day
from helseiarbeid.settings import get_settings


def opening_hours() -> tuple[time, time]:
    """The working day's opening and closing time (Oslo wall clock), from the settings."""
    settings = get_settings()
    return time(settings.working_day_start_hour), time(settings.working_day_end_hour)


def within_working_hours(starts_at: datetime, ends_at: datetime) -> bool:
    """Whether [starts_at, ends_at) lies on one working day, inside the opening hours."""
    local_start, local_end = to_oslo(starts_at), to_oslo(ends_at)
    opening, closing = opening_hours()
    return (
        is_working_day(local_start.date())
        and local_end.date() == local_start.date()
        and opening <= local_start.time()
        and local_end.time() <= closing
    )


def check_bookable(starts_at: datetime, duration: timedelta) -> None:
    """Refuse a booking outside the working-hours rule.

    ``starts_at`` is a timezone-aware instant and ``duration`` the appointment's length: the
    whole appointment must fit (the end is computed only once the start is known to be sane).
    Raises ``InvalidInput`` (422) on the field ``starts_at`` with a Norwegian message saying
    which part of the rule is broken: no time zone, already passed, more than the booking
    horizon ahead, a weekend or public holiday, or outside the opening hours.
    """
    if starts_at.tzinfo is None:
        raise InvalidInput({"starts_at": "Oppgi tidspunktet med tidssone, f.eks. +01:00."})
    if starts_at <= utcnow():
        raise InvalidInput({"starts_at": "Tidspunktet har allerede vært; velg et senere."})
    if not within_horizon(starts_at):
        raise InvalidInput({"starts_at": "Avtaler kan settes opp høyst to år fram i tid."})
    local_start = to_oslo(starts_at)
    if not is_working_day(local_start.date()):
        raise InvalidInput(
            {"starts_at": f"{format_date(local_start)} er helg eller helligdag; velg en virkedag."}
        )
    if not within_working_hours(starts_at, starts_at + duration):
        opening, closing = opening_hours()
        raise InvalidInput(
            {
                "starts_at": f"Avtalen må ligge innenfor arbeidstiden "
                f"{opening:%H:%M}–{closing:%H:%M} og være ferdig innen {closing:%H:%M}."
            }
        )
