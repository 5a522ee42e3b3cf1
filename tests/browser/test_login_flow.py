"""A coordinator logs in, sees the start page, and logs out — in a real browser."""

from __future__ import annotations

import msgspec
import pytest
from playwright.async_api import Page, expect

from helseiarbeid.referrals import services as referrals
from helseiarbeid.referrals.schemas import ReferralCreate
from tests.browser.conftest import screenshot
from tests.cast import PASSWORD, Cast
from tests.referrals.factories import referral_body

pytestmark = pytest.mark.browser


@pytest.fixture
async def annes_referral_in_server(cast: Cast) -> str:
    """A referral in the worklist; returns the patient's name."""
    data = msgspec.convert(referral_body(), ReferralCreate)
    await referrals.submit(cast["gp_anne"], data, key=None, source="api")
    return data.patient.name


async def test_coordinator_logs_in_sees_start_page_and_logs_out(
    page: Page, live_server: str
) -> None:
    await page.goto(f"{live_server}/")
    await expect(page).to_have_url(f"{live_server}/login?next=%2F")
    await expect(page.get_by_role("heading", name="Logg inn")).to_be_visible()
    await screenshot(page, "login")

    await page.get_by_label("E-postadresse").fill("kari@test.example")
    await page.get_by_label("Passord").fill("feil-passord-her")
    await page.get_by_role("button", name="Logg inn").click()
    await expect(page.get_by_role("alert")).to_contain_text("Feil e-postadresse eller passord.")
    await expect(page.get_by_label("E-postadresse")).to_have_value("kari@test.example")

    await page.get_by_label("Passord").fill(PASSWORD)
    await page.get_by_label("Passord").press("Enter")
    await expect(page.get_by_role("heading", name="Velkommen, Kari Koordinator")).to_be_visible()
    await expect(page.get_by_role("navigation", name="Hovedmeny")).to_be_visible()
    await expect(page.get_by_role("heading", name="Arbeidsliste")).to_be_visible()
    await screenshot(page, "start-coordinator")

    await page.get_by_role("button", name="Logg ut").click()
    await expect(page.get_by_role("status")).to_have_text("Du er logget ut.")
    await page.goto(f"{live_server}/")
    await expect(page.get_by_role("heading", name="Logg inn")).to_be_visible()


async def test_admin_reaches_the_audit_log_from_the_menu_by_keyboard(
    page: Page, live_server: str
) -> None:
    await page.goto(f"{live_server}/login")
    await page.get_by_label("E-postadresse").fill("ada@test.example")
    await page.get_by_label("Passord").fill(PASSWORD)
    await page.get_by_role("button", name="Logg inn").click()
    await expect(page.get_by_role("heading", name="Velkommen, Ada Admin")).to_be_visible()
    await screenshot(page, "start-admin")
    await page.keyboard.press("Tab")
    await expect(page.get_by_role("link", name="Hopp til innholdet")).to_be_focused()
    await (
        page.get_by_role("navigation", name="Hovedmeny")
        .get_by_role("link", name="Tilgangslogg")
        .click()
    )
    await expect(page.get_by_role("heading", name="Tilgangslogg")).to_be_visible()
    await screenshot(page, "audit-log")
    await (
        page.get_by_role("navigation", name="Hovedmeny").get_by_role("link", name="Brukere").click()
    )
    await expect(page.get_by_role("heading", name="Brukere og API-nøkler")).to_be_visible()
    await screenshot(page, "users")


async def test_back_after_logout_shows_no_personal_data(
    page: Page, live_server: str, annes_referral_in_server: str
) -> None:
    """Issue 12 §3: the browser's Back button showed a full case after «Logg ut»."""
    await page.goto(f"{live_server}/login")
    await page.get_by_label("E-postadresse").fill("kari@test.example")
    await page.get_by_label("Passord").fill(PASSWORD)
    await page.get_by_role("button", name="Logg inn").click()
    await page.goto(f"{live_server}/klinikk/arbeidsliste")
    await expect(page.get_by_text(annes_referral_in_server).first).to_be_visible()
    await page.get_by_role("button", name="Logg ut").click()
    await expect(page.get_by_role("status")).to_have_text("Du er logget ut.")
    await page.go_back()
    await expect(page.get_by_role("heading", name="Logg inn")).to_be_visible()
    assert annes_referral_in_server not in await page.content()
