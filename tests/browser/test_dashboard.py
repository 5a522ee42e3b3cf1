"""The dashboard in a real browser: the small-count rule on the page, and both downloads."""

from __future__ import annotations

import codecs
import csv
import io
from pathlib import Path

import pytest
from openpyxl import load_workbook
from playwright.async_api import Browser, expect

from tests.browser.conftest import log_in, screenshot
from tests.cast import Cast
from tests.clinic_track.test_dashboard import six_and_one

pytestmark = pytest.mark.browser


async def test_the_dashboard_states_the_rule_and_downloads_norwegian_files(
    browser: Browser, live_server: str, cast: Cast, tmp_path: Path
) -> None:
    await six_and_one(cast)
    context = await browser.new_context(locale="nb-NO", timezone_id="Europe/Oslo")
    page = await context.new_page()
    await page.goto(f"{live_server}/login")
    await log_in(page, "kari@test.example")
    await page.goto(f"{live_server}/klinikk/oversikt")
    rule = page.get_by_role("region", name="Anonymisert statistikk")
    await expect(rule).to_contain_text("Tall fra 1 til 4 vises som «<5»")
    await page.get_by_text("Tallene", exact=True).click()
    await screenshot(page, "dashboard")

    async with page.expect_download() as csv_download:
        await rule.get_by_role("link", name="CSV (semikolon)").click()
    saved = tmp_path / "statistikk.csv"
    await (await csv_download.value).save_as(saved)
    body = saved.read_bytes()
    assert body.startswith(codecs.BOM_UTF8)
    rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig"), newline=""), delimiter=";"))
    assert rows[0][:3] == ["År", "Måned", "Plager"]
    assert [rows[-1][3], rows[-1][4], rows[-1][6]] == ["<5", "0", "<5"]

    async with page.expect_download() as xlsx_download:
        await rule.get_by_role("link", name="Excel (xlsx)").click()
    saved = tmp_path / "statistikk.xlsx"
    await (await xlsx_download.value).save_as(saved)
    sheet = load_workbook(saved).worksheets[0]
    assert sheet["D1"].value == "Henvisninger"
    await context.close()
