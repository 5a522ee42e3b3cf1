"""An enterprise books its programme with the coordinator, in a real browser."""

from __future__ import annotations

import io

import pytest
from playwright.async_api import Browser, Page, expect
from pypdf import PdfReader

from tests.browser.conftest import assert_fits, log_in, screenshot
from tests.cast import Cast
from tests.company_track import factories

pytestmark = pytest.mark.browser


@pytest.fixture
async def enterprise(cast: Cast) -> int:
    return await factories.enterprise(
        await factories.service_area(), 50, contact_id=cast["erik"].id
    )


async def _page_as(browser: Browser, base: str, email: str) -> Page:
    context = await browser.new_context(locale="nb-NO", timezone_id="Europe/Oslo")
    page = await context.new_page()
    await page.goto(f"{base}/login")
    await log_in(page, email)
    await expect(page.get_by_role("heading", name="Velkommen", exact=False)).to_be_visible()
    return page


async def test_enterprise_requests_coordinator_confirms_modules_booked_plan_downloaded(
    browser: Browser, live_server: str, enterprise: int
) -> None:
    contact = await _page_as(browser, live_server, "erik@test.example")
    await (
        contact.get_by_role("navigation", name="Hovedmeny")
        .get_by_role("link", name="Vårt program")
        .click()
    )
    await contact.get_by_role("button", name="Be om HelseIArbeid-program").click()
    await expect(contact.get_by_role("heading", name="Be om: Forankringsmøte")).to_be_visible()
    await screenshot(contact, "programme-request")
    await contact.locator('input[name="slot"]').first.check()
    await contact.get_by_role("button", name="Send ønske").click()
    await expect(contact.locator(".session")).to_contain_text("Ønsket")
    programme_url = contact.url.split("?")[0]

    coordinator = await _page_as(browser, live_server, "kari@test.example")
    await coordinator.goto(programme_url)
    await coordinator.get_by_label("Per Psykolog (Psykolog)").first.check()
    await coordinator.get_by_label("Nils NAV (NAV-veileder)").first.check()
    await coordinator.get_by_role("button", name="Bekreft samlingen").click()
    await expect(coordinator.locator(".session").first).to_contain_text("Bekreftet")

    for number in (1, 2, 3):
        await expect(
            coordinator.get_by_role("heading", name=f"Sett opp: Modul {number}", exact=False)
        ).to_be_visible()
        await coordinator.locator('input[name="slot"]').first.check()
        await coordinator.get_by_label("Frida Fysikalsk (Fysikalsk medisiner)").last.check()
        await coordinator.get_by_label("Nils NAV (NAV-veileder)").last.check()
        await coordinator.get_by_role("button", name="Sett opp samlingen").click()
        await expect(coordinator.get_by_role("status").filter(has_text="Lagret.")).to_be_visible()
    await screenshot(coordinator, "programme-coordinator")

    await coordinator.goto(f"{live_server}/planlegging")
    await expect(
        coordinator.get_by_role("heading", name="Planlegging av bedriftstiltak")
    ).to_be_visible()
    chips = coordinator.locator(".tl-item")
    assert await chips.count() == 4
    for index in range(4):
        box = await chips.nth(index).bounding_box()
        assert box is not None
        assert box["width"] >= 24
        assert box["height"] >= 24  # WCAG 2.5.8 target size
    await screenshot(coordinator, "planning")
    await assert_fits(coordinator)
    await screenshot(coordinator, "planning-390")

    await contact.reload()
    for title in ("Forankringsmøte", "Modul 1", "Modul 2", "Modul 3"):
        await expect(contact.locator(".session").filter(has_text=title)).to_contain_text(
            "Bekreftet"
        )
    await expect(contact.get_by_text("Forankringsmøte satt opp", exact=False)).to_be_visible()
    await screenshot(contact, "programme-contact")
    href = await contact.get_by_role("link", name="Programplan (PDF)").get_attribute("href")
    assert href
    pdf = await contact.context.request.get(f"{live_server}{href}")
    assert pdf.status == 200
    text = PdfReader(io.BytesIO(await pdf.body())).pages[0].extract_text()
    assert "Programplan for Bodø Havnelager AS" in text
    assert "Modul 3" in text
    assert "Smertemestring" in text
