"""In a real browser: the coordinator sees mail that could not be sent and sends it again
(issue 12 §1), on a desktop and a phone-sized screen, with no WCAG violation (axe)."""

from __future__ import annotations

import json

import pytest
from playwright.async_api import Browser, expect

from helseiarbeid.core.clock import utcnow
from helseiarbeid.core.tables import OutboxMessage
from tests.browser.conftest import page_as, screenshot
from tests.cast import Cast

pytestmark = pytest.mark.browser


@pytest.fixture
async def failed_mail(cast: Cast) -> str:
    now = utcnow()
    subject = "HelseIArbeid: Bekreftet – Modul 2, Bodø Havnelager AS"
    await OutboxMessage.insert(
        OutboxMessage(
            channel="mail",
            recipients=json.dumps(["erik@test.example", "per@test.example"]),
            subject=subject,
            body="Modul 2 for Bodø Havnelager AS",
            created_at=now,
            attempts=8,
            next_attempt_at=now,
            last_error="e-posttjeneren avviste e-posten (SMTP 550)",
            failed_at=now,
        )
    )
    return subject


@pytest.mark.parametrize("width", [1280, 390])
async def test_the_coordinator_sends_a_failed_mail_again(
    browser: Browser, live_server: str, failed_mail: str, width: int
) -> None:
    page = await page_as(browser, live_server, "kari@test.example", width)
    await page.get_by_role("link", name="Utsendinger").click()
    row = page.get_by_role("row").filter(has_text=failed_mail)
    await expect(row).to_contain_text("Feilet")
    await expect(row).to_contain_text("SMTP 550")
    assert await page.evaluate("document.documentElement.scrollWidth") <= width
    await screenshot(page, f"outbox-{width}")
    await row.get_by_role("button", name="Send igjen").click()
    await expect(page.get_by_role("status")).to_have_text("Utsendingen er lagt i køen igjen.")
    await expect(page.get_by_role("row").filter(has_text=failed_mail)).to_contain_text("Venter")
