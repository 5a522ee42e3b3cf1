"""In a real browser: a referral typed across a session expiry is not lost, the warning before
expiry keeps the session, the focus outline is visible, the access log speaks Norwegian."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import msgspec
import pytest
from playwright.async_api import Page, expect

from helseiarbeid.core.clock import utcnow
from helseiarbeid.core.tables import UserSession
from helseiarbeid.referrals import services as referrals
from helseiarbeid.referrals.schemas import ReferralCreate
from helseiarbeid.referrals.tables import Referral
from tests.browser.conftest import log_in, screenshot
from tests.cast import Cast
from tests.referrals.factories import PATIENT_ID, referral_body

pytestmark = pytest.mark.browser


async def _log_in(page: Page, email: str) -> None:
    await log_in(page, email)


async def _age_sessions(user_id: int, minutes: int) -> None:
    await UserSession.update(
        {UserSession.last_seen_at: utcnow() - timedelta(minutes=minutes)}
    ).where(UserSession.user == user_id)


async def test_a_referral_typed_when_the_session_expires_comes_back_filled(
    page: Page, live_server: str, cast: Cast
) -> None:
    await page.goto(f"{live_server}/login?next=/henvisninger/ny")
    await _log_in(page, "gp_anne@test.example")
    await page.get_by_label("Navn", exact=True).fill("Lise Lyngstad")
    await page.get_by_label("Beskrivelse av plagene").fill("Smerter i korsrygg og nedstemthet.")
    await page.get_by_label("Spørsmål til teamet").fill("Vurdering av arbeidsevne?")
    await _age_sessions(cast["gp_anne"].id, 31)

    await page.get_by_role("button", name="Send henvisning").click()

    await expect(page.get_by_role("heading", name="Logg inn")).to_be_visible()
    await expect(page.get_by_role("status")).to_contain_text("Økten din er utløpt.")
    await expect(page.get_by_role("status")).to_contain_text("Skjemaet du sendte er tatt vare på")
    assert "korsrygg" not in page.url
    await screenshot(page, "login-form-kept")
    await _log_in(page, "gp_anne@test.example")
    await expect(page).to_have_url(f"{live_server}/henvisninger/ny")
    await expect(page.get_by_label("Beskrivelse av plagene")).to_have_value(
        "Smerter i korsrygg og nedstemthet."
    )
    await expect(page.get_by_label("Navn", exact=True)).to_have_value("Lise Lyngstad")
    await expect(page.get_by_text("Skjemaet ble tatt vare på da økten din utløp")).to_be_visible()
    await screenshot(page, "referral-form-kept")
    assert await Referral.count() == 0


async def test_the_warning_before_expiry_keeps_the_session(
    page: Page, live_server: str, cast: Cast
) -> None:
    await page.clock.install()
    await page.goto(f"{live_server}/login")
    await _log_in(page, "gp_anne@test.example")
    await expect(page.get_by_role("heading", name="Velkommen", exact=False)).to_be_visible()
    warning = page.locator("#session-warning")
    await expect(warning).to_be_hidden()

    await page.clock.fast_forward("28:30")
    await expect(warning).to_be_visible()
    await expect(warning).to_contain_text("Du blir logget ut om 2 minutter")
    await screenshot(page, "session-warning")
    await _age_sessions(cast["gp_anne"].id, 29)
    await page.get_by_role("button", name="Fortsett å være innlogget").click()
    await expect(warning).to_be_hidden()
    row = await UserSession.select(UserSession.last_seen_at).first()
    assert row is not None
    assert utcnow() - row["last_seen_at"] < timedelta(minutes=1)


CONTRAST = """(element) => {
  const rgb = (color) => color.match(/[\\d.]+/g).slice(0, 3).map(Number);
  const luminance = (color) => {
    const [r, g, b] = rgb(color).map((c) => {
      c /= 255;
      return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
    });
    return 0.2126 * r + 0.7152 * g + 0.0722 * b;
  };
  let around = element.parentElement;
  while (getComputedStyle(around).backgroundColor === "rgba(0, 0, 0, 0)") {
    around = around.parentElement;
  }
  const a = luminance(getComputedStyle(element).outlineColor);
  const b = luminance(getComputedStyle(around).backgroundColor);
  return (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
}"""


async def test_the_focus_outline_stands_out_from_what_surrounds_it(
    page: Page, live_server: str
) -> None:
    await page.goto(f"{live_server}/login")
    await _log_in(page, "kari@test.example")
    await expect(page.get_by_role("heading", name="Velkommen", exact=False)).to_be_visible()
    for target in (
        page.get_by_role("navigation", name="Hovedmeny").get_by_role("link", name="Arbeidsliste"),
        page.locator("main a").first,
        page.locator("main .button").first,
    ):
        await target.focus()
        await page.keyboard.press("Shift+Tab")
        await page.keyboard.press("Tab")  # keyboard focus, so :focus-visible applies
        await expect(target).to_be_focused()
        ratio = await target.evaluate(CONTRAST)
        assert ratio >= 3, f"focus outline contrast {ratio:.2f}:1 (WCAG 1.4.11 asks 3:1)"
    await screenshot(page, "focus-outline")


@pytest.fixture
async def seen_referral(cast: Cast) -> dict[str, Any]:
    referral = msgspec.convert(referral_body(), ReferralCreate)
    submission = await referrals.submit(cast["gp_anne"], referral, key=None, source="api")
    row = (
        await Referral.select(Referral.patient).where(Referral.id == submission.receipt.id).first()
    )
    assert row is not None
    return {"id": submission.receipt.id, "patient": row["patient"]}


async def test_the_access_log_pages_speak_norwegian_and_name_the_patient(
    page: Page, live_server: str, seen_referral: dict[str, Any]
) -> None:
    await page.goto(f"{live_server}/login")
    await _log_in(page, "ada@test.example")
    await page.goto(f"{live_server}/admin/audit")
    row = page.locator("tbody tr").first
    await expect(row).to_contain_text("Fastlege")
    await expect(row).to_contain_text("Opprettet")
    await expect(row).to_contain_text("Henvisning")
    await screenshot(page, "audit-log-norwegian")
    await row.get_by_role("link", name=f"Pasient {seen_referral['patient']}").click()
    await expect(
        page.get_by_role("heading", name="Hvem har sett opplysningene til Lise Lyngstad")
    ).to_be_visible()
    await expect(page.get_by_text(f"Fødselsnummer {PATIENT_ID[:6]}*****")).to_be_visible()
    await expect(page.locator("tbody")).to_contain_text("Fastlege")
    await screenshot(page, "patient-access-report")
    await page.get_by_role(
        "link", name=f"Henvisning {seen_referral['id']}", exact=False
    ).first.click()
    await expect(page.get_by_role("heading", name="Tilgangslogg")).to_be_visible()
    await expect(page.locator("tbody tr").first).to_contain_text("Pasient")
