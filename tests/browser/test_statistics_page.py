"""The national statistics page and the regions' admin page in a real browser (axe: WCAG 2.1
AA), with the outcome table, a suppressed region and the CSV download."""

from __future__ import annotations

import codecs
from pathlib import Path

import pytest
from playwright.async_api import Browser, expect

from helseiarbeid.regions import services as regions
from tests.browser.conftest import assert_fits, page_as, screenshot
from tests.cast import Cast
from tests.company_track import factories
from tests.statistics.test_national import _completed_programme

pytestmark = pytest.mark.browser


async def test_the_statistics_page_shows_outcomes_and_downloads(
    browser: Browser, live_server: str, cast: Cast, tmp_path: Path
) -> None:
    nordland = await regions.create_region("NAV Arbeidslivssenter Nordland")
    troms = await regions.create_region("NAV Arbeidslivssenter Troms og Finnmark")
    await regions.assign_municipality("Bodø", nordland)
    await regions.assign_municipality("Tromsø", troms)
    area_id = await factories.service_area()
    for serial in range(1, 6):
        await _completed_programme(area_id, serial, "Bodø", 80, 70)
    for serial in range(6, 8):
        await _completed_programme(area_id, serial, "Tromsø", 80, 75)
    page = await page_as(browser, live_server, "stine@test.example")
    await page.get_by_role("link", name="Statistikk", exact=True).click()
    await expect(page.get_by_role("heading", name="Nasjonal statistikk")).to_be_visible()
    outcomes = page.get_by_role("table", name="Endring i sykefravær per NAV-region")
    await expect(outcomes).to_contain_text("-12,5 %")
    await expect(
        outcomes.get_by_role("row", name="NAV Arbeidslivssenter Troms og Finnmark")
    ).to_contain_text("<5")
    await screenshot(page, "statistics")
    async with page.expect_download() as download:
        await page.get_by_role("link", name="Last ned som CSV (Excel)").click()
    saved = tmp_path / "statistikk.csv"
    await (await download.value).save_as(saved)
    assert saved.read_bytes().startswith(codecs.BOM_UTF8)
    await assert_fits(page)
    await screenshot(page, "statistics-phone")

    admin = await page_as(browser, live_server, "ada@test.example")
    await admin.goto(f"{live_server}/admin/regioner")
    await admin.get_by_label("Kommune", exact=True).fill("Alta")
    await admin.get_by_label("Region", exact=True).first.select_option(
        label="NAV Arbeidslivssenter Troms og Finnmark"
    )
    await admin.get_by_role("button", name="Lagre kommunen").click()
    await expect(admin.get_by_role("status")).to_contain_text("Kommunen er flyttet")
    await expect(
        admin.get_by_role("region", name="NAV Arbeidslivssenter Troms og Finnmark")
    ).to_contain_text("Alta")
    await screenshot(admin, "regions-admin")

    # Kari works for Nordland only: the enterprise list shows Nordland's, with the region.
    await regions.remove_member(cast["kari"].id, await regions.default_region_id())
    await regions.add_member(cast["kari"].id, nordland)
    coordinator = await page_as(browser, live_server, "kari@test.example")
    await coordinator.goto(f"{live_server}/bedrifter")
    listing = coordinator.get_by_role("table").first
    await expect(listing).to_contain_text("NAV Arbeidslivssenter Nordland")
    await expect(listing).not_to_contain_text("Troms og Finnmark")
    await screenshot(coordinator, "enterprises-per-region")
