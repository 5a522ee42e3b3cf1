"""Feeds are written by icalendar; events kept by digest come out exactly as icalendar would
write the whole calendar in one go."""

from __future__ import annotations

from dataclasses import fields, replace
from datetime import UTC, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st
from icalendar import Calendar

from helseiarbeid.core import ical
from helseiarbeid.core.ical import CalendarItem

START = datetime(2026, 3, 20, 8, 0, tzinfo=UTC)
# Norwegian letters, an emoji and long runs, so lines fold across multi-byte characters.
TEXT = st.text(alphabet="abcæøåÆØÅ é–😀\n,;\\:", min_size=0, max_size=200)


def _items(texts: list[tuple[str, str]]) -> list[CalendarItem]:
    return [
        CalendarItem(
            uid=f"item-{n}@helseiarbeid",
            summary=summary,
            starts_at=START + timedelta(days=n * 3),  # across the switch to summer time
            ends_at=START + timedelta(days=n * 3, minutes=90),
            location="Rådhuset, møterom 2",
            description=description,
            status="CANCELLED" if n % 3 == 0 else "CONFIRMED",
            sequence=n,
            changed_at=START - timedelta(hours=n),
            url=f"https://helseiarbeid.example/program/{n}",
        )
        for n, (summary, description) in enumerate(texts)
    ]


def _whole_calendar(name: str, items: list[CalendarItem]) -> bytes:
    """The reference: one Calendar with every event added, serialised by icalendar."""
    reference = Calendar.from_ical(ical.calendar(name, []))
    for item in sorted(items, key=lambda i: (i.starts_at, i.uid)):
        reference.add_component(ical._event(item))
    body: bytes = reference.to_ical()
    return body


@settings(max_examples=40, deadline=None)
@given(name=TEXT, texts=st.lists(st.tuples(TEXT, TEXT), max_size=6))
def test_a_feed_is_byte_for_byte_what_icalendar_writes(
    name: str, texts: list[tuple[str, str]]
) -> None:
    items = _items(texts)
    assert ical.calendar(name, items) == _whole_calendar(name, items)


def test_lines_end_in_crlf_and_fold_within_75_octets() -> None:
    body = ical.calendar("Kalender", _items([("Æ" * 90, "ø😀" * 80)]))
    lines = body.split(b"\r\n")
    assert lines[-1] == b""
    assert all(len(line) <= 75 for line in lines)
    assert all(b"\n" not in line for line in lines)
    body.decode("utf-8")  # folding never splits a character


def test_the_event_digest_changes_with_every_field() -> None:
    """Stored events are found by digest: two items that differ anywhere must not share one."""
    item = _items([("Modul 1", "Beskrivelse")])[0]
    changed = {
        "uid": "other@helseiarbeid",
        "summary": "Modul 2",
        "starts_at": item.starts_at + timedelta(minutes=1),
        "ends_at": item.ends_at + timedelta(minutes=1),
        "location": "Kantina",
        "description": "Annen beskrivelse",
        "status": "CONFIRMED" if item.status == "CANCELLED" else "CANCELLED",
        "sequence": item.sequence + 1,
        "changed_at": item.changed_at + timedelta(seconds=1),
        "url": item.url + "#x",
    }
    assert set(changed) == {field.name for field in fields(CalendarItem)}
    digests = {ical.event_digest(replace(item, **{name: value})) for name, value in changed.items()}
    assert len(digests | {ical.event_digest(item)}) == len(changed) + 1
    assert ical.event_digest(item) == ical.event_digest(replace(item))


def test_a_cancelled_event_says_so_and_is_free_time() -> None:
    item = replace(_items([("Modul 1", "")])[0], status="CANCELLED")
    event = Calendar.from_ical(ical.calendar("Kalender", [item])).walk("VEVENT")[0]
    assert str(event["SUMMARY"]) == "AVLYST: Modul 1"
    assert str(event["TRANSP"]) == "TRANSPARENT"
