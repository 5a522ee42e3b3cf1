"""From the worklist to the GP's report, in a real browser."""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta

import msgspec
import pytest
from playwright.async_api import Browser, Page, expect
from pypdf import PdfReader

from helseiarbeid.core.clock import pinned, today_in_oslo
from helseiarbeid.referrals import services as referrals
from helseiarbeid.referrals.schemas import ReferralCreate
from tests.browser.conftest import assert_fits, screenshot
from tests.cast import PASSWORD, Cast
from tests.clinic_track.conftest import next_weekday_at
from tests.referrals.factories import OTHER_PATIENT_ID, referral_body

pytestmark = pytest.mark.browser


async def _log_in(page: Page, base: str, email: str) -> None:
    await page.goto(f"{base}/login")
    await page.get_by_label("E-postadresse").fill(email)
    await page.get_by_label("Passord").fill(PASSWORD)
    await page.get_by_role("button", name="Logg inn").click()
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
    await coordinator.get_by_label("Dato").fill(when.date().isoformat())
    await coordinator.get_by_label("Klokkeslett").fill("09:00")
    await coordinator.get_by_label("Per Psykolog (Psykolog)").check()
    await coordinator.get_by_label("Nils NAV (NAV-veileder)").check()
    await coordinator.get_by_role("button", name="Sett opp konsultasjon og lag innkalling").click()
    await expect(coordinator.get_by_role("link", name="Innkalling (PDF)")).to_be_visible()
    await screenshot(coordinator, "case-booked")

    await physician.goto(case_url)
    await physician.get_by_label("Oppsummering").fill("Arbeidsevnen er avklart; kan øke gradvis.")
    await physician.get_by_label("Arbeidsrettede anbefalinger").fill("Gradert arbeid 50 %.")
    await physician.get_by_role("button", name="Lagre avklaringen").click()
    await expect(physician.get_by_role("status")).to_have_text("Lagret.")
    await physician.get_by_label("Til", exact=True).select_option("physiotherapy")
    await physician.get_by_label("Navn på mottaker").fill("Fysioterapi Sentrum")
    await physician.get_by_label("Begrunnelse", exact=True).fill("Styrketrening for korsrygg.")
    await physician.get_by_role("button", name="Henvis videre og lag brev").click()
    await expect(
        physician.get_by_role("link", name="Henvisning videre til Fysioterapi Sentrum")
    ).to_be_visible()
    await physician.get_by_role("button", name="Lag og send rapport").click()
    # The browser will not send it without the confirmation box (required), nor will the server.
    await expect(physician.get_by_role("link", name="Rapport sendt", exact=False)).to_have_count(0)
    await physician.get_by_label("Ja, rapporten skal sendes fastlegen", exact=False).check()
    await physician.get_by_role("button", name="Lag og send rapport").click()
    await expect(physician.get_by_role("link", name="Rapport sendt", exact=False)).to_be_visible()
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
