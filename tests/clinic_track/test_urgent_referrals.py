"""Urgent referrals: a shorter internal assessment target beside the legal 10 working days,
first in the worklist while unassessed, and counted apart on the dashboard."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import httpx
import pytest

from helseiarbeid.core.clock import pinned
from helseiarbeid.settings import get_settings
from tests.cast import Cast, bearer, sign_in
from tests.clinic_track.conftest import Pathway
from tests.referrals.factories import referral_body

URGENT = {"urgency": "urgent", "urgency_reason": "Står i fare for å miste jobben."}
# Monday 30 March 2026: Maundy Thursday, Good Friday and Easter Monday come next.
BEFORE_EASTER = datetime(2026, 3, 30, 9, 0, tzinfo=UTC)


async def _submit(
    client: httpx.AsyncClient, cast: Cast, at: datetime, *, key: str | None = None, **overrides: str
) -> httpx.Response:
    headers = await bearer(cast["gp_anne"])
    if key:
        headers["Idempotency-Key"] = key
    with pinned(at):
        return await client.post(
            "/api/v1/referrals",
            json=referral_body(sick_leave_since="2026-01-05", **overrides),
            headers=headers,
        )


@pytest.mark.parametrize("key", [None, "urgent-1"])
async def test_an_urgent_referral_gets_an_internal_target_beside_the_legal_deadline(
    client: httpx.AsyncClient, cast: Cast, key: str | None
) -> None:
    """Both ways of storing a submission (one statement on PostgreSQL, or the transaction)."""
    urgent = await _submit(client, cast, BEFORE_EASTER, key=key, **URGENT)
    assert urgent.status_code == 201, urgent.text
    assert urgent.json()["assessment_due"] == "2026-04-16"
    # 31 March, 1 April, (Easter) 7 April: three working days.
    assert urgent.json()["assessment_target"] == "2026-04-07"
    routine = await _submit(
        client, cast, BEFORE_EASTER, **{"patient.name": "Per Pasient", "urgency": "routine"}
    )
    assert routine.json()["assessment_due"] == "2026-04-16"
    assert routine.json()["assessment_target"] is None
    detail = await client.get(
        f"/api/v1/referrals/{urgent.json()['id']}", headers=await bearer(cast["kari"])
    )
    assert detail.json()["assessment_target"] == "2026-04-07"


@pytest.fixture
def five_days(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("HELSEIARBEID_URGENT_ASSESSMENT_DAYS", "5")
    get_settings.cache_clear()
    yield
    monkeypatch.delenv("HELSEIARBEID_URGENT_ASSESSMENT_DAYS")
    get_settings.cache_clear()


async def test_the_target_follows_the_setting(
    client: httpx.AsyncClient, cast: Cast, five_days: None
) -> None:
    urgent = await _submit(client, cast, BEFORE_EASTER, **URGENT)
    assert urgent.json()["assessment_target"] == "2026-04-09"


async def test_the_gp_receipt_and_the_case_page_show_both(
    client: httpx.AsyncClient, cast: Cast
) -> None:
    urgent = await _submit(client, cast, datetime.now(UTC), **URGENT)
    referral_id = urgent.json()["id"]
    target = datetime.fromisoformat(urgent.json()["assessment_target"]).strftime("%d.%m.%Y")
    await sign_in(client, cast["gp_anne"])
    receipt = await client.get(f"/henvisninger/{referral_id}/kvittering")
    assert "lovkrav: 10 virkedager" in receipt.text
    assert f'Internt mål (haster)</dt><dd class="urgent-target">{target} (3 virkedager)' in (
        receipt.text
    )
    client.cookies.clear()
    await sign_in(client, cast["per"])
    case = await client.get(f"/klinikk/henvisninger/{referral_id}")
    assert "lovkrav: 10 virkedager" in case.text
    assert f"{target}</strong> (3 virkedager)" in case.text


async def test_urgent_referrals_come_first_in_the_worklist_until_assessed(
    client: httpx.AsyncClient, cast: Cast
) -> None:
    now = datetime.now(UTC)
    routine_old = await _submit(client, cast, now - timedelta(days=8))
    routine_new = await _submit(client, cast, now - timedelta(days=2))
    urgent = await _submit(client, cast, now - timedelta(days=1), **URGENT)
    headers = await bearer(cast["kari"])
    listing = (await client.get("/api/v1/clinic/worklist", headers=headers)).json()["items"]
    ids = [routine_old.json()["id"], routine_new.json()["id"], urgent.json()["id"]]
    assert [item["id"] for item in listing] == [ids[2], ids[0], ids[1]]
    assert listing[0]["assessment_target"] == urgent.json()["assessment_target"]
    await sign_in(client, cast["kari"])
    page = await client.get("/klinikk/arbeidsliste")
    first_row = page.text.split("<tbody>")[1].split("</tr>")[0]
    assert "Haster" in first_row
    assert "Internt mål" in first_row
    # Once assessed it leaves the queue of cases waiting for assessment.
    pathway = Pathway(client, cast, ids[2])
    assert (await pathway.accept()).status_code == 201
    listing = (await client.get("/api/v1/clinic/worklist", headers=headers)).json()["items"]
    assert [item["id"] for item in listing] == [ids[0], ids[1]]


async def test_the_dashboard_counts_urgent_referrals_apart(
    client: httpx.AsyncClient, cast: Cast
) -> None:
    now = datetime.now(UTC)
    await _submit(client, cast, now - timedelta(days=1))
    await _submit(client, cast, now - timedelta(days=1), **URGENT)
    await _submit(client, cast, now - timedelta(days=12), **URGENT)
    figures = (
        await client.get("/api/v1/clinic/dashboard", headers=await bearer(cast["kari"]))
    ).json()
    assert figures["urgent_awaiting"] == 2
    assert figures["urgent_past_target"] == 1
    await sign_in(client, cast["kari"])
    page = await client.get("/klinikk/oversikt")
    assert (
        '<span class="kpi-value">2</span><span class="kpi-label"><a href="/klinikk/arbeidsliste'
        '?urgency=urgent">hastehenvisninger</a> venter på vurdering</span>' in page.text
    )
    assert (
        '<span class="kpi-value">1</span><span class="kpi-label">hastehenvisninger over internt '
        "mål (3 virkedager)</span>" in page.text
    )
