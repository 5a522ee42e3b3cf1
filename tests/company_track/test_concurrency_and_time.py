"""Concurrent bookings of one facilitator, and times across the daylight-saving changes."""

from __future__ import annotations

import asyncio
from datetime import date, datetime, timedelta

import httpx
import pytest

from helseiarbeid.company_track.tables import ProgrammeSession
from helseiarbeid.core.clock import OSLO
from helseiarbeid.core.tables import BusyPeriod
from tests.company_track.conftest import Company, working_day_at
from tests.live_server import serve


async def test_two_concurrent_bookings_of_one_facilitator_give_one(
    database: str, company: Company
) -> None:
    first = await company.programme()
    second = (
        await company.post("kari", f"/enterprises/{company.other_enterprise_id}/programmes")
    ).json()["id"]
    when = working_day_at(9, 10)
    headers = await company.headers("kari")
    bodies = [
        (
            first,
            {"kind": "anchoring", "starts_at": when.isoformat(), "facilitator_ids": company.pair()},
        ),
        (
            second,
            {
                "kind": "anchoring",
                "starts_at": (when + timedelta(minutes=30)).isoformat(),
                "facilitator_ids": [company.cast["frida"].id, company.cast["nils"].id],
            },
        ),
    ]
    with serve(database) as base_url:
        async with httpx.AsyncClient(base_url=base_url, timeout=60) as http:
            for _ in range(5):  # five rounds of the race, each on fresh times
                responses = await asyncio.gather(
                    *[
                        http.post(f"/api/v1/programmes/{pid}/sessions", json=body, headers=headers)
                        for pid, body in bodies
                    ]
                )
                codes = sorted(response.status_code for response in responses)
                assert codes == [201, 409], [r.text for r in responses]
                for response in responses:
                    if response.status_code == 201:
                        await http.post(
                            f"/api/v1/sessions/{response.json()['id']}/cancel",
                            json={"reason": "Ny runde i testen."},
                            headers=headers,
                        )
    live = await ProgrammeSession.count().where(ProgrammeSession.state == "confirmed")
    assert live == 0
    assert await BusyPeriod.count() == 0


@pytest.mark.parametrize(
    ("local", "utc"),
    [
        # Summer time starts Sunday 28 March 2027 (UTC+1 → UTC+2); it is Easter too, so the
        # nearest working days are Wednesday 24 and Tuesday 30 March.
        (datetime(2027, 3, 24, 10, 0, tzinfo=OSLO), "2027-03-24T09:00:00Z"),
        (datetime(2027, 3, 30, 10, 0, tzinfo=OSLO), "2027-03-30T08:00:00Z"),
        # Summer time ends Sunday 31 October 2027 (UTC+2 → UTC+1).
        (datetime(2027, 10, 29, 10, 0, tzinfo=OSLO), "2027-10-29T08:00:00Z"),
        (datetime(2027, 11, 1, 10, 0, tzinfo=OSLO), "2027-11-01T09:00:00Z"),
    ],
)
async def test_oslo_times_on_both_sides_of_the_daylight_saving_changes(
    company: Company, local: datetime, utc: str
) -> None:
    programme_id = await company.programme()
    response = await company.book(programme_id, "anchoring", local)
    assert response.status_code == 201, response.text
    assert response.json()["starts_at"] == utc
    page = await company.client.get(
        f"/program/{programme_id}", headers=await company.headers("kari")
    )
    assert local.strftime("%d.%m.%Y kl. %H:%M") in page.text


async def test_offered_slots_keep_oslo_wall_clock_across_the_change(company: Company) -> None:
    programme_id = await company.programme()
    slots = (await company.get("erik", f"/programmes/{programme_id}/slots?kind=anchoring")).json()
    local_times = {
        datetime.fromisoformat(slot["starts_at"]).astimezone(OSLO).strftime("%H:%M")
        for slot in slots["slots"]
    }
    assert local_times <= {"08:30", "10:30", "12:30", "14:00"}
    assert slots["slots"], "slots should be offered in an open area"
    assert all(date.fromisoformat(slot["starts_at"][:10]).weekday() < 5 for slot in slots["slots"])
