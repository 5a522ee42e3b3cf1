"""From the worklist to the GP's report, in a real browser."""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta

import msgspec
import pytest
from playwright.async_api import Browser, Page, expect
from pypdf import PdfReader

from helseiarbeid.clinic_track.tables import Consultation
from helseiarbeid.core.clock import pinned, today_in_oslo
from helseiarbeid.referrals import services as referrals
from helseiarbeid.referrals.schemas import ReferralCreate
from tests.browser.conftest import assert_fits, log_in, screenshot
from tests.cast import Cast
from tests.clinic_track.conftest import next_weekday_at
from tests.referrals.factories import OTHER_PATIENT_ID, referral_body

pytestmark = pytest.mark.browser


async def _log_in(page: Page, base: str, email: str) -> None:
    await page.goto(f"{base}/login")
    await log_in(page, email)
    await expect(page.get_by_role("heading", name="Velkommen", exact=False)).to_be_visible()


async def _new_page(browser: Browser) -> Page:
    context = await browser.new_context(locale="nb-NO", timezone_id="Europe/Oslo")
    return await context.new_page()


@pytest.fixture
async def two_referrals(cast: Cast) -> str:
    """A fresh referral and one received 30 days ago; returns the overdue patient's name."""
    fresh = msgspec.convert(referral_body(sick_leave_since="2026-01-05"), ReferralCreate)
    await referrals.submit(cast["gp_anne"], fresh, key=None, source="api")
    overdue = msgspec.convert(
        referral_body(
            **{"patient.national_id": OTHER_PATIENT_ID, "patient.name": "Olav Overdue"},
            sick_leave_since="2026-01-05",
        ),
        ReferralCreate,
    )
    with pinned(datetime.now(UTC) - timedelta(days=30)):
        await referrals.submit(cast["gp_anne"], overdue, key=None, source="api")
    return "Olav Overdue"


async def test_worklist_to_report(browser: Browser, live_server: str, two_referrals: str) -> None:
    coordinator = await _new_page(browser)
    await _log_in(coordinator, live_server, "kari@test.example")
    await (
        coordinator.get_by_role("navigation", name="Hovedmeny")
        .get_by_role("link", name="Arbeidsliste")
        .click()
    )
    first_row = coordinator.locator("table.worklist tbody tr").first
    await expect(first_row).to_contain_text(two_referrals)
    await expect(first_row).to_contain_text("Forfalt")
    await screenshot(coordinator, "worklist")
    await assert_fits(coordinator)
    await screenshot(coordinator, "worklist-390")
    await coordinator.set_viewport_size({"width": 1280, "height": 720})

    physician = await _new_page(browser)
    await _log_in(physician, live_server, "frida@test.example")
    await physician.goto(f"{live_server}/klinikk/arbeidsliste")
    await physician.get_by_role("link", name="HIA-").first.click()
    await expect(physician.get_by_role("heading", name=two_referrals, exact=False)).to_be_visible()
    await physician.get_by_label("Tatt inn med rett til nødvendig helsehjelp").check()
    await physician.get_by_label("Frist for oppstart (ved inntak)").fill(
        (today_in_oslo() + timedelta(days=30)).isoformat()
    )
    await physician.get_by_label("Prioritet (ved inntak)").select_option("normal")
    await physician.get_by_role("button", name="Lagre vurdering").click()
    await expect(physician.get_by_role("status")).to_have_text("Lagret.")
    case_url = physician.url.split("?")[0]

    await coordinator.goto(case_url)
    when = next_weekday_at(9)
    await coordinator.get_by_label("Dato", exact=True).fill(when.date().isoformat())
    await coordinator.get_by_label("Klokkeslett").fill("09:00")
    await coordinator.get_by_label("Per Psykolog (Psykolog)").check()
    await coordinator.get_by_label("Nils NAV (NAV-veileder)").check()
    await coordinator.get_by_role("button", name="Sett opp konsultasjon og lag innkalling").click()
    await expect(coordinator.get_by_role("link", name="Innkalling (PDF)")).to_be_visible()
    await screenshot(coordinator, "case-booked")
    # A week passes: the consultation now lies in the past (the server's clock cannot be
    # pinned from here, so the stored time is moved back instead).
    await Consultation.update(
        {Consultation.starts_at: datetime.now(UTC) - timedelta(hours=2)}
    ).where(Consultation.id.is_not_null())

    await physician.goto(case_url)
    await physician.get_by_label("Oppsummering").fill("Arbeidsevnen er avklart; kan øke gradvis.")
    await physician.get_by_label("Arbeidsrettede anbefalinger").fill("Gradert arbeid 50 %.")
    await physician.get_by_role("button", name="Lagre avklaringen").click()
    await expect(physician.get_by_role("status")).to_have_text("Lagret.")
    await physician.get_by_label("Til", exact=True).select_option("physiotherapy")
    await physician.get_by_label("Navn på mottaker").fill("Fysioterapi Sentrum")
    await physician.get_by_label("Begrunnelse", exact=True).fill("Styrketrening for korsrygg.")
    # The receiver's HER-id (optional): a mistyped one is named, and nothing is stored.
    await physician.get_by_label("HER-id (valgfritt)", exact=True).fill("12ab")
    await physician.get_by_role("button", name="Henvis videre og lag brev").click()
    her_id = physician.get_by_label("HER-id (valgfritt)", exact=True)
    await expect(her_id).to_have_attribute("aria-invalid", "true")
    await expect(physician.locator("#videre-destination_her_id-error")).to_contain_text(
        "HER-id er et tall"
    )
    await screenshot(physician, "case-onward-her-id-error")
    await her_id.fill("8605")
    await physician.get_by_role("button", name="Henvis videre og lag brev").click()
    await expect(
        physician.get_by_role("link", name="Henvisning videre til Fysioterapi Sentrum")
    ).to_be_visible()
    await expect(physician.locator("main")).to_contain_text("Fysioterapi Sentrum (HER-id 8605)")
    # Not before the consultation has an outcome.
    await expect(physician.get_by_role("link", name="Se utkast til rapport")).to_have_count(0)
    await expect(physician.locator("#rapport")).to_contain_text("Ikke registrert")
    await physician.get_by_label("Gjennomført").check()
    await physician.get_by_role("button", name="Registrer utfallet").click()
    await expect(physician.locator("#konsultasjoner")).to_contain_text("Gjennomført")
    await physician.get_by_role("link", name="Se utkast til rapport").click()
    await expect(physician.get_by_role("heading", name="Utkast til rapport")).to_be_visible()
    await expect(physician.locator("main")).to_contain_text("gjennomført")
    await screenshot(physician, "report-preview")
    await physician.get_by_role("button", name="Send rapporten").click()
    # The browser will not send it without the confirmation box (required), nor will the server.
    await expect(physician.get_by_role("heading", name="Utkast til rapport")).to_be_visible()
    await physician.get_by_label("Ja, rapporten skal sendes fastlegen", exact=False).check()
    await physician.get_by_role("button", name="Send rapporten").click()
    await expect(physician.get_by_role("link", name="Rapport sendt", exact=False)).to_be_visible()
    await expect(physician.locator("#rapport")).to_contain_text("Saken er avsluttet")
    # Nothing left to do on the case but record a change in the patient's consent to NAV.
    await expect(physician.locator("main form:not([action$='/samtykke'])")).to_have_count(0)
    await screenshot(physician, "case-completed")

    gp = await _new_page(browser)
    await _log_in(gp, live_server, "gp_anne@test.example")
    await gp.goto(f"{live_server}/henvisninger")
    row = gp.get_by_role("row").filter(has_text=two_referrals)
    await expect(row).to_contain_text("Avsluttet")
    report_link = row.get_by_role("link", name="Rapport (PDF)")
    href = await report_link.get_attribute("href")
    assert href
    await screenshot(gp, "mine-henvisninger-report")
    pdf = await gp.context.request.get(f"{live_server}{href}")
    assert pdf.status == 200
    text = PdfReader(io.BytesIO(await pdf.body())).pages[0].extract_text()
    assert "Rapport fra HelseIArbeid" in text
    assert two_referrals in text
    assert "gjennomført" in text


async def test_gp_and_team_question_and_answer(
    browser: Browser, live_server: str, cast: Cast
) -> None:
    """The psychologist asks, the GP sees «Venter på svar fra deg» and answers, and the team
    sees the answer on the case and «Svar fra fastlege» in the worklist."""
    data = msgspec.convert(referral_body(sick_leave_since="2026-01-05"), ReferralCreate)
    await referrals.submit(cast["gp_anne"], data, key=None, source="api")
    question = "Har pasienten prøvd fysioterapi, og med hvilken effekt?"
    answer = "Ja, ti timer høsten 2025 uten varig bedring."

    psychologist = await _new_page(browser)
    await _log_in(psychologist, live_server, "per@test.example")
    await psychologist.goto(f"{live_server}/klinikk/arbeidsliste")
    await psychologist.get_by_role("link", name="HIA-").first.click()
    case_url = psychologist.url
    await psychologist.get_by_label("Venter på mer informasjon fra fastlege").check()
    await psychologist.get_by_label("Begrunnelse eller spørsmål til fastlegen").fill(question)
    await psychologist.get_by_role("button", name="Lagre vurdering").click()
    await expect(psychologist.get_by_role("status")).to_have_text("Lagret.")
    await expect(psychologist.locator("#vurdering")).to_contain_text("Venter på svar fra fastlege")

    gp = await _new_page(browser)
    await _log_in(gp, live_server, "gp_anne@test.example")
    await expect(gp.get_by_text("Venter på svar fra deg: 1")).to_be_visible()
    await screenshot(gp, "gp-start-waiting")
    await gp.get_by_role("link", name="Se og svar i Mine henvisninger").click()
    await expect(gp.get_by_text("Venter på svar fra deg: 1")).to_be_visible()
    first_row = gp.locator("table tbody tr").first
    await expect(first_row).to_contain_text("Venter på svar fra deg")
    await screenshot(gp, "gp-mine-waiting")
    await first_row.get_by_role("link", name="Venter på svar fra deg").click()
    await expect(gp.get_by_text(question)).to_be_visible()
    await gp.get_by_label("Svar til teamet").fill(answer)
    await gp.get_by_role("button", name="Send svar").click()
    await expect(gp.get_by_role("status")).to_have_text("Svaret er sendt til teamet.")
    await gp.goto(f"{live_server}/")
    await expect(gp.get_by_text("Venter på svar fra deg")).to_have_count(0)

    await psychologist.goto(f"{live_server}/klinikk/arbeidsliste")
    row = psychologist.locator("table.worklist tbody tr").first
    await expect(row).to_contain_text("Svar fra fastlege")
    await expect(row).to_contain_text("virkedager igjen")
    await screenshot(psychologist, "worklist-answer-from-gp")
    await psychologist.goto(case_url)
    await expect(psychologist.locator("#vurdering")).to_contain_text(answer)
    await expect(psychologist.locator("#vurdering")).to_contain_text("Anne Allmennlege")
    await expect(psychologist.locator(".history")).to_contain_text("Svar fra fastlege")
    await screenshot(psychologist, "case-answer-from-gp")
