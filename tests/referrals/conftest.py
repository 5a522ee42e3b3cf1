"""Shared set-up for referral tests: a referral from Anne, submitted through the API."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.cast import Cast, bearer
from tests.referrals.factories import referral_body


@pytest.fixture
async def annes_referral(client: httpx.AsyncClient, cast: Cast) -> dict[str, Any]:
    response = await client.post(
        "/api/v1/referrals", json=referral_body(), headers=await bearer(cast["gp_anne"])
    )
    assert response.status_code == 201
    created: dict[str, Any] = response.json()
    return created
