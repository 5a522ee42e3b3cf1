"""Sick-leave figures, their import, and the evaluation report with its charts, in a browser."""

from __future__ import annotations

import io
from datetime import datetime, time, timedelta

import pytest
from playwright.async_api import Browser, expect
from pypdf import PdfReader

from helseiarbeid.company_track import services
from helseiarbeid.company_track.services.sick_leave import Quarter
from helseiarbeid.company_track.tables import SickLeaveFigure
from helseiarbeid.core.clock import OSLO, pinned, today_in_oslo
from helseiarbeid.core.identifiers import synthetic_org_number
from tests.browser.conftest import SCREENSHOTS, assert_fits, page_as, screenshot
from tests.company_track.conftest import Company, company, working_day_at
from tests.pdf_layout import assert_all_text_on_the_page
from tests.surveys.conftest import run_survey

pytestmark = pytest.mark.browser
__all__ = ["company"]  # the company track's fixture, used here too

HAVNELAGER = synthetic_org_number(11)
HEADER = "kategori;kode;arstall;kvartal;antpers;taptedv;muligedv"


def _rows(percent_by_quarter: list[tuple[int, int, str]], people: int = 85) -> list[str]:
    return [
        f"VIRKSOMHET;{HAVNELAGER};{year};{quarter};{people};{lost};1000"
        for year, quarter, lost in percent_by_quarter
    ]


async def test_figures_page_and_import_with_errors(
    browser: Browser, live_server: str, company: Company
) -> None:
    await services.import_figures(
        company.cast["kari"],
        "\n".join(
            [
                HEADER,
                *_rows([(2025, 3, "82"), (2025, 4, "84"), (2026, 1, "88,5"), (2026, 3, "71")]),
                f"VIRKSOMHET;{HAVNELAGER};2026;2;4;9;120",
                "BRANSJE;Lager;2025;3;41250;218750;3125000",
                "BRANSJE;Lager;2026;3;41250;206250;3125000",
            ]
        ),
    )
    coordinator = await page_as(browser, live_server, "kari@test.example")
    await coordinator.goto(f"{live_server}/bedrifter/{company.enterprise_id}")
    await coordinator.get_by_role("link", name="Sykefravær per kvartal").click()
    await expect(coordinator.get_by_role("heading", level=1)).to_have_text(
        "Sykefravær per kvartal – Havnelager"
    )
    enterprise_panel = coordinator.locator(".kpi").first
    await expect(enterprise_panel).to_contain_text("7,1 %")  # 3rd quarter 2026
    await expect(enterprise_panel).to_contain_text("Siste fire kvartaler: Skjermet")
    await expect(enterprise_panel).to_contain_text("−1,1 prosentpoeng")  # 7.1 − 8.2
    masked_row = coordinator.get_by_role("row", name="2. kvartal 2026")
    await expect(masked_row).to_contain_text("<5")
    await expect(masked_row).to_contain_text("Skjermet")
    await expect(coordinator.locator(".kpi").nth(1)).to_contain_text("6,6 %")
    await coordinator.get_by_label("År").fill("2026")
    await coordinator.get_by_label("Kvartal (1–4)").fill("3")
    await coordinator.get_by_label("Antall personer").fill("85")
    await coordinator.get_by_label("Tapte dagsverk").fill("1200")
    await coordinator.get_by_label("Mulige dagsverk").fill("1000")
    await coordinator.get_by_role("button", name="Lagre kvartalet").click()
    await expect(coordinator.get_by_role("alert")).to_contain_text(
        "Tapte dagsverk kan ikke være flere enn mulige dagsverk."
    )
    await screenshot(coordinator, "sick-leave-figures")

    await coordinator.get_by_role("link", name="importer en CSV-fil").click()
    await coordinator.get_by_label("CSV-innhold").fill(
        "\n".join(
            [
                HEADER,
                f"VIRKSOMHET;{HAVNELAGER};2026;3;85;60;1000",
                f"VIRKSOMHET;{HAVNELAGER};2026;3;85;6o;1000",
                "SEKTOR;Kommunal forvaltning;2026;9;520000;1;10",
            ]
        )
    )
    before = await SickLeaveFigure.count()
    await coordinator.get_by_role("button", name="Importer").click()
    alert = coordinator.get_by_role("alert")
    await expect(alert).to_contain_text("Filen har 2 feil. Ingenting ble lagret.")
    await expect(alert).to_contain_text("Linje 3: kolonne «taptedv» må være et tall")
    await expect(alert).to_contain_text(
        "Linje 4: kolonne «kvartal» må være et heltall fra 1 til 4."
    )
    await expect(coordinator.get_by_label("CSV-innhold")).to_have_value(
        f"{HEADER}\nVIRKSOMHET;{HAVNELAGER};2026;3;85;60;1000\n"
        f"VIRKSOMHET;{HAVNELAGER};2026;3;85;6o;1000\n"
        "SEKTOR;Kommunal forvaltning;2026;9;520000;1;10"
    )
    assert await SickLeaveFigure.count() == before
    await screenshot(coordinator, "sick-leave-import-errors")

    contact = await page_as(browser, live_server, "erik@test.example")
    await contact.goto(f"{live_server}/bedrift/sykefravaer")
    await expect(contact.locator(".kpi").first).to_contain_text("7,1 %")
    await expect(contact.get_by_role("heading", name="Før inn et kvartal")).to_have_count(0)
    await screenshot(contact, "sick-leave-contact")
    # Found trying the service: at 390 px the table widened the page. Now it scrolls in its
    # own box, for the contact and the coordinator alike.
    await assert_fits(contact)
    await screenshot(contact, "sick-leave-contact-390")
    await coordinator.goto(f"{live_server}/bedrifter/{company.enterprise_id}/sykefravaer")
    await assert_fits(coordinator)
    await screenshot(coordinator, "sick-leave-figures-390")


async def _completed_programme(company: Company) -> tuple[int, Quarter]:
    """A programme held in the past around a quarter's end, so the evaluation meeting saw one
    quarter more than the anchoring meeting; returns it and the last quarter it saw."""
    boundary = Quarter.of(today_in_oslo()).back(1).starts  # 91–182 days ago
    last = Quarter.of(boundary).back(1)  # over at the boundary
    rows = [HEADER]
    for back, lost, industry in zip(
        range(6, -1, -1),
        ("90", "84", "80", "84", "86", "78", "70"),
        (215000, 205000, 200000, 210000, 212000, 204000, 199000),
        strict=True,
    ):
        quarter = last.back(back)
        rows += _rows([(quarter.year, quarter.number, lost)])
        rows.append(f"BRANSJE;Lager;{quarter.year};{quarter.number};41250;{industry};3125000")
    await services.import_figures(company.cast["kari"], "\n".join(rows))
    with pinned(datetime.combine(boundary - timedelta(days=30), time(8), OSLO)):
        programme_id = await company.programme()
        anchoring_at = working_day_at(10, 9)
        assert (await company.book(programme_id, "anchoring", anchoring_at)).status_code == 201
        modules = []
        for number in (1, 2, 3):
            when = working_day_at(10 + 10 * number, 9)
            booked = await company.book(programme_id, f"module_{number}", when)
            assert booked.status_code == 201, booked.text
            modules.append(when)
        night = await company.book(programme_id, "module_3", modules[2].replace(hour=13))
        assert night.status_code == 201, night.text
        evaluation_at = working_day_at(54, 10)
        booked = await company.book(programme_id, "evaluation", evaluation_at)
        assert booked.status_code == 201, booked.text
    with pinned(anchoring_at + timedelta(hours=2)):
        anchored = await company.post(
            "kari", f"/programmes/{programme_id}/anchoring", {"participants": "Leder"}
        )
        assert anchored.status_code == 200, anchored.text
        goal = await company.post(
            "kari",
            f"/programmes/{programme_id}/goals",
            {
                "description": "Ned med sykefraværet",
                "indicator": "Sykefravær siste fire kvartaler",
                "target": 7.5,
                "measure": "sick_leave_four_quarters",
                "due_year": last.year + 1,
                "due_quarter": 4,
            },
        )
        assert goal.status_code == 201, goal.text
    programme = (await company.get("kari", f"/programmes/{programme_id}")).json()
    sittings = [s for s in programme["sessions"] if s["kind"].startswith("module")]
    for index, session in enumerate(sittings):
        attended = await company.post(
            "per",
            f"/sessions/{session['id']}/attendance",
            {"invited": 40, "attended": 30 + 2 * index},
        )
        assert attended.status_code == 200, attended.text
    # Surveys in the room: module 1 with 6 phones, module 3's second sitting with 4 (too few),
    # the evaluation (about every part held) with 5.
    kari = company.cast["kari"]
    for session, phones in ((sittings[0], 6), (sittings[-1], 4)):
        with pinned(datetime.fromisoformat(session["starts_at"]) + timedelta(hours=1)):
            await run_survey(kari, session["id"], phones)
    evaluation_id = next(s["id"] for s in programme["sessions"] if s["kind"] == "evaluation")
    with pinned(evaluation_at + timedelta(hours=1)):
        await run_survey(kari, evaluation_id, 5)
    with pinned(evaluation_at + timedelta(hours=2)):
        evaluated = await company.post(
            "kari",
            f"/programmes/{programme_id}/evaluation",
            {"assessment": "Godt gjennomført.", "further_plans": "Oppfølging i IA-utvalget."},
        )
        assert evaluated.status_code == 200, evaluated.text
    return programme_id, last


async def test_evaluation_report_page_and_pdf(
    browser: Browser, live_server: str, company: Company
) -> None:
    programme_id, last = await _completed_programme(company)
    contact = await page_as(browser, live_server, "erik@test.example")
    await contact.goto(f"{live_server}/program/{programme_id}")
    plan = contact.locator(".plan-step")
    await expect(plan).to_have_count(5)
    for index in range(5):
        await expect(plan.nth(index)).to_contain_text("Fullført")
    await contact.get_by_role("link", name="Evalueringsrapport", exact=True).click()
    await expect(contact.get_by_role("heading", level=1)).to_have_text(
        "Evalueringsrapport for Havnelager"
    )
    goals = contact.locator("table.goals tbody tr")
    # Before from the anchoring snapshot (80+84+86+78)/4000, after from the evaluation's.
    await expect(goals).to_contain_text("8,2 %")
    await expect(goals).to_contain_text("8,0 %")  # (84+86+78+70)/4000 = 7.95 → 8.0
    await expect(goals).to_contain_text("Ikke nådd")
    await expect(goals).to_contain_text(f"Innen 4. kvartal {last.year + 1}")
    before_after = contact.locator("table.before-after")
    before_span = f"{last.back(4).short}–{last.back(1).short}"
    after_span = f"{last.back(3).short}–{last.short}"
    await expect(before_after.get_by_role("row", name="Virksomheten")).to_contain_text(
        f"8,2 % ({before_span}) 8,0 % ({after_span})"
    )
    await expect(before_after.get_by_role("row", name="Bransjen")).to_be_visible()
    figures_chart = contact.get_by_role("img", name="Sykefravær siste fire kvartaler i prosent")
    await expect(figures_chart.locator("rect")).to_have_count(4)
    attendance_chart = contact.get_by_role("img", name="Invitert og møtt per modulsamling")
    await expect(attendance_chart.locator("rect")).to_have_count(8)
    await expect(contact.locator("table.attendance tbody tr")).to_have_count(4)
    await expect(contact.get_by_role("heading", name="Undersøkelser i modulene")).to_be_visible()
    surveys = contact.locator("section.report-sitting")
    # Every sitting and meeting held: anchoring, modules 1 and 2, module 3's two, evaluation.
    await expect(surveys).to_have_count(6)
    module_1 = surveys.nth(1)
    await expect(module_1.get_by_role("heading", level=3)).to_contain_text("Modul 1")
    useful = module_1.get_by_role("img", name="Hvor nyttig var modulen for deg?")
    await expect(useful).to_contain_text("4 (67 %)")
    await expect(module_1.locator("svg")).to_have_count(3)
    night = surveys.nth(4)
    await expect(night.get_by_text("For få svar", exact=False)).to_have_count(3)
    await expect(night.locator("svg")).to_have_count(0)
    evaluation = surveys.nth(5)
    await expect(evaluation.get_by_role("heading", level=4)).to_have_text(
        [
            "Forankringsmøtet",
            "Modul 1 – Muskel og skjelett",
            "Modul 2 – Psykisk helse",
            "Modul 3 – Smertemestring og arbeidsmiljø",
            "Veien videre",
        ]
    )
    await expect(evaluation.locator("svg")).to_have_count(9)
    await expect(contact.get_by_role("heading", name="Veien videre", level=2)).to_be_visible()
    await screenshot(contact, "evaluation-report")
    await surveys.nth(1).screenshot(path=str(SCREENSHOTS / "evaluation-report-surveys.png"))
    await assert_fits(contact)  # the goal table scrolls in its own box at 390 px
    await screenshot(contact, "evaluation-report-390")

    pdf = await company.get("erik", f"/programmes/{programme_id}/evaluation-report.pdf")
    assert pdf.status_code == 200
    assert_all_text_on_the_page(
        pdf.content,
        "Evalueringsrapport for Havnelager",
        "Hvor nyttig var modulen for deg?",
        "Vi bruker oppgavene fra modul 3 i arbeidshverdagen.",
    )
    pages = PdfReader(io.BytesIO(pdf.content)).pages
    text = " ".join(" ".join(page.extract_text() for page in pages).split())
    assert "8,2 % høyst 7,5 % 8,0 % Ikke nådd" in text
    assert "Undersøkelser i modulene" in text
    # The same charts as on the page: the bars' values and the sittings' labels.
    for shown in ("8,2", "8,0", "Virksomheten", "Bransjen", "Invitert", "Møtt", "30", "36"):
        assert shown in text, shown
    # The same survey charts as on the page, and «For få svar» where 4 answered.
    assert "Svært nyttig 2 (33 %) Nyttig 4 (67 %)" in text
    assert text.count("For få svar") == 3
