"""In a real browser: the coordinator's «Meldinger» (issue 13 §12, received messages): type,
sender with HER-id, time, referral, AppRec status and errors; one message shown readably, and
the read is in the access log. Desktop and phone width, no WCAG violation (axe)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.async_api import Browser, expect

from helseiarbeid.core.audit import SYSTEM, AuditAction
from helseiarbeid.core.tables import AuditEvent
from helseiarbeid.messaging import services
from helseiarbeid.settings import get_settings
from tests.browser.conftest import page_as, screenshot
from tests.cast import Cast
from tests.messaging.conftest import HER_IDS, NEW_20, example

pytestmark = pytest.mark.browser


@pytest.fixture
def her_ids(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("HELSEIARBEID_HER_IDS", HER_IDS)
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


@pytest.fixture
async def received(cast: Cast, her_ids: None) -> None:
    actor = SYSTEM
    await services.receive(example(NEW_20), actor)
    await services.receive(
        example(NEW_20)
        .replace(b"<Id>90998</Id>", b"<Id>4</Id>")
        .replace(b"<Id>59</Id>", b"<Id>5</Id>")
        .replace(b"76665c90", b"99995c90"),
        actor,
    )


@pytest.mark.parametrize("width", [1280, 390])
async def test_the_coordinator_reads_a_received_referral_message(
    browser: Browser, live_server: str, received: None, width: int
) -> None:
    page = await page_as(browser, live_server, "kari@test.example", width)
    await page.get_by_role("link", name="Meldinger").click()
    accepted = page.get_by_role("row").filter(has_text="HER-id 91096").filter(has_text="OK")
    await expect(accepted).to_contain_text("Henvisning 2.0 (ny)")
    await expect(accepted).to_contain_text("Kattskinnet legesenter")
    await expect(accepted.get_by_role("link", name="HIA-")).to_be_visible()
    rejected = page.get_by_role("row").filter(has_text="Avvist")
    await expect(rejected).to_contain_text("E21")
    assert await page.evaluate("document.documentElement.scrollWidth") <= width
    await screenshot(page, f"messages-{width}")
    await accepted.get_by_role("link", name="Vis melding").click()
    await expect(page.get_by_role("heading", level=1)).to_contain_text("ny henvisning")
    await expect(page.locator("main")).to_contain_text("Line Danser")
    await expect(page.locator("main")).to_contain_text("9144897")
    await expect(page.locator("main")).to_contain_text("Stadig dårligere denne vinteren")
    assert "13116900216" not in page.url
    await screenshot(page, f"message-{width}")
    reads = await AuditEvent.select().where(
        (AuditEvent.action == AuditAction.READ.value)
        & (AuditEvent.resource_type == "health_message")
    )
    assert len(reads) == 1
    assert reads[0]["referral_id"] is not None
    assert reads[0]["patient_id"] is not None
    await page.get_by_role("link", name="HIA-").click()
    notice = page.locator("main .notice")
    await expect(notice).to_contain_text("Kom som elektronisk henvisning")
    await expect(notice).to_contain_text("samtykke til NAVs deltakelse (ikke registrert)")
    await screenshot(page, f"message-case-{width}")
