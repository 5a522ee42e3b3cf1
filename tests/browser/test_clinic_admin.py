"""In a real browser: the administrator's clinic pages and new-user form (issue 15 §4), the
GP's choice of clinic on the referral form and a forwarding from the case page (§2).
Desktop and phone width, no WCAG violation (axe)."""

from __future__ import annotations

import httpx
import pytest
from playwright.async_api import Browser, expect

from helseiarbeid.clinics import services as clinics
from helseiarbeid.core.audit import Actor
from helseiarbeid.core.tables import AuditEvent
from tests.browser.conftest import page_as, screenshot
from tests.cast import Cast, bearer
from tests.referrals.factories import referral_body

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("width", [1280, 390])
async def test_the_administrator_sets_up_a_clinic_and_a_user(
    browser: Browser, live_server: str, cast: Cast, width: int
) -> None:
    page = await page_as(browser, live_server, "ada@test.example", width)
    await page.goto(f"{live_server}/admin/klinikker")
    await page.get_by_label("Navn", exact=True).fill("HelseIArbeid Troms")
    await page.get_by_label("Kortnavn", exact=True).fill("Troms nord")
    await page.get_by_role("button", name="Opprett klinikk").click()
    await expect(page.locator(".error-summary")).to_contain_text("Kortnavnet må ha 2–40 tegn")
    await screenshot(page, f"clinics-error-{width}")
    await page.get_by_label("Kortnavn", exact=True).fill("troms")
    await page.get_by_role("button", name="Opprett klinikk").click()
    await expect(page.get_by_role("heading", level=1)).to_have_text("HelseIArbeid Troms")
    await page.get_by_label("Ny HER-id", exact=True).fill("8765432")
    await page.get_by_role("button", name="Legg til HER-id").click()
    await page.get_by_label("Kommunenummer", exact=True).fill("5501")
    await page.get_by_label("Kommunenavn", exact=True).fill("Tromsø")
    await page.get_by_role("button", name="Legg til kommune").click()
    await page.get_by_label("Ansatt", exact=True).select_option(label="Per Psykolog (Psykolog)")
    await page.get_by_role("button", name="Legg til medlem").click()
    await expect(page.get_by_role("row").filter(has_text="Per Psykolog")).to_be_visible()
    await expect(page.locator("#kommuner")).to_contain_text("Tromsø")
    assert await page.evaluate("document.documentElement.scrollWidth") <= width
    await screenshot(page, f"clinic-{width}")
    await page.goto(f"{live_server}/admin/klinikker")
    await screenshot(page, f"clinics-{width}")

    await page.goto(f"{live_server}/admin/users")
    await page.get_by_role("link", name="Ny bruker").click()
    await page.get_by_label("Navn", exact=True).fill("Tove Troms")
    await page.get_by_label("E-post", exact=True).fill(f"tove{width}@test.example")
    await page.get_by_label("Rolle", exact=True).select_option(label="Fysikalsk medisiner")
    await page.get_by_label("HelseIArbeid Troms", exact=True).check()
    await page.get_by_label("Startpassord (valgfritt)", exact=True).fill("et-langt-startpassord")
    await page.get_by_role("button", name="Opprett bruker").click()
    await expect(page.locator(".error-summary")).to_contain_text("HPR-nummer")
    await screenshot(page, f"new-user-error-{width}")
    await page.get_by_label("HPR-nummer", exact=True).fill("6789123")
    await page.get_by_role("button", name="Opprett bruker").click()
    await expect(page.locator(".notice")).to_contain_text("Brukeren er opprettet.")
    troms = await clinics.get_clinic("troms")
    assert {member.name for member in troms.members} == {"Per Psykolog", "Tove Troms"}
    assert await AuditEvent.count().where(AuditEvent.resource_type == "clinic") >= 4


@pytest.mark.parametrize("width", [1280, 390])
async def test_the_gp_chooses_a_clinic_and_a_clinic_forwards_a_case(
    browser: Browser, live_server: str, cast: Cast, width: int
) -> None:
    admin = Actor(user_id=cast["ada"].id, role="admin", client="test")
    await clinics.create_clinic(admin, name="HelseIArbeid Finnmark", slug="finnmark")
    await clinics.add_municipality(admin, "finnmark", number="5601", name="Alta")
    gp = await page_as(browser, live_server, "gp_anne@test.example", width)
    await gp.goto(f"{live_server}/henvisninger/ny")
    await expect(
        gp.get_by_role("group", name="Hvilken klinikk skal henvisningen til?")
    ).to_be_visible()
    await gp.get_by_label("Bostedskommune (kommunenummer) (valgfritt)", exact=True).fill("5601")
    await screenshot(gp, f"referral-form-clinics-{width}")

    async with httpx.AsyncClient(base_url=live_server) as http:
        sent = await http.post(
            "/api/v1/referrals",
            json=referral_body(**{"patient.municipality": "1804"}, clinic="helseiarbeid"),
            headers=await bearer(cast["gp_anne"]),
        )
    assert sent.status_code == 201, sent.text
    referral_id = sent.json()["id"]
    page = await page_as(browser, live_server, "kari@test.example", width)
    await page.goto(f"{live_server}/klinikk/henvisninger/{referral_id}")
    section = page.locator("#videresend")
    await section.get_by_label("Klinikk", exact=True).select_option(label="HelseIArbeid Finnmark")
    await section.get_by_label("Begrunnelse (10–500 tegn)", exact=True).fill("Kort")
    await section.get_by_role("button", name="Videresend henvisningen").click()
    await expect(page.locator("#videresend")).to_contain_text("minst 10 tegn")
    await screenshot(page, f"forward-error-{width}")
    section = page.locator("#videresend")
    await section.get_by_label("Begrunnelse (10–500 tegn)", exact=True).fill(
        "Pasienten har flyttet til Alta kommune."
    )
    await section.get_by_role("button", name="Videresend henvisningen").click()
    await expect(page.locator(".notice")).to_contain_text("videresendt til den andre klinikken")
    await screenshot(page, f"forwarded-worklist-{width}")
    await page.goto(f"{live_server}/klinikk/henvisninger/{referral_id}")
    await expect(page.get_by_role("heading", level=1)).not_to_contain_text("Lise")
