"""The receipt as a PDF, made by WeasyPrint; its text is read back."""

from __future__ import annotations

import io
from typing import Any

import httpx
from pypdf import PdfReader

from tests.cast import Cast, bearer
from tests.pdf_layout import assert_all_text_on_the_page
from tests.referrals.factories import PATIENT_ID, referral_body


async def test_the_receipt_pdf_says_what_was_received(
    client: httpx.AsyncClient, cast: Cast, annes_referral: dict[str, Any]
) -> None:
    response = await client.get(
        f"/api/v1/referrals/{annes_referral['id']}/receipt.pdf",
        headers=await bearer(cast["gp_anne"]),
    )
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/pdf"
    assert annes_referral["reference"] in response.headers["content-disposition"]
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)
    assert "Bekreftelse på mottatt henvisning" in text
    assert annes_referral["reference"] in text
    due = annes_referral["assessment_due"]
    assert f"{due[8:10]}.{due[5:7]}.{due[0:4]}" in text
    assert "Lise Lyngstad" in text
    assert PATIENT_ID in text
    assert "Anne Allmennlege" in text
    assert "§ 2-2" in text
    assert "Både muskel- og skjelettplager og psykiske plager" in text
    assert "Ordinær" in text


async def test_a_long_unbroken_name_wraps_inside_the_page(
    client: httpx.AsyncClient, cast: Cast
) -> None:
    """Issue 11, item 11: 200 × «Ø» ran off the A4 page after 49 characters."""
    name = "Ø" * 200
    headers = await bearer(cast["gp_anne"])
    created = await client.post(
        "/api/v1/referrals", json=referral_body(**{"patient.name": name}), headers=headers
    )
    assert created.status_code == 201, created.text
    response = await client.get(
        f"/api/v1/referrals/{created.json()['id']}/receipt.pdf", headers=headers
    )
    assert response.status_code == 200
    assert_all_text_on_the_page(response.content, name, PATIENT_ID)
