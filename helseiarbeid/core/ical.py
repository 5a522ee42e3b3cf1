"""iCalendar (RFC 5545) output with the icalendar library: a calendar with an Europe/Oslo
VTIMEZONE before its events, and events from plain CalendarItems the domains hand over.

The output is a pure function of its input: DTSTAMP is the item's last change (not "now") and
items are ordered, so an unchanged feed is byte-identical from fetch to fetch. That also lets
each event's serialised form be kept, keyed by ``event_digest``: icalendar spends about
0.3 ms on an event, so a feed of 2,000 events would otherwise take most of a second to build.
The calendar feeds keep them in the database (``calendar_feeds``), for every process.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import icalendar
from icalendar import Calendar, Event, Timezone, TimezoneDaylight, TimezoneStandard, vRecur

from helseiarbeid.core.clock import OSLO

PRODID = "-//HelseIArbeid//HelseIArbeid kalender 1.0//NO"
END = b"END:VCALENDAR\r\n"
# Feeds hold items from 90 days back, and cancelled ones for 30 days so calendars remove them.
FEED_PAST = timedelta(days=90)
CANCELLED_KEPT = timedelta(days=30)
# Part of every event's digest: raise it whenever ``_event`` writes an event differently, so
# events kept in their old form are no longer found (and are pruned).
EVENT_FORMAT = 2
CET = timedelta(hours=1)
CEST = timedelta(hours=2)


@dataclass(frozen=True)
class CalendarItem:
    uid: str
    summary: str
    starts_at: datetime
    ends_at: datetime
    location: str
    description: str
    status: str  # CONFIRMED, TENTATIVE or CANCELLED
    sequence: int
    changed_at: datetime
    url: str


def _oslo_timezone() -> Timezone:
    """Europe/Oslo as Norway has kept it since 1996: CEST from the last Sunday in March at
    02:00, CET from the last Sunday in October at 03:00."""
    timezone = Timezone()
    timezone.add("tzid", "Europe/Oslo")
    summer = TimezoneDaylight()
    # Onsets in a VTIMEZONE are local wall-clock times, hence naive.
    summer.add("dtstart", datetime(1996, 3, 31, 2, 0))  # noqa: DTZ001
    summer.add("tzoffsetfrom", CET)
    summer.add("tzoffsetto", CEST)
    summer.add("tzname", "CEST")
    summer.add("rrule", vRecur(freq="YEARLY", bymonth=3, byday="-1SU"))
    winter = TimezoneStandard()
    winter.add("dtstart", datetime(1996, 10, 27, 3, 0))  # noqa: DTZ001
    winter.add("tzoffsetfrom", CEST)
    winter.add("tzoffsetto", CET)
    winter.add("tzname", "CET")
    winter.add("rrule", vRecur(freq="YEARLY", bymonth=10, byday="-1SU"))
    timezone.add_component(summer)
    timezone.add_component(winter)
    return timezone


# What a cancelled event says in every client: Google hides a STATUS:CANCELLED event, Apple and
# Fastmail strike it through, and Outlook ignores the status and keeps the time busy.
CANCELLED_PREFIX = "AVLYST: "


def _event(item: CalendarItem) -> Event:
    """One VEVENT. A cancelled item is titled «AVLYST: …» and marked TRANSPARENT (free time),
    so a client that ignores STATUS:CANCELLED still shows it as cancelled and not busy; the
    domains raise its SEQUENCE when they cancel it (RFC 5545 3.8.7.4)."""
    cancelled = item.status == "CANCELLED"
    event = Event()
    event.add("uid", item.uid)
    event.add("dtstamp", item.changed_at.astimezone(UTC))
    event.add("dtstart", item.starts_at.astimezone(OSLO))
    event.add("dtend", item.ends_at.astimezone(OSLO))
    event.add("summary", CANCELLED_PREFIX + item.summary if cancelled else item.summary)
    event.add("location", item.location)
    event.add("description", item.description)
    event.add("status", item.status)
    if cancelled:
        event.add("transp", "TRANSPARENT")
    event.add("sequence", item.sequence)
    event.add("url", item.url)
    event.add("last-modified", item.changed_at.astimezone(UTC))
    return event


def event_lines(item: CalendarItem) -> bytes:
    """One VEVENT as icalendar writes it inside a calendar."""
    lines: bytes = _event(item).to_ical()
    return lines


_DIGEST_PREFIX = f"{EVENT_FORMAT}/{icalendar.__version__}"


def event_digest(item: CalendarItem) -> str:
    """SHA-256 (hex) of everything ``event_lines`` writes from: the item's fields, the event
    format and the icalendar version. Equal digests, equal lines."""
    fields = (
        _DIGEST_PREFIX,
        item.uid,
        item.summary,
        item.starts_at.astimezone(UTC).isoformat(),
        item.ends_at.astimezone(UTC).isoformat(),
        item.location,
        item.description,
        item.status,
        str(item.sequence),
        item.changed_at.astimezone(UTC).isoformat(),
        item.url,
    )
    # repr quotes each text, so no two different items give one string.
    content = repr(fields)
    return hashlib.sha256(content.encode()).hexdigest()


def ordered(items: Iterable[CalendarItem]) -> list[CalendarItem]:
    """Items in the order a calendar lists them: by start, then UID."""
    return sorted(items, key=lambda i: (i.starts_at, i.uid))


def assemble(name: str, events: Iterable[bytes]) -> bytes:
    """A published calendar (a feed or a single event) as bytes: CRLF, folded at 75 octets.

    icalendar writes the calendar with its time zone; the events' lines (``event_lines`` of
    the ``ordered`` items) are placed before END:VCALENDAR exactly where ``Calendar.to_ical``
    puts them.
    """
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    # An X- property is written as given: a line break in a name would break the line.
    cal.add("x-wr-calname", " ".join(name.split()))
    cal.add("x-wr-timezone", "Europe/Oslo")
    cal.add("refresh-interval", timedelta(hours=1), parameters={"VALUE": "DURATION"})
    cal.add("x-published-ttl", "PT1H")
    cal.add_component(_oslo_timezone())
    head: bytes = cal.to_ical()
    if not head.endswith(END):
        raise RuntimeError("icalendar no longer ends a calendar with END:VCALENDAR")
    return head[: -len(END)] + b"".join(events) + END


def calendar(name: str, items: list[CalendarItem]) -> bytes:
    """A calendar of these items, each event written by icalendar now."""
    return assemble(name, (event_lines(item) for item in ordered(items)))


def leaves_feed_at(item: CalendarItem) -> datetime:
    """When an item drops out of feeds by age alone: 90 days after it started, or 30 days
    after it was cancelled (a cancelled item is never changed again)."""
    leaves = item.starts_at + FEED_PAST
    if item.status == "CANCELLED":
        leaves = min(leaves, item.changed_at + CANCELLED_KEPT)
    return leaves
