"""The worklist: waiting referrals by deadline, overdue first and marked, with filters."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import httpx
import msgspec

from helseiarbeid.core.clock import pinned, today_in_oslo
from helseiarbeid.core.working_days import working_days_between
from helseiarbeid.referrals import services as referrals
from helseiarbeid.referrals.schemas import ReferralCreate
from tests.cast import Cast, bearer, sign_in
from tests.clinic_track.conftest import Pathway, next_weekday_at
from tests.referrals.factories import referral_body


async def _received(cast: Cast, days_ago: int, **overrides: object) -> int:
    data = msgspec.convert(referral_body(**overrides), ReferralCreate)
    with pinned(datetime.now(UTC) - timedelta(days=days_ago)):
        submission = await referrals.submit(cast["gp_anne"], data, key=None, source="api")
    return submission.receipt.id


async def test_overdue_referrals_come_first_and_are_marked(
    client: httpx.AsyncClient, cast: Cast
) -> None:
    fresh = await _received(cast, 1, sick_leave_since="2026-01-05")
    old = await _received(cast, 30, sick_leave_since="2026-01-05")
    middle = await _received(cast, 10, sick_leave_since="2026-01-05")
    response = await client.get("/api/v1/clinic/worklist", headers=await bearer(cast["kari"]))
    items = response.json()["items"]
    assert [item["id"] for item in items] == [old, middle, fresh]
    assert items[0]["overdue"] is True
    assert items[0]["working_days_left"] < 0
    assert items[-1]["overdue"] is False
    assert items[-1]["working_days_left"] > 0


async def test_filters(client: httpx.AsyncClient, cast: Cast) -> None:
    mental = await _received(cast, 2, complaint="mental", sick_leave_since="2026-01-05")
    urgent = await _received(
        cast,
        3,
        urgency="urgent",
        urgency_reason="Står i fare for å miste jobben.",
        sick_leave_since="2026-01-05",
    )
    overdue = await _received(cast, 40, sick_leave_since="2026-01-05")
    headers = await bearer(cast["kari"])

    async def ids(query: str) -> list[int]:
        response = await client.get(f"/api/v1/clinic/worklist?{query}", headers=headers)
        assert response.status_code == 200, response.text
        return [item["id"] for item in response.json()["items"]]

    assert await ids("complaint=mental") == [mental]
    assert await ids("urgency=urgent") == [urgent]
    assert await ids("overdue=true") == [overdue]
    await client.put(
        f"/api/v1/referrals/{urgent}/responsible",
        json={"staff_id": cast["per"].id},
        headers=headers,
    )
    assert await ids(f"responsible={cast['per'].id}") == [urgent]
    assert await ids("status=completed") == []


async def test_the_worklist_page_shows_overdue_in_words(
    client: httpx.AsyncClient, cast: Cast
) -> None:
    await _received(cast, 30, sick_leave_since="2026-01-05")
    await sign_in(client, cast["kari"])
    page = await client.get("/klinikk/arbeidsliste")
    assert page.status_code == 200
    assert 'class="overdue"' in page.text
    assert "Forfalt" in page.text


async def test_only_clinic_staff_see_the_worklist(client: httpx.AsyncClient, cast: Cast) -> None:
    for person in ("gp_anne", "erik", "ada"):
        response = await client.get("/api/v1/clinic/worklist", headers=await bearer(cast[person]))
        assert response.status_code == 403


async def test_overdue_means_still_waiting(client: httpx.AsyncClient, cast: Cast) -> None:
    response = await client.get(
        "/api/v1/clinic/worklist?status=completed&status=returned&overdue=true",
        headers=await bearer(cast["kari"]),
    )
    assert response.status_code == 200
    assert response.json()["total"] == 0


async def test_an_accepted_case_counts_down_to_its_start_deadline(
    client: httpx.AsyncClient, cast: Cast
) -> None:
    """The observed fault: accepted cases showed «-234 virkedager igjen» (the assessment
    deadline kept counting after the assessment)."""
    referral_id = await _received(cast, 60, sick_leave_since="2026-01-05")
    case = Pathway(client, cast, referral_id)
    start = today_in_oslo() + timedelta(days=30)
    accepted = await case.post(
        "frida",
        "/assessment",
        {"decision": "accepted", "start_deadline": start.isoformat(), "priority": "normal"},
    )
    assert accepted.status_code == 201
    headers = await bearer(cast["kari"])

    async def row() -> dict[str, object]:
        response = await client.get(
            "/api/v1/clinic/worklist?status=accepted&status=in_progress", headers=headers
        )
        return dict(response.json()["items"][0])

    item = await row()
    assert item["deadline_kind"] == "start"
    assert item["deadline"] == item["start_deadline"] == start.isoformat()
    assert item["working_days_left"] == working_days_between(today_in_oslo(), start)
    assert item["overdue"] is False
    assert item["assessment_due"] < today_in_oslo().isoformat()  # kept, but no longer counted

    await sign_in(client, cast["kari"])
    page = (await client.get("/klinikk/arbeidsliste?status=accepted")).text
    assert "frist for helsehjelp" in page
    assert "Forfalt" not in page
    assert f"{item['working_days_left']} virkedager igjen" in page

    # Care starts when the first consultation is held: then no deadline counts any more.
    booked = (await case.book(["per"], next_weekday_at(10))).json()
    await case.record(booked)
    item = await row()
    assert item["deadline"] is None
    assert item["working_days_left"] is None
    assert item["care_started_on"] == booked["starts_at"][:10]


async def test_an_ended_case_counts_no_deadline(client: httpx.AsyncClient, cast: Cast) -> None:
    referral_id = await _received(cast, 60, sick_leave_since="2026-01-05")
    returned = await Pathway(client, cast, referral_id).post(
        "per", "/assessment", {"decision": "returned", "reason": "Passer i kommunen."}
    )
    assert returned.status_code == 201
    response = await client.get(
        "/api/v1/clinic/worklist?status=returned", headers=await bearer(cast["kari"])
    )
    [item] = response.json()["items"]
    assert item["deadline"] is None
    assert item["working_days_left"] is None
    assert item["overdue"] is False
    await sign_in(client, cast["kari"])
    page = (await client.get("/klinikk/arbeidsliste?status=returned")).text
    assert "Ingen frist løper" in page
    assert "virkedager igjen" not in page
