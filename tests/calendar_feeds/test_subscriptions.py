"""Subscription URLs: secret, revocable, cached correctly, and rate-limited."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import pytest

from helseiarbeid.calendar_feeds import controllers
from helseiarbeid.calendar_feeds.tables import CalendarFeed
from helseiarbeid.core.clock import pinned
from helseiarbeid.core.ratelimit import RequestLimit
from helseiarbeid.core.tables import AuditEvent, User
from helseiarbeid.regions import services as regions
from tests.calendar_feeds.conftest import Calendars
from tests.cast import bearer, csrf_token, sign_in
from tests.company_track.conftest import working_day_at


async def test_the_token_is_long_and_stored_only_as_a_hash(calendars: Calendars) -> None:
    url = await calendars.feed_url("per", "staff")
    token = url.removeprefix("/calendar/").removesuffix(".ics")
    lookup_key, secret = token.split(".")
    assert len(secret) >= 32  # 24 random bytes, base64: 192 bits
    stored = await CalendarFeed.select().first()
    assert stored is not None
    assert secret not in str(stored)
    assert stored["lookup_key"] == lookup_key


def minutes_on(minutes: int) -> datetime:
    """A moment after the fixture's writes: feeds built then answer 304 from their last build
    when nothing has changed since (writes just before a build make it rebuild)."""
    return datetime.now(UTC) + timedelta(minutes=minutes)


async def test_304_when_the_etag_matches_and_a_new_etag_after_a_change(
    calendars: Calendars,
) -> None:
    url = await calendars.feed_url("per", "staff")
    with pinned(minutes_on(5)):
        first = await calendars.fetch(url)
    etag = first.headers["etag"]
    assert etag.startswith('"')  # strong, not W/
    assert "last-modified" in first.headers
    with pinned(minutes_on(6)):
        same = await calendars.fetch(url, **{"If-None-Match": etag})
    assert same.status_code == 304
    assert same.content == b""
    assert same.headers["etag"] == etag
    with pinned(minutes_on(10)):
        moved = await calendars.client.post(
            f"/api/v1/sessions/{calendars.session_ids[0]}/reschedule",
            json={"starts_at": working_day_at(7, 11).isoformat()},
            headers=await bearer(calendars.cast["kari"]),
        )
    assert moved.status_code == 200
    with pinned(minutes_on(15)):
        changed = await calendars.fetch(url, **{"If-None-Match": etag})
    assert changed.status_code == 200
    assert changed.headers["etag"] != etag


async def test_a_cancelled_consultation_changes_every_feed_that_holds_it(
    calendars: Calendars,
) -> None:
    staff_url = await calendars.feed_url("per", "staff")
    clinic_url = await calendars.feed_url("kari", "clinic")
    with pinned(minutes_on(5)):
        tags = {
            url: (await calendars.fetch(url)).headers["etag"] for url in (staff_url, clinic_url)
        }
    with pinned(minutes_on(10)):
        cancelled = await calendars.client.post(
            f"/api/v1/referrals/{calendars.referral_id}/consultations/"
            f"{calendars.consultation_id}/cancel",
            json={"reason": "Pasienten ba om ny time."},
            headers=await bearer(calendars.cast["kari"]),
        )
    assert cancelled.status_code == 204
    for url, etag in tags.items():
        with pinned(minutes_on(15)):
            changed = await calendars.fetch(url, **{"If-None-Match": etag})
        assert changed.status_code == 200
        assert changed.headers["etag"] != etag
        assert b"STATUS:CANCELLED" in changed.content


async def test_items_ageing_out_of_the_feed_give_a_new_etag(calendars: Calendars) -> None:
    url = await calendars.feed_url("per", "staff")
    with pinned(minutes_on(5)):
        before = await calendars.fetch(url)
    assert before.content.count(b"BEGIN:VEVENT") == 3
    # Four months on, everything lies more than 90 days back and has left the feed.
    with pinned(datetime.now(UTC) + timedelta(days=120)):
        after = await calendars.fetch(url, **{"If-None-Match": before.headers["etag"]})
    assert after.status_code == 200
    assert after.content.count(b"BEGIN:VEVENT") == 0


async def test_if_none_match_wins_over_if_modified_since(calendars: Calendars) -> None:
    url = await calendars.feed_url("per", "staff")
    first = await calendars.fetch(url)
    future = format_datetime(datetime.now(UTC) + timedelta(days=1), usegmt=True)
    stale_tag = await calendars.fetch(
        url, **{"If-None-Match": '"old"', "If-Modified-Since": future}
    )
    assert stale_tag.status_code == 200
    only_date = await calendars.fetch(url, **{"If-Modified-Since": future})
    assert only_date.status_code == 304
    assert first.status_code == 200


async def test_a_revoked_or_unknown_token_gives_404(calendars: Calendars) -> None:
    url = await calendars.feed_url("per", "staff")
    headers = await bearer(calendars.cast["per"])
    feeds = (await calendars.client.get("/api/v1/calendar-feeds", headers=headers)).json()
    assert [feed["url"] for feed in feeds] == [None]  # the URL is never shown again
    revoked = await calendars.client.delete(
        f"/api/v1/calendar-feeds/{feeds[0]['id']}", headers=headers
    )
    assert revoked.status_code == 204
    assert (await calendars.fetch(url)).status_code == 404
    lookup_key = url.removeprefix("/calendar/").split(".")[0]
    for bad in (f"/calendar/{lookup_key}.wrong-secret.ics", "/calendar/nothing.ics", "/calendar/x"):
        assert (await calendars.fetch(bad)).status_code == 404, bad


async def test_rotating_gives_a_new_url_and_stops_the_old(calendars: Calendars) -> None:
    old = await calendars.feed_url("per", "staff")
    headers = await bearer(calendars.cast["per"])
    feed_id = (await calendars.client.get("/api/v1/calendar-feeds", headers=headers)).json()[0][
        "id"
    ]
    rotated = await calendars.client.post(
        f"/api/v1/calendar-feeds/{feed_id}/rotate", headers=headers
    )
    assert rotated.status_code == 201
    new = rotated.json()["url"].removeprefix("http://testserver")
    assert new != old
    assert (await calendars.fetch(old)).status_code == 404
    assert (await calendars.fetch(new)).status_code == 200


async def test_only_the_owner_manages_a_feed_and_kinds_follow_the_role(
    calendars: Calendars,
) -> None:
    await calendars.feed_url("per", "staff")
    per = await bearer(calendars.cast["per"])
    feed_id = (await calendars.client.get("/api/v1/calendar-feeds", headers=per)).json()[0]["id"]
    frida = await bearer(calendars.cast["frida"])
    assert (
        await calendars.client.delete(f"/api/v1/calendar-feeds/{feed_id}", headers=frida)
    ).status_code == 404
    erik = await bearer(calendars.cast["erik"])
    clinic = await calendars.client.post(
        "/api/v1/calendar-feeds", json={"kind": "clinic"}, headers=erik
    )
    assert clinic.status_code == 422
    gp = await bearer(calendars.cast["gp_anne"])
    assert (
        await calendars.client.post("/api/v1/calendar-feeds", json={"kind": "staff"}, headers=gp)
    ).status_code == 403


async def test_requests_per_token_are_rate_limited(
    calendars: Calendars, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(
        controllers, "PER_TOKEN", RequestLimit("test-feed-token", limit=3, seconds=60)
    )
    url = await calendars.feed_url("per", "staff")
    codes = [(await calendars.fetch(url)).status_code for _ in range(4)]
    assert codes == [200, 200, 200, 429]


async def test_requests_per_address_are_rate_limited(
    calendars: Calendars, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(
        controllers, "PER_ADDRESS", RequestLimit("test-feed-address", limit=2, seconds=60)
    )
    codes = [(await calendars.fetch("/calendar/unknown.ics")).status_code for _ in range(3)]
    assert codes == [404, 404, 429]


async def test_add_to_calendar_for_one_event_the_user_may_see(calendars: Calendars) -> None:
    erik = await bearer(calendars.cast["erik"])
    session = await calendars.client.get(
        f"/calendar/events/session/{calendars.session_ids[0]}", headers=erik
    )
    assert session.status_code == 200
    assert session.headers["content-disposition"].startswith("attachment")
    assert b"BEGIN:VEVENT" in session.content
    consultation = await calendars.client.get(
        f"/calendar/events/consultation/{calendars.consultation_id}", headers=erik
    )
    assert consultation.status_code == 403
    per = await bearer(calendars.cast["per"])
    mine = await calendars.client.get(
        f"/calendar/events/consultation/{calendars.consultation_id}", headers=per
    )
    assert mine.status_code == 200
    assert b"Konsultasjon HelseIArbeid" in mine.content
    # Issue 12 §6: the download left no trace in the access log.
    logged = await AuditEvent.select().where(
        (AuditEvent.resource_type == "consultation") & (AuditEvent.action == "read")
    )
    assert [(row["actor"], row["action"], row["referral_id"]) for row in logged] == [
        (calendars.cast["per"].id, "read", calendars.referral_id)
    ]
    assert logged[0]["patient_id"] is not None
    missing = await calendars.client.get("/calendar/events/consultation/999999", headers=per)
    assert missing.status_code == 404


async def test_the_calendar_page_shows_a_new_url_once(calendars: Calendars) -> None:
    await sign_in(calendars.client, calendars.cast["nils"])
    token = await csrf_token(calendars.client)
    created = await calendars.client.post("/kalender", data={"kind": "staff", "_csrf_token": token})
    assert created.status_code == 200
    assert "Din nye kalenderadresse" in created.text
    assert 'data-copy="feed-url"' in created.text
    url = created.text.split('id="feed-url" class="feed-url" type="text" readonly value="')[
        1
    ].split('"')[0]
    assert (await calendars.fetch(url.removeprefix("http://testserver"))).status_code == 200
    page = await calendars.client.get("/kalender")
    assert "Din nye kalenderadresse" not in page.text
    for client_name in ("Outlook", "Google Kalender", "Apple Kalender"):
        assert client_name in page.text


async def test_a_feed_stops_when_its_owner_is_deactivated_or_changes_role(
    calendars: Calendars,
) -> None:
    staff_url = await calendars.feed_url("per", "staff")
    clinic_url = await calendars.feed_url("kari", "clinic")
    assert (await calendars.fetch(staff_url)).status_code == 200
    await User.update({User.is_active: False}).where(User.id == calendars.cast["per"].id)
    assert (await calendars.fetch(staff_url)).status_code == 404
    await User.update({User.role: "gp"}).where(User.id == calendars.cast["kari"].id)
    assert (await calendars.fetch(clinic_url)).status_code == 404


async def test_the_team_feed_holds_only_the_sessions_of_its_owner_s_nav_regions(
    calendars: Calendars,
) -> None:
    clinic_url = await calendars.feed_url("kari", "clinic")
    staff_url = await calendars.feed_url("per", "staff")
    sessions = [f"UID:programme-session-{n}@helseiarbeid".encode() for n in calendars.session_ids]
    before = (await calendars.fetch(clinic_url)).content
    assert all(uid in before for uid in sessions)
    # Bodø moves to a region Kari does not work for: its enterprise's sessions leave her team
    # feed (the consultation stays), and stay in Per's own calendar (he facilitates them).
    nordland = await regions.create_region("NAV Arbeidslivssenter Nordland")
    await regions.assign_municipality("Bodø", nordland)
    after = (await calendars.fetch(clinic_url)).content
    assert not any(uid in after for uid in sessions)
    assert f"consultation-{calendars.consultation_id}@helseiarbeid".encode() in after
    own = (await calendars.fetch(staff_url)).content
    assert all(uid in own for uid in sessions)
