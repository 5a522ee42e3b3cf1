"""Every read or write of a referral leaves a row in the access log."""

from __future__ import annotations

from typing import Any

import httpx

from helseiarbeid.core.tables import AuditEvent
from helseiarbeid.referrals.tables import Referral
from tests.cast import Cast, bearer, csrf_token, sign_in
from tests.referrals.factories import PATIENT_ID, referral_body


async def _events() -> list[dict[str, Any]]:
    return list(await AuditEvent.select().order_by(AuditEvent.id))


async def test_submission_writes_a_create_row(cast: Cast, annes_referral: dict[str, Any]) -> None:
    [event] = await _events()
    referral = await Referral.select(Referral.patient).first()
    assert referral is not None
    assert event["action"] == "create"
    assert event["actor"] == cast["gp_anne"].id
    assert event["actor_role"] == "gp"
    assert event["referral_id"] == annes_referral["id"]
    assert event["patient_id"] == referral["patient"]
    assert event["client"] == "api"
    assert event["purpose"] == "henvisning fra fastlege"


async def test_reading_one_referral_writes_a_read_row(
    client: httpx.AsyncClient, cast: Cast, annes_referral: dict[str, Any]
) -> None:
    await client.get(
        f"/api/v1/referrals/{annes_referral['id']}", headers=await bearer(cast["frida"])
    )
    event = (await _events())[-1]
    assert event["action"] == "read"
    assert event["actor"] == cast["frida"].id
    assert event["actor_role"] == "physician"
    assert event["referral_id"] == annes_referral["id"]
    assert "HelseIArbeid-teamet" in event["purpose"]


async def test_a_list_writes_one_row_per_referral_shown(
    client: httpx.AsyncClient, cast: Cast
) -> None:
    headers = await bearer(cast["gp_anne"])
    for _ in range(3):
        await client.post("/api/v1/referrals", json=referral_body(), headers=headers)
    before = len(await _events())
    await client.get("/api/v1/referrals?limit=2", headers=headers)
    new = (await _events())[before:]
    assert len(new) == 2
    assert {event["action"] for event in new} == {"read"}


async def test_a_refused_read_is_logged_as_refused_not_as_read(
    client: httpx.AsyncClient, cast: Cast, annes_referral: dict[str, Any]
) -> None:
    """Issue 12 §6: a refused attempt is itself logged — as refused, never as a read."""
    before = len(await _events())
    await client.get(
        f"/api/v1/referrals/{annes_referral['id']}", headers=await bearer(cast["gp_bjorn"])
    )
    new = (await _events())[before:]
    assert [event["action"] for event in new] == ["refused"]


async def test_the_receipt_pdf_and_web_pages_are_logged(
    client: httpx.AsyncClient, cast: Cast, annes_referral: dict[str, Any]
) -> None:
    await sign_in(client, cast["gp_anne"])
    before = len(await _events())
    await client.get(f"/henvisninger/{annes_referral['id']}/kvittering")
    await client.get(f"/henvisninger/{annes_referral['id']}/kvittering.pdf")
    new = (await _events())[before:]
    assert [(event["action"], event["client"]) for event in new] == [
        ("read", "web"),
        ("read", "web"),
    ]


async def test_the_privacy_officer_finds_a_patient_by_national_id(
    client: httpx.AsyncClient, cast: Cast, annes_referral: dict[str, Any]
) -> None:
    await client.get(f"/api/v1/referrals/{annes_referral['id']}", headers=await bearer(cast["per"]))
    await sign_in(client, cast["ada"])
    token = await csrf_token(client)
    response = await client.post(
        "/admin/audit/patient-lookup", data={"national_id": PATIENT_ID, "_csrf_token": token}
    )
    assert response.status_code == 303
    location = response.headers["location"]
    assert PATIENT_ID not in location
    report = await client.get(location)
    assert "Per Psykolog" in report.text
    assert "Anne Allmennlege" in report.text
