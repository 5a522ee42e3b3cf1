"""Onward referral is a clinician's act: referrals into health services (DPS, specialist
departments ...) are made and signed by a physician or psychologist with HPR number; the NAV
counsellor registers NAV's own work-oriented measures."""

from __future__ import annotations

import io

import httpx
import pytest
from pypdf import PdfReader

from helseiarbeid.clinic_track.tables import OnwardReferral
from helseiarbeid.referrals.tables import ReferralDocument
from tests.cast import csrf_token, sign_in
from tests.clinic_track.conftest import Pathway

DPS = {
    "destination_type": "dps",
    "destination_name": "Salten DPS",
    "reason": "Utredning av langvarig depresjon.",
}


async def _in_progress(pathway: Pathway) -> None:
    assert (await pathway.accept()).status_code == 201
    assert (await pathway.book(["per", "nils"])).status_code == 201


@pytest.mark.parametrize(
    "destination", ["dps", "specialist_department", "physiotherapy", "rehabilitation"]
)
async def test_the_nav_counsellor_cannot_refer_to_health_services(
    pathway: Pathway, destination: str
) -> None:
    await _in_progress(pathway)
    refused = await pathway.post(
        "nils", "/onward-referrals", {**DPS, "destination_type": destination}
    )
    assert refused.status_code == 422, refused.text
    message = refused.json()["errors"]["destination_type"]
    assert "lege eller psykolog med HPR-nummer" in message
    assert await OnwardReferral.count() == 0
    assert await ReferralDocument.count().where(ReferralDocument.kind == "onward_referral") == 0


async def test_the_nav_counsellor_registers_nav_measures(pathway: Pathway) -> None:
    await _in_progress(pathway)
    nav = await pathway.post(
        "nils",
        "/onward-referrals",
        {
            "destination_type": "nav_work_measures",
            "destination_name": "NAV Salten",
            "reason": "Arbeidsrettet oppfølging.",
        },
    )
    assert nav.status_code == 201, nav.text


@pytest.mark.parametrize(("person", "hpr"), [("per", "2345678"), ("frida", "3456789")])
async def test_a_clinician_refers_to_dps_and_signs_with_hpr(
    pathway: Pathway, person: str, hpr: str
) -> None:
    await _in_progress(pathway)
    onward = await pathway.post(person, "/onward-referrals", DPS)
    assert onward.status_code == 201, onward.text
    letter = await pathway.client.get(
        onward.json()["letter_url"], headers=await pathway.headers("kari")
    )
    text = PdfReader(io.BytesIO(letter.content)).pages[0].extract_text()
    assert pathway.cast[person].name in text
    assert f"HPR-nr. {hpr}" in text
    assert "Nils NAV" not in text


async def test_the_case_page_offers_the_nav_counsellor_only_nav_measures(
    client: httpx.AsyncClient, pathway: Pathway
) -> None:
    await _in_progress(pathway)
    await sign_in(client, pathway.cast["nils"])
    page = await client.get(f"/klinikk/henvisninger/{pathway.id}")
    assert 'value="nav_work_measures"' in page.text
    assert 'value="dps"' not in page.text
    assert 'value="specialist_department"' not in page.text
    # A form posted anyway (an old page, a crafted request) is refused with the field named.
    posted = await client.post(
        f"/klinikk/henvisninger/{pathway.id}/videre",
        data={**DPS, "_csrf_token": await csrf_token(client)},
    )
    assert posted.status_code == 422
    assert "lege eller psykolog med HPR-nummer" in posted.text
    assert await OnwardReferral.count() == 0
    client.cookies.clear()
    await sign_in(client, pathway.cast["per"])
    clinician = await client.get(f"/klinikk/henvisninger/{pathway.id}")
    assert 'value="dps"' in clinician.text
