"""In a real browser: an urgent referral's internal target on the GP's receipt and first in
the worklist; the NAV counsellor offered only NAV measures for onward referral; a consultation
on a Saturday or at 22:00 refused beside the date field."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import msgspec
import pytest
from playwright.async_api import Browser, expect

from helseiarbeid.clinic_track import services as clinic
from helseiarbeid.clinic_track.schemas import AssessmentCreate, Decision, Priority
from helseiarbeid.core.audit import Actor
from helseiarbeid.core.clock import pinned, today_in_oslo
from helseiarbeid.referrals import services as referrals
from helseiarbeid.referrals.schemas import ReferralCreate
from tests.browser.conftest import page_as, screenshot
from tests.cast import Cast
from tests.company_track.conftest import working_day_at
from tests.referrals.factories import OTHER_PATIENT_ID, PATIENT_ID, referral_body

pytestmark = pytest.mark.browser


@pytest.fixture
async def accepted(cast: Cast) -> int:
    """Olav's routine referral, eight days old and accepted by Frida."""
    body = referral_body(
        **{"patient.national_id": OTHER_PATIENT_ID, "patient.name": "Olav Olsen"},
        sick_leave_since="2026-01-05",
    )
    with pinned(datetime.now(UTC) - timedelta(days=8)):
        submission = await referrals.submit(
            cast["gp_anne"], msgspec.convert(body, ReferralCreate), key=None, source="api"
        )
    frida = cast["frida"]
    await clinic.assess(
        frida,
        Actor(user_id=frida.id, role=frida.role.value),
        submission.receipt.id,
        AssessmentCreate(
            decision=Decision.ACCEPTED,
            start_deadline=today_in_oslo() + timedelta(days=30),
            priority=Priority.NORMAL,
        ),
    )
    return submission.receipt.id


@pytest.mark.parametrize("width", [1280, 390])
async def test_urgent_referral_from_the_gp_to_the_top_of_the_worklist(
    browser: Browser, live_server: str, cast: Cast, width: int
) -> None:
    older = referral_body(
        **{"patient.national_id": OTHER_PATIENT_ID, "patient.name": "Rut Rutine"},
        sick_leave_since="2026-01-05",
    )
    with pinned(datetime.now(UTC) - timedelta(days=8)):
        await referrals.submit(
            cast["gp_anne"], msgspec.convert(older, ReferralCreate), key=None, source="api"
        )
    gp = await page_as(browser, live_server, "gp_anne@test.example", width)
    await gp.goto(f"{live_server}/henvisninger/ny")
    await gp.get_by_label("Fødselsnummer eller D-nummer").fill(PATIENT_ID)
    await gp.get_by_label("Navn", exact=True).fill("Lise Lyngstad")
    await gp.get_by_label("Adresse").fill("Fjellveien 3, 8006 Bodø")
    await gp.get_by_label("Telefon").fill("912 34 567")
    await gp.get_by_label("Arbeidsgiver").fill("Bodø Havnelager AS")
    await gp.get_by_label("Stilling").fill("Lagermedarbeider")
    await gp.get_by_label("Gradert sykmeldt").check()
    await gp.get_by_label("Sykmeldingsgrad i prosent").fill("40")
    await gp.get_by_label("Sykmeldt fra").fill("2026-09-14")
    await gp.get_by_label("Både muskel- og skjelettplager og psykiske plager").check()
    await gp.get_by_label("Beskrivelse av plagene").fill("Smerter i korsrygg og nedstemthet.")
    await gp.get_by_label("Spørsmål til teamet").fill("Vurdering av arbeidsevne?")
    await gp.get_by_label("Haster", exact=True).check()
    await gp.get_by_label("Begrunnelse for at det haster").fill("Står i fare for å miste jobben.")
    await gp.get_by_label("Pasienten samtykker til tverrfaglig vurdering der NAV deltar").check()
    await gp.get_by_role("button", name="Send henvisning").click()
    receipt = gp.get_by_role("heading", name="Bekreftelse på mottatt henvisning")
    await expect(receipt).to_be_visible()
    await expect(gp.locator(".receipt")).to_contain_text("lovkrav: 10 virkedager")
    await expect(gp.locator(".receipt")).to_contain_text("Internt mål (haster)")
    await screenshot(gp, f"receipt-urgent-{width}")

    coordinator = await page_as(browser, live_server, "kari@test.example", width)
    await coordinator.goto(f"{live_server}/klinikk/arbeidsliste")
    first_row = coordinator.locator("table.worklist tbody tr").first
    await expect(first_row).to_contain_text("Lise Lyngstad")
    await expect(first_row).to_contain_text("Internt mål")
    await screenshot(coordinator, f"worklist-urgent-{width}")
    await first_row.get_by_role("link").click()
    await expect(coordinator.locator(".facts")).to_contain_text("Internt mål (haster)")
    await screenshot(coordinator, f"case-urgent-{width}")
    await coordinator.goto(f"{live_server}/klinikk/oversikt")
    await expect(
        coordinator.locator(".kpi").filter(has_text="hastehenvisninger venter på vurdering")
    ).to_contain_text("1")
    await screenshot(coordinator, f"dashboard-urgent-{width}")


async def test_nav_counsellor_is_offered_nav_measures_only(
    browser: Browser, live_server: str, accepted: int
) -> None:
    nav = await page_as(browser, live_server, "nils@test.example")
    await nav.goto(f"{live_server}/klinikk/henvisninger/{accepted}#videre")
    options = await nav.get_by_label("Til", exact=True).locator("option").all_text_contents()
    assert options == ["Velg", "Arbeidsrettede tiltak i NAV"]
    await expect(nav.locator("#videre-hint")).to_contain_text("lege eller psykolog")
    await screenshot(nav, "case-onward-nav")
    psychologist = await page_as(browser, live_server, "per@test.example")
    await psychologist.goto(f"{live_server}/klinikk/henvisninger/{accepted}#videre")
    choice = psychologist.get_by_label("Til", exact=True)
    offered = await choice.locator("option").all_text_contents()
    assert "Distriktspsykiatrisk senter (DPS)" in offered


@pytest.mark.parametrize("width", [1280, 390])
async def test_a_consultation_on_a_saturday_or_at_night_is_refused_by_the_date(
    browser: Browser, live_server: str, accepted: int, width: int
) -> None:
    coordinator = await page_as(browser, live_server, "kari@test.example", width)
    await coordinator.goto(f"{live_server}/klinikk/henvisninger/{accepted}")
    weekday = working_day_at(7, 10)
    saturday = weekday + timedelta(days=(5 - weekday.weekday()) % 7)
    for day, clock, words in (
        (saturday, "10:00", "er helg eller helligdag; velg en virkedag"),
        (weekday, "22:00", "innenfor arbeidstiden 08:00–16:00"),
    ):
        await coordinator.get_by_label("Dato", exact=True).fill(day.date().isoformat())
        await coordinator.get_by_label("Klokkeslett").fill(clock)
        await coordinator.get_by_label("Per Psykolog (Psykolog)").check()
        await coordinator.get_by_role(
            "button", name="Sett opp konsultasjon og lag innkalling"
        ).click()
        await expect(coordinator.locator("#konsultasjoner-starts_at-error")).to_contain_text(words)
    await expect(coordinator.get_by_role("link", name="Innkalling (PDF)")).to_have_count(0)
    await screenshot(coordinator, f"case-consultation-refused-{width}")
