"""The enterprise contact books module sittings over two weeks in the week view: nothing is
pre-selected, sending without a choice names the field, the week buttons keep the choices."""

from __future__ import annotations

import pytest
from playwright.async_api import Browser, Page, expect

from helseiarbeid.company_track import services
from helseiarbeid.company_track.schemas import SessionCreate, SessionKind
from tests.browser.conftest import screenshot
from tests.cast import PASSWORD, Cast
from tests.company_track import factories
from tests.company_track.conftest import working_day_at

pytestmark = pytest.mark.browser


@pytest.fixture
async def anchored_programme(cast: Cast) -> int:
    """Erik's enterprise with its anchoring meeting booked: Modul 1 is next to ask for."""
    enterprise_id = await factories.enterprise(
        await factories.service_area(),
        51,
        "Salten Omsorgssenter",
        address="Rønvikveien 4, 8009 Bodø",
        employee_count=140,
        contact_id=cast["erik"].id,
    )
    programme_id = await services.request_programme(cast["erik"], enterprise_id)
    await services.add_session(
        cast["kari"],
        programme_id,
        SessionCreate(
            kind=SessionKind.ANCHORING,
            starts_at=working_day_at(1, 9),
            facilitator_ids=[cast["per"].id, cast["nils"].id],
        ),
    )
    return programme_id


async def _contact_page(browser: Browser, base: str, width: int) -> Page:
    context = await browser.new_context(
        locale="nb-NO", timezone_id="Europe/Oslo", viewport={"width": width, "height": 900}
    )
    page = await context.new_page()
    await page.goto(f"{base}/login")
    await page.get_by_label("E-postadresse").fill("erik@test.example")
    await page.get_by_label("Passord").fill(PASSWORD)
    await page.get_by_role("button", name="Logg inn").click()
    await expect(page.get_by_role("heading", name="Velkommen", exact=False)).to_be_visible()
    return page


@pytest.mark.parametrize("width", [1280, 390])
async def test_module_sittings_chosen_in_two_weeks(
    browser: Browser, live_server: str, anchored_programme: int, width: int
) -> None:
    page = await _contact_page(browser, live_server, width)
    await page.goto(f"{live_server}/program/{anchored_programme}")
    await expect(page.get_by_role("heading", name="Be om: Modul 1", exact=False)).to_be_visible()
    slots = page.locator('input[name="slot"]')
    assert await slots.count() > 0
    assert await page.locator('input[name="slot"]:checked').count() == 0
    await screenshot(page, f"booking-week-{width}")

    # Sending without a choice: a Norwegian error naming the field, nothing stored.
    await page.get_by_role("button", name="Send ønske").click()
    await expect(page.locator("#slot-error")).to_have_text(
        "Feil: Ledige tidspunkter: velg minst ett tidspunkt før du sender."
    )
    await expect(page.locator(".session")).to_have_count(1)
    await screenshot(page, f"booking-week-error-{width}")

    # A day-shift sitting this week, then an afternoon sitting next week.
    legend = page.locator("#slot legend")
    first_week = await legend.text_content()
    first_label = await page.locator('input[name="slot"] + label').first.text_content()
    await slots.first.check()
    await page.get_by_role("button", name="Neste uke").click()
    await expect(legend).not_to_have_text(first_week or "")
    await expect(page.get_by_role("group", name="Valgt i andre uker")).to_be_visible()
    await expect(page.locator('input[name="slot"]:checked')).to_have_count(1)
    await page.locator('.week-grid input[name="slot"]').last.check()
    await screenshot(page, f"booking-week-two-{width}")
    await page.get_by_role("button", name="Send ønske").click()
    await expect(page.get_by_role("status")).to_have_text("Lagret.")
    sittings = page.locator(".session").filter(has_text="Modul 1")
    await expect(sittings).to_have_count(2)
    await expect(sittings.first).to_contain_text("Ønsket")
    assert first_label is not None
    await expect(sittings.first).to_contain_text(first_label.split("–")[0].split(",")[0])
    await screenshot(page, f"booking-week-sent-{width}")


@pytest.mark.parametrize("width", [1280, 390])
async def test_a_cancelled_programme_offers_a_new_one(
    browser: Browser, live_server: str, cast: Cast, anchored_programme: int, width: int
) -> None:
    await services.cancel_programme(cast["kari"], anchored_programme, "Virksomheten omorganiseres.")
    page = await _contact_page(browser, live_server, width)
    await page.goto(f"{live_server}/bedrift")
    await expect(page.locator("#nytt-program")).to_contain_text("Programmet er avlyst.")
    await screenshot(page, f"programme-cancelled-{width}")
    await page.get_by_role("button", name="Be om nytt program").click()
    await expect(page.get_by_role("heading", name="Be om: Forankringsmøte")).to_be_visible()
    assert await page.locator('input[name="slot"]:checked').count() == 0
