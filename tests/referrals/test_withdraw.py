"""A GP may withdraw a referral while it is still received."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from helseiarbeid.core.audit import Actor
from helseiarbeid.core.database import write_transaction
from helseiarbeid.core.errors import Conflict
from helseiarbeid.referrals import services
from helseiarbeid.referrals.status import Status
from helseiarbeid.referrals.tables import StatusChange
from tests.cast import Cast, bearer


async def test_withdrawing_a_received_referral(
    client: httpx.AsyncClient, cast: Cast, annes_referral: dict[str, Any]
) -> None:
    response = await client.post(
        f"/api/v1/referrals/{annes_referral['id']}/withdraw",
        json={"reason": "Pasienten er tilbake i full jobb"},
        headers=await bearer(cast["gp_anne"]),
    )
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "withdrawn"
    last = body["history_of_status"][-1]
    assert (last["from_status"], last["to_status"]) == ("received", "withdrawn")
    assert last["reason"] == "Pasienten er tilbake i full jobb"
    assert last["changed_by"] == "Anne Allmennlege"


async def test_a_referral_under_assessment_cannot_be_withdrawn(
    client: httpx.AsyncClient, cast: Cast, annes_referral: dict[str, Any]
) -> None:
    kari = Actor(user_id=cast["kari"].id, role="coordinator")
    async with write_transaction():
        await services.change_status(kari, annes_referral["id"], Status.UNDER_ASSESSMENT)
    response = await client.post(
        f"/api/v1/referrals/{annes_referral['id']}/withdraw",
        json={},
        headers=await bearer(cast["gp_anne"]),
    )
    assert response.status_code == 409
    assert "Tillatt herfra: tatt inn, returnert til fastlege" in response.json()["detail"]
    assert await StatusChange.count() == 2


async def test_a_withdrawn_referral_cannot_be_withdrawn_again(
    client: httpx.AsyncClient, cast: Cast, annes_referral: dict[str, Any]
) -> None:
    headers = await bearer(cast["gp_anne"])
    url = f"/api/v1/referrals/{annes_referral['id']}/withdraw"
    assert (await client.post(url, json={}, headers=headers)).status_code == 200
    again = await client.post(url, json={}, headers=headers)
    assert again.status_code == 409
    assert "Tillatt herfra: ingen" in again.json()["detail"]


async def test_a_stale_version_is_refused(cast: Cast, annes_referral: dict[str, Any]) -> None:
    kari = Actor(user_id=cast["kari"].id, role="coordinator")
    async with write_transaction():
        version = await services.change_status(
            kari, annes_referral["id"], Status.UNDER_ASSESSMENT, expected_version=1
        )
    assert version == 2
    with pytest.raises(Conflict, match="endret av noen andre"):
        async with write_transaction():
            await services.change_status(
                kari, annes_referral["id"], Status.ACCEPTED, expected_version=1
            )
