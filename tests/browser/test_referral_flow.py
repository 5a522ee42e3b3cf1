"""A GP refers a patient through the web form, in a real browser."""

from __future__ import annotations

import io

import pytest
from playwright.async_api import Page, expect
from pypdf import PdfReader

from tests.browser.conftest import assert_fits, screenshot
from tests.cast import PASSWORD
from tests.referrals.factories import EMPLOYER_ORG, PATIENT_ID

pytestmark = pytest.mark.browser


async def test_gp_corrects_a_national_id_submits_and_finds_the_referral(
    page: Page, live_server: str
) -> None:
    await page.goto(f"{live_server}/login")
    await page.get_by_label("E-postadresse").fill("gp_anne@test.example")
    await page.get_by_label("Passord").fill(PASSWORD)
    await page.get_by_role("button", name="Logg inn").click()
    await (
        page.get_by_role("navigation", name="Hovedmeny")
        .get_by_role("link", name="Ny henvisning")
        .click()
    )
    await expect(
        page.get_by_role("heading", name="Henvis pasient til HelseIArbeid")
    ).to_be_visible()

    wrong = PATIENT_ID[:-1] + str((int(PATIENT_ID[-1]) + 1) % 10)
    await page.get_by_label("Fødselsnummer eller D-nummer").fill(wrong)
    await page.get_by_label("Navn", exact=True).fill("Lise Lyngstad")
    await page.get_by_label("Adresse").fill("Fjellveien 3, 8006 Bodø")
    await page.get_by_label("Telefon").fill("912 34 567")
    await page.get_by_label("Arbeidsgiver").fill("Bodø Havnelager AS")
    await page.get_by_label("Organisasjonsnummer").fill(EMPLOYER_ORG)
    await page.get_by_label("Stilling").fill("Lagermedarbeider")
    await page.get_by_label("Gradert sykmeldt").check()
    await page.get_by_label("Sykmeldingsgrad i prosent").fill("40")
    await page.get_by_label("Sykmeldt fra").fill("2026-09-14")
    await page.get_by_label("Både muskel- og skjelettplager og psykiske plager").check()
    await page.get_by_label("Beskrivelse av plagene").fill("Smerter i korsrygg og nedstemthet.")
    await page.get_by_label("Spørsmål til teamet").fill("Vurdering av arbeidsevne?")
    await page.get_by_label("Ordinær").check()
    await page.get_by_label("Pasienten samtykker til tverrfaglig vurdering der NAV deltar").check()
    await page.get_by_role("button", name="Send henvisning").click()

    national_id = page.get_by_label("Fødselsnummer eller D-nummer")
    await expect(page.locator("#error-summary")).to_be_focused()
    await expect(page.locator("#error-summary")).to_be_in_viewport()
    await expect(national_id).to_have_attribute("aria-invalid", "true")
    await expect(page.locator("#patient-national_id-error")).to_have_text(
        "Feil: Fødselsnummeret har feil kontrollsiffer."
    )
    await expect(national_id).to_have_value(wrong)
    await expect(page.get_by_label("Navn", exact=True)).to_have_value("Lise Lyngstad")
    await expect(page.get_by_label("Gradert sykmeldt")).to_be_checked()
    await screenshot(page, "referral-form-error")

    await national_id.fill(PATIENT_ID)
    await page.get_by_role("button", name="Send henvisning").click()
    await expect(
        page.get_by_role("heading", name="Bekreftelse på mottatt henvisning")
    ).to_be_visible()
    reference = (await page.locator(".reference").inner_text()).strip()
    assert reference.startswith("HIA-")
    await screenshot(page, "referral-receipt")

    pdf_href = await page.get_by_role("link", name="Last ned kvittering (PDF)").get_attribute(
        "href"
    )
    assert pdf_href
    pdf = await page.context.request.get(f"{live_server}{pdf_href}")
    assert pdf.status == 200
    assert pdf.headers["content-type"] == "application/pdf"
    text = PdfReader(io.BytesIO(await pdf.body())).pages[0].extract_text()
    assert reference in text

    await page.get_by_role("link", name="Mine henvisninger").first.click()
    await expect(page.get_by_role("heading", name="Mine henvisninger")).to_be_visible()
    row = page.get_by_role("row").filter(has_text=reference)
    await expect(row).to_contain_text("Lise Lyngstad")
    await expect(row).to_contain_text("Mottatt")
    await screenshot(page, "mine-henvisninger")
    await assert_fits(page)
    await screenshot(page, "mine-henvisninger-390")

    await row.get_by_role("link", name=reference).click()
    await expect(page.get_by_role("heading", name=f"Henvisning {reference}")).to_be_visible()
    box = page.get_by_label(f"Ja, trekk tilbake henvisningen {reference}")
    await box.evaluate("box => { box.required = false; }")  # as a browser without validation
    await page.get_by_role("button", name="Trekk tilbake henvisningen").click()
    summary = page.locator("#error-summary")
    await expect(summary).to_contain_text("Kryss av for å bekrefte")
    await expect(summary).to_be_focused()
    await screenshot(page, "withdraw-confirm-error")
    await box.check()
    await page.get_by_role("button", name="Trekk tilbake henvisningen").click()
    await expect(page.get_by_role("status")).to_have_text("Henvisningen er trukket tilbake.")
