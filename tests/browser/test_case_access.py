"""In a real browser (issue 12 §4): the coordinator records that the patient withdrew the
consent to NAV taking part, confirmed; the NAV counsellor's worklist then shows the case
without health text; a physician opening a case outside the open queue is asked for the
reason first."""

from __future__ import annotations

import msgspec
import pytest
from playwright.async_api import Browser, expect

from helseiarbeid.clinic_track import services as clinic
from helseiarbeid.clinic_track.schemas import AssessmentCreate, Decision
from helseiarbeid.core.audit import Actor
from helseiarbeid.referrals import services as referrals
from helseiarbeid.referrals.schemas import ReferralCreate
from tests.browser.conftest import page_as, screenshot
from tests.cast import Cast
from tests.referrals.factories import referral_body

pytestmark = pytest.mark.browser


async def _referral(cast: Cast) -> int:
    submission = await referrals.submit(
        cast["gp_anne"], msgspec.convert(referral_body(), ReferralCreate), key=None, source="api"
    )
    return submission.receipt.id


@pytest.mark.parametrize("width", [1280, 390])
async def test_withdrawn_consent_and_the_nav_worklist(
    browser: Browser, live_server: str, cast: Cast, width: int
) -> None:
    referral_id = await _referral(cast)
    kari = await page_as(browser, live_server, "kari@test.example", width)
    await kari.goto(f"{live_server}/klinikk/henvisninger/{referral_id}#samtykke")
    section = kari.locator("#samtykke")
    await expect(section).to_contain_text("Gitt")
    await kari.get_by_label("Merknad (valgfri)").fill("Ringte klinikken")
    await kari.get_by_role("button", name="Registrer tilbaketrekking").click()
    # The browser's own check stops it until the confirmation box is ticked.
    await expect(kari.get_by_label("Jeg bekrefter at pasienten har trukket")).to_be_visible()
    await kari.get_by_label("Jeg bekrefter at pasienten har trukket").check()
    await kari.get_by_role("button", name="Registrer tilbaketrekking").click()
    await expect(section).to_contain_text("Trukket tilbake")
    await expect(section).to_contain_text("NAV-veilederen ser ikke helseopplysninger")
    await expect(kari.get_by_role("button", name="Registrer samtykke")).to_be_visible()
    await section.scroll_into_view_if_needed()
    await screenshot(kari, f"case-consent-withdrawn-{width}")

    nils = await page_as(browser, live_server, "nils@test.example", width)
    await nils.goto(f"{live_server}/klinikk/arbeidsliste")
    row = nils.get_by_role("row", name="Lise Lyngstad")
    await expect(row).to_contain_text("Ingen tilgang til helseopplysninger")
    await expect(row.get_by_role("link")).to_have_count(0)
    await screenshot(nils, f"nav-worklist-without-consent-{width}")
    response = await nils.goto(f"{live_server}/klinikk/henvisninger/{referral_id}")
    assert response is not None
    assert response.status == 403
    await expect(nils.get_by_role("heading", level=1)).to_have_text("Ingen tilgang")
    await expect(nils.locator("main")).to_contain_text("samtykke")


async def test_a_physician_gives_a_reason_to_open_a_closed_case(
    browser: Browser, live_server: str, cast: Cast
) -> None:
    referral_id = await _referral(cast)
    per = cast["per"]
    await clinic.assess(
        per,
        Actor(user_id=per.id, role=per.role.value),
        referral_id,
        AssessmentCreate(decision=Decision.RETURNED, reason="Passer bedre i kommunen."),
    )
    frida = await page_as(browser, live_server, "frida@test.example")
    await frida.goto(f"{live_server}/klinikk/henvisninger/{referral_id}")
    await expect(frida.get_by_role("heading", level=1)).to_have_text("Oppgi tjenstlig behov")
    await frida.get_by_label("Tjenstlig behov (begrunnelse)").fill("for kort")
    await frida.get_by_role("button", name="Åpne saken").click()
    await expect(frida.locator(".field-error")).to_contain_text("minst 10 tegn")
    await screenshot(frida, "reason-page-refused")
    await frida.get_by_label("Tjenstlig behov (begrunnelse)").fill(
        "Pasienten er henvist på nytt; trenger forrige vurdering."
    )
    await frida.get_by_role("button", name="Åpne saken").click()
    await expect(frida.get_by_role("heading", level=1)).to_contain_text("Lise Lyngstad")
