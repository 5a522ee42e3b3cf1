"""Withdrawing a referral, cancelling a programme and sending the report each need their
confirmation box ticked, without JavaScript; a missing one shows the form again with the
error summary that the page moves focus to (issue 10, item 14)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import httpx

from helseiarbeid.company_track.tables import Programme
from helseiarbeid.core.clock import pinned
from helseiarbeid.referrals.tables import Referral
from tests.cast import Cast, bearer, csrf_token, sign_in
from tests.clinic_track.conftest import Pathway, pathway  # noqa: F401 (fixture)
from tests.company_track.conftest import Company, company  # noqa: F401 (fixture)
from tests.referrals.factories import referral_body

SUMMARY = 'id="error-summary" role="alert" tabindex="-1"'


async def _status(referral_id: int) -> str:
    row = await Referral.select(Referral.status).where(Referral.id == referral_id).first()
    assert row is not None
    return str(row["status"])


async def test_withdrawing_needs_the_confirmation_box(
    client: httpx.AsyncClient, cast: Cast
) -> None:
    created = await client.post(
        "/api/v1/referrals", json=referral_body(), headers=await bearer(cast["gp_anne"])
    )
    referral: dict[str, Any] = created.json()
    await sign_in(client, cast["gp_anne"])
    page = await client.get(f"/henvisninger/{referral['id']}")
    assert 'name="bekreft" value="ja" required' in page.text

    response = await client.post(
        f"/henvisninger/{referral['id']}/trekk-tilbake",
        data={"reason": "Feil pasient", "_csrf_token": await csrf_token(client)},
    )

    assert response.status_code == 422
    assert SUMMARY in response.text
    assert "Kryss av for å bekrefte at henvisningen skal trekkes." in response.text
    assert 'value="Feil pasient"' in response.text
    assert await _status(referral["id"]) == "received"


async def test_sending_the_report_needs_the_confirmation_box(
    pathway: Pathway,  # noqa: F811
) -> None:
    await pathway.accept()
    booked = await pathway.book(["per"])
    await pathway.clarify()
    client = pathway.client
    await sign_in(client, pathway.cast["frida"])
    with pinned(datetime.fromisoformat(booked.json()["starts_at"]) + timedelta(hours=1)):
        held = await pathway.post(
            "kari", f"/consultations/{booked.json()['id']}/outcome", {"outcome": "held"}
        )
    assert held.status_code == 204, held.text
    preview = await client.get(f"/klinikk/henvisninger/{pathway.id}/rapport")
    assert "Ja, rapporten skal sendes fastlegen" in preview.text
    draft = preview.text.split('name="draft" value="')[1].split('"')[0]
    version = (await client.get(f"/api/v1/referrals/{pathway.id}")).json()["version"]
    form = {"version": str(version), "draft": draft}

    response = await client.post(
        f"/klinikk/henvisninger/{pathway.id}/rapport",
        data={**form, "_csrf_token": await csrf_token(client)},
    )

    assert response.status_code == 422
    assert "Utkast til rapport" in response.text
    assert "Kryss av for å bekrefte at rapporten skal sendes." in response.text
    assert await _status(pathway.id) == "in_progress"
    sent = await client.post(
        f"/klinikk/henvisninger/{pathway.id}/rapport",
        data={**form, "bekreft": "ja", "_csrf_token": await csrf_token(client)},
    )
    assert sent.status_code == 303
    assert await _status(pathway.id) == "completed"


async def test_cancelling_a_programme_needs_the_confirmation_box(
    company: Company,  # noqa: F811
) -> None:
    programme_id = await company.programme()
    client = company.client
    await sign_in(client, company.cast["kari"])

    response = await client.post(
        f"/program/{programme_id}/avlys",
        data={"reason": "Omorganisering", "_csrf_token": await csrf_token(client)},
    )

    assert response.status_code == 422
    assert SUMMARY in response.text
    assert "Kryss av for å bekrefte at programmet skal avlyses." in response.text
    assert 'value="Omorganisering"' in response.text
    row = await Programme.select(Programme.status).where(Programme.id == programme_id).first()
    assert row is not None
    assert row["status"] != "cancelled"
