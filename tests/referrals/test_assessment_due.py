"""assessment_due = the day of receipt (in Oslo) + 10 Norwegian working days."""

from __future__ import annotations

from datetime import UTC, datetime

import httpx
import pytest

from helseiarbeid.core.clock import pinned
from tests.cast import Cast, bearer
from tests.referrals.factories import referral_body


@pytest.mark.parametrize(
    ("received_utc", "due"),
    [
        # Easter 2026: Maundy Thursday 2 April, Good Friday 3 April, Easter Monday 6 April.
        (datetime(2026, 3, 30, 9, 0, tzinfo=UTC), "2026-04-16"),
        # Christmas: 25 and 26 December and 1 January are holidays.
        (datetime(2026, 12, 21, 9, 0, tzinfo=UTC), "2027-01-06"),
        # May 2026: Ascension Day 14 May, 17 May on a Sunday, Whit Monday 25 May.
        (datetime(2026, 5, 11, 9, 0, tzinfo=UTC), "2026-05-27"),
        # 22:30 UTC on Tuesday 31 March 2026 is already Wednesday 1 April in Oslo (counting
        # from the UTC date would give 17 April).
        (datetime(2026, 3, 31, 22, 30, tzinfo=UTC), "2026-04-20"),
    ],
)
async def test_deadline_skips_weekends_and_public_holidays(
    client: httpx.AsyncClient,
    cast: Cast,
    received_utc: datetime,
    due: str,
) -> None:
    body = referral_body(sick_leave_since="2026-01-05")
    headers = await bearer(cast["gp_anne"])
    with pinned(received_utc):
        response = await client.post("/api/v1/referrals", json=body, headers=headers)
    assert response.status_code == 201, response.text
    assert response.json()["assessment_due"] == due
