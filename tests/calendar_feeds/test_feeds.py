"""The feeds: correct iCalendar for real clients, stable, and leaking nothing."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from helseiarbeid.calendar_feeds import services as feeds
from helseiarbeid.calendar_feeds.tables import CalendarEventLines
from helseiarbeid.core.clock import today_in_oslo
from tests.calendar_feeds.conftest import Calendars, events_by_ical_js, parse_both
from tests.cast import bearer
from tests.company_track.conftest import working_day_at
from tests.referrals.factories import PATIENT_ID


def _events(body: bytes) -> dict[str, object]:
    calendar, _ = parse_both(body)
    return {str(event["UID"]): event for event in calendar.walk("VEVENT")}


@pytest.mark.parametrize(
    ("person", "kind"), [("erik", "enterprise"), ("per", "staff"), ("kari", "clinic")]
)
async def test_every_feed_kind_is_valid_icalendar(
    calendars: Calendars, person: str, kind: str
) -> None:
    url = await calendars.feed_url(person, kind)
    response = await calendars.fetch(url)
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/calendar; charset=utf-8"
    assert response.headers["content-disposition"].startswith("inline")
    assert response.headers["cache-control"].startswith("private")
    body = response.content
    lines = body.split(b"\r\n")
    assert body.endswith(b"\r\n")
    assert b"\n" not in body.replace(b"\r\n", b"")
    assert all(len(line) <= 75 for line in lines), max(lines, key=len)
    for line in lines:
        line.decode("utf-8")  # folding never splits a multi-byte character
    calendar, by_vobject = parse_both(body)
    assert calendar["VERSION"] == "2.0"
    assert calendar["METHOD"] == "PUBLISH"
    assert "PRODID" in calendar
    assert str(calendar["X-WR-CALNAME"]).startswith("HelseIArbeid")
    assert b"REFRESH-INTERVAL;VALUE=DURATION:PT1H" in body
    assert b"X-PUBLISHED-TTL:PT1H" in body
    assert b"ATTENDEE" not in body
    assert body.index(b"BEGIN:VTIMEZONE") < body.index(b"BEGIN:VEVENT")
    assert b"DTSTART;TZID=Europe/Oslo:" in body
    events = calendar.walk("VEVENT")
    expected = {"enterprise": 2, "staff": 3, "clinic": 3}[kind]
    assert len(events) == expected
    assert len(by_vobject.vevent_list) == expected  # type: ignore[attr-defined]
    for event in events:
        for prop in ("DTSTAMP", "SEQUENCE", "UID"):
            assert prop in event


async def test_staff_and_clinic_feeds_hold_no_patient_data(calendars: Calendars) -> None:
    for person, kind in (("per", "staff"), ("frida", "staff"), ("kari", "clinic")):
        body = (await calendars.fetch(await calendars.feed_url(person, kind))).content.decode()
        unfolded = body.replace("\r\n ", "")
        for secret in (
            PATIENT_ID,
            "Lise",
            "Lyngstad",
            "Smerter",
            "korsrygg",
            "musculoskeletal",
            "Både",
        ):
            assert secret not in unfolded, (person, secret)
        assert "Konsultasjon HelseIArbeid" in unfolded


async def test_the_enterprise_feed_has_no_consultations(calendars: Calendars) -> None:
    body = (await calendars.fetch(await calendars.feed_url("erik", "enterprise"))).content.decode()
    assert "Konsultasjon" not in body
    assert "Forankringsmøte" in body
    calendar, _ = parse_both(body.encode())
    anchoring = next(e for e in calendar.walk("VEVENT") if "Forankringsmøte" in str(e["SUMMARY"]))
    description = str(anchoring["DESCRIPTION"])
    assert "Hvem deltar: Ledelsen, tillitsvalgte og verneombud." in description
    assert "Veiledere fra helsetjenesten og NAV: Nils NAV, Per Psykolog" in description
    assert str(anchoring["LOCATION"]) == "Havnegata 12, 8006 Bodø"


async def test_unchanged_feeds_are_byte_identical_with_stable_uids(calendars: Calendars) -> None:
    url = await calendars.feed_url("kari", "clinic")
    first = await calendars.fetch(url)
    second = await calendars.fetch(url)
    assert first.content == second.content
    assert first.headers["etag"] == second.headers["etag"]
    assert set(_events(first.content)) == {
        f"programme-session-{calendars.session_ids[0]}@helseiarbeid",
        f"programme-session-{calendars.session_ids[1]}@helseiarbeid",
        f"consultation-{calendars.consultation_id}@helseiarbeid",
    }


async def test_sequence_rises_after_a_reschedule_and_a_cancel(calendars: Calendars) -> None:
    from tests.cast import bearer
    from tests.company_track.conftest import working_day_at

    url = await calendars.feed_url("per", "staff")
    uid = f"programme-session-{calendars.session_ids[1]}@helseiarbeid"
    before = _events((await calendars.fetch(url)).content)[uid]
    kari = await bearer(calendars.cast["kari"])
    moved = await calendars.client.post(
        f"/api/v1/sessions/{calendars.session_ids[1]}/reschedule",
        json={"starts_at": working_day_at(18, 12).isoformat()},
        headers=kari,
    )
    assert moved.status_code == 200, moved.text
    after_move = _events((await calendars.fetch(url)).content)[uid]
    assert int(after_move["SEQUENCE"]) > int(before["SEQUENCE"])
    cancelled = await calendars.client.post(
        f"/api/v1/sessions/{calendars.session_ids[1]}/cancel",
        json={"reason": "Sykdom."},
        headers=kari,
    )
    assert cancelled.status_code == 200
    after_cancel = _events((await calendars.fetch(url)).content)[uid]
    assert str(after_cancel["STATUS"]) == "CANCELLED"
    assert int(after_cancel["SEQUENCE"]) > int(after_move["SEQUENCE"])

    consultation_uid = f"consultation-{calendars.consultation_id}@helseiarbeid"
    await calendars.client.post(
        f"/api/v1/referrals/{calendars.referral_id}/consultations/{calendars.consultation_id}/cancel",
        json={"reason": "Pasienten ba om ny time."},
        headers=kari,
    )
    consultation = _events((await calendars.fetch(url)).content)[consultation_uid]
    assert str(consultation["STATUS"]) == "CANCELLED"
    assert int(consultation["SEQUENCE"]) == 1


@pytest.mark.parametrize(
    ("local", "utc"),
    [
        ((2027, 3, 24, 10, 0), datetime(2027, 3, 24, 9, 0, tzinfo=UTC)),
        ((2027, 3, 30, 10, 0), datetime(2027, 3, 30, 8, 0, tzinfo=UTC)),
        ((2027, 10, 29, 10, 0), datetime(2027, 10, 29, 8, 0, tzinfo=UTC)),
        ((2027, 11, 1, 10, 0), datetime(2027, 11, 1, 9, 0, tzinfo=UTC)),
    ],
)
async def test_instants_are_right_across_daylight_saving(
    calendars: Calendars, local: tuple[int, ...], utc: datetime
) -> None:
    from helseiarbeid.core.clock import OSLO
    from tests.cast import bearer

    response = await calendars.client.post(
        f"/api/v1/programmes/{calendars.programme_id}/sessions",
        json={
            "kind": "module_2",
            "starts_at": datetime(*local, tzinfo=OSLO).isoformat(),
            "facilitator_ids": [calendars.cast["frida"].id, calendars.cast["nils"].id],
        },
        headers=await bearer(calendars.cast["kari"]),
    )
    assert response.status_code == 201, response.text
    uid = f"programme-session-{response.json()['id']}@helseiarbeid"
    body = (await calendars.fetch(await calendars.feed_url("erik", "enterprise"))).content
    calendar, by_vobject = parse_both(body)
    event = next(e for e in calendar.walk("VEVENT") if str(e["UID"]) == uid)
    assert event["DTSTART"].dt.astimezone(UTC) == utc
    other = next(e for e in by_vobject.vevent_list if e.uid.value == uid)  # type: ignore[attr-defined]
    assert other.dtstart.value.astimezone(UTC) == utc


async def test_a_cancelled_session_is_marked_and_frees_the_time(calendars: Calendars) -> None:
    """Issue 11, item 9: a cancelled event kept its title and stayed busy in Outlook. Both
    parsers (icalendar and ical.js) must read it as cancelled, titled «AVLYST: », free time."""
    url = await calendars.feed_url("per", "staff")
    session_uid = f"programme-session-{calendars.session_ids[1]}@helseiarbeid"
    consultation_uid = f"consultation-{calendars.consultation_id}@helseiarbeid"
    before = events_by_ical_js((await calendars.fetch(url)).content)
    kari = await bearer(calendars.cast["kari"])
    cancelled = await calendars.client.post(
        f"/api/v1/sessions/{calendars.session_ids[1]}/cancel",
        json={"reason": "Sykdom."},
        headers=kari,
    )
    assert cancelled.status_code == 200, cancelled.text
    consultation = await calendars.client.post(
        f"/api/v1/referrals/{calendars.referral_id}/consultations/{calendars.consultation_id}/cancel",
        json={"reason": "Pasienten er syk."},
        headers=kari,
    )
    assert consultation.status_code == 204, consultation.text
    body = (await calendars.fetch(url)).content
    by_icalendar = _events(body)
    by_ical_js = events_by_ical_js(body)
    assert set(by_icalendar) == set(by_ical_js)
    for uid in (session_uid, consultation_uid):
        event: Any = by_icalendar[uid]
        assert str(event["SUMMARY"]) == "AVLYST: " + before[uid]["summary"]
        assert str(event["STATUS"]) == "CANCELLED"
        assert str(event["TRANSP"]) == "TRANSPARENT"
        assert int(event["SEQUENCE"]) > before[uid]["sequence"]
        read = by_ical_js[uid]
        assert read["summary"] == "AVLYST: " + before[uid]["summary"]
        assert (read["status"], read["transp"]) == ("CANCELLED", "TRANSPARENT")
        assert read["sequence"] == int(event["SEQUENCE"])
    for uid, event in by_icalendar.items():
        if uid not in (session_uid, consultation_uid):
            assert not str(event["SUMMARY"]).startswith("AVLYST")  # type: ignore[index]
            assert by_ical_js[uid]["transp"] in (None, "OPAQUE")
            assert by_ical_js[uid]["status"] != "CANCELLED"


async def test_events_are_kept_for_every_process(
    calendars: Calendars, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Issue 11, item 10: a fresh process built a 2,274-event feed through icalendar again
    (0.3 ms an event). Events are kept in the database by content digest: a process that
    has never built the feed makes the same bytes without icalendar."""
    url = await calendars.feed_url("per", "staff")
    first = (await calendars.fetch(url)).content
    assert await CalendarEventLines.count() == first.count(b"BEGIN:VEVENT") == 3

    def no_icalendar(item: object) -> bytes:
        raise AssertionError("the event should have come from the database")

    monkeypatch.setattr(feeds, "event_lines", no_icalendar)
    monkeypatch.setattr(feeds, "_built", type(feeds._built)())  # as in a fresh process
    assert (await calendars.fetch(url)).content == first


async def test_events_no_feed_uses_are_pruned(calendars: Calendars) -> None:
    url = await calendars.feed_url("per", "staff")
    await calendars.fetch(url)
    kept = {row["digest"] for row in await CalendarEventLines.select(CalendarEventLines.digest)}
    today = today_in_oslo()
    await CalendarEventLines.insert(
        CalendarEventLines(
            digest="0" * 64, lines="BEGIN:VEVENT\r\nEND:VEVENT\r\n", used_on=today - timedelta(8)
        )
    )
    await CalendarEventLines.update({CalendarEventLines.used_on: today - timedelta(1)}).where(
        CalendarEventLines.digest.is_in(list(kept))
    )
    # A change moves the feed past its 304; the rebuild marks its events as used today.
    moved = await calendars.client.post(
        f"/api/v1/sessions/{calendars.session_ids[1]}/reschedule",
        json={"starts_at": working_day_at(18, 12).isoformat()},
        headers=await bearer(calendars.cast["kari"]),
    )
    assert moved.status_code == 200, moved.text
    await calendars.fetch(url)
    rows = await CalendarEventLines.select(CalendarEventLines.digest, CalendarEventLines.used_on)
    digests = {row["digest"] for row in rows}
    assert "0" * 64 not in digests
    # The moved session is a new event; its old form, used yesterday, stays for a week.
    assert kept < digests
    assert len(digests) == 4
    used_today = {row["digest"] for row in rows if str(row["used_on"]) == str(today)}
    assert len(used_today) == 3
    assert len(used_today & kept) == 2
