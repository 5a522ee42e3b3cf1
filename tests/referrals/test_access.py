"""Who may see a referral: its GP and the clinic team; another GP gets 404; others 403."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from helseiarbeid.core.audit import Actor, AuditAction
from helseiarbeid.core.database import write_transaction
from helseiarbeid.core.errors import Forbidden, NotFound
from helseiarbeid.core.roles import CLINIC_STAFF, Role
from helseiarbeid.core.tables import AuditEvent
from helseiarbeid.referrals.services.access import require_access
from helseiarbeid.referrals.services.reading import get_referral
from tests.cast import Cast, bearer, sign_in
from tests.referrals.factories import referral_body


async def test_another_gp_gets_404_as_if_it_did_not_exist(
    client: httpx.AsyncClient, cast: Cast, annes_referral: dict[str, Any]
) -> None:
    headers = await bearer(cast["gp_bjorn"])
    theirs = await client.get(f"/api/v1/referrals/{annes_referral['id']}", headers=headers)
    missing = await client.get("/api/v1/referrals/999999", headers=headers)
    assert theirs.status_code == missing.status_code == 404
    assert theirs.json() == missing.json()
    listing = (await client.get("/api/v1/referrals", headers=headers)).json()
    assert listing["total"] == 0
    pdf = await client.get(f"/api/v1/referrals/{annes_referral['id']}/receipt.pdf", headers=headers)
    assert pdf.status_code == 404
    withdraw = await client.post(
        f"/api/v1/referrals/{annes_referral['id']}/withdraw", json={}, headers=headers
    )
    assert withdraw.status_code == 404


async def test_another_gp_gets_404_on_the_pages_too(
    client: httpx.AsyncClient, cast: Cast, annes_referral: dict[str, Any]
) -> None:
    await sign_in(client, cast["gp_bjorn"])
    for path in ("", "/kvittering", "/kvittering.pdf"):
        response = await client.get(f"/henvisninger/{annes_referral['id']}{path}")
        assert response.status_code == 404, path
        assert "Lise Lyngstad" not in response.text


@pytest.mark.parametrize("role", sorted(CLINIC_STAFF))
async def test_clinic_staff_see_every_referral(
    client: httpx.AsyncClient, cast: Cast, annes_referral: dict[str, Any], role: Role
) -> None:
    headers = await bearer(cast.by_role(role))
    response = await client.get(f"/api/v1/referrals/{annes_referral['id']}", headers=headers)
    assert response.status_code == 200
    assert (await client.get("/api/v1/referrals", headers=headers)).json()["total"] == 1


@pytest.mark.parametrize("role", [Role.ENTERPRISE_CONTACT, Role.ADMIN])
async def test_roles_without_business_get_403_from_every_referral_route(
    client: httpx.AsyncClient, cast: Cast, annes_referral: dict[str, Any], role: Role
) -> None:
    headers = await bearer(cast.by_role(role))
    referral_id = annes_referral["id"]
    for method, path in [
        ("GET", "/api/v1/referrals"),
        ("GET", f"/api/v1/referrals/{referral_id}"),
        ("GET", f"/api/v1/referrals/{referral_id}/receipt.pdf"),
        ("POST", "/api/v1/referrals"),
        ("POST", f"/api/v1/referrals/{referral_id}/withdraw"),
    ]:
        response = await client.request(method, path, headers=headers, json={})
        assert response.status_code == 403, (method, path)
        assert "Lise" not in response.text


async def test_clinic_staff_cannot_submit_referrals(client: httpx.AsyncClient, cast: Cast) -> None:
    response = await client.post(
        "/api/v1/referrals", json=referral_body(), headers=await bearer(cast["kari"])
    )
    assert response.status_code == 403


async def test_a_refused_read_is_in_the_access_log_with_the_patient(
    client: httpx.AsyncClient, cast: Cast, annes_referral: dict[str, Any]
) -> None:
    """Issue 12 §6: another GP's attempt left no trace; the patient's access report must show it."""
    headers = await bearer(cast["gp_bjorn"])
    await client.get(f"/api/v1/referrals/{annes_referral['id']}", headers=headers)
    await client.get("/api/v1/referrals/999999", headers=headers)
    refused = await AuditEvent.select().where(AuditEvent.action == AuditAction.REFUSED.value)
    assert [(r["actor"], r["referral_id"], r["resource_id"]) for r in refused] == [
        (cast["gp_bjorn"].id, annes_referral["id"], str(annes_referral["id"])),
        (cast["gp_bjorn"].id, None, "999999"),
    ]
    assert refused[0]["patient_id"] is not None
    assert refused[1]["patient_id"] is None


async def test_a_refused_read_inside_a_callers_transaction_stays_in_the_access_log(
    cast: Cast, annes_referral: dict[str, Any]
) -> None:
    # Review: the refusal's row joined the caller's transaction, and the refusal raised
    # through it rolled the row back with everything else.
    referral_id = annes_referral["id"]
    contact = cast.by_role(Role.ENTERPRISE_CONTACT)
    bjorn = cast["gp_bjorn"]
    with pytest.raises(Forbidden):
        async with write_transaction():
            await require_access(contact, Actor(contact.id, contact.role.value), referral_id)
    with pytest.raises(NotFound):
        async with write_transaction():
            await get_referral(bjorn, Actor(bjorn.id, bjorn.role.value), referral_id)
    refused = await AuditEvent.select(AuditEvent.actor, AuditEvent.referral_id).where(
        AuditEvent.action == AuditAction.REFUSED.value
    )
    assert sorted(row["actor"] for row in refused) == sorted([contact.id, bjorn.id])
    assert {row["referral_id"] for row in refused} == {referral_id}
