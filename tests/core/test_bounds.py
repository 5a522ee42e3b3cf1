"""Numbers too large for any database row are refused with 4xx, never a 500.

Found by schemathesis: ids and offsets beyond 32 bits overflowed the database drivers.
"""

from __future__ import annotations

import httpx
import pytest

from tests.cast import Cast, bearer

HUGE = 2**63 + 7


@pytest.mark.parametrize(
    ("person", "method", "path", "body"),
    [
        ("kari", "GET", f"/api/v1/referrals/{HUGE}", None),
        ("kari", "GET", f"/api/v1/referrals?offset={HUGE}", None),
        ("kari", "GET", f"/api/v1/clinic/worklist?responsible={HUGE}", None),
        ("kari", "POST", f"/api/v1/enterprises/{HUGE}/programmes", None),
        ("kari", "POST", f"/api/v1/referrals/1/consultations/{HUGE}/cancel", {"reason": "X"}),
        (
            "kari",
            "POST",
            "/api/v1/referrals/1/consultations",
            {
                "starts_at": "2030-01-07T10:00:00+01:00",
                "duration_minutes": 60,
                "staff_ids": [HUGE],
                "location": "Rom 1",
            },
        ),
        (
            "kari",
            "POST",
            "/api/v1/enterprises",
            {
                "org_number": "990000000",
                "name": "X",
                "address": "Y",
                "municipality": "Z",
                "service_area_id": HUGE,
                "employee_count": 10,
            },
        ),
        ("ada", "GET", f"/api/v1/audit-events?actor={HUGE}", None),
        ("per", "POST", f"/api/v1/calendar-feeds/{HUGE}/rotate", None),
    ],
)
async def test_huge_numbers_get_a_clear_4xx(
    client: httpx.AsyncClient, cast: Cast, person: str, method: str, path: str, body: object
) -> None:
    response = await client.request(method, path, json=body, headers=await bearer(cast[person]))
    assert 400 <= response.status_code < 500, response.text
    assert "Oppgi referanse" not in response.text
