"""The evaluation survey built from the parts held, and the surveys' results in the evaluation
report's page and PDF (issue 16 §8–9)."""

from __future__ import annotations

import io
import re

import httpx
from pypdf import PdfReader

from helseiarbeid.company_track import services as company
from helseiarbeid.company_track.schemas import EvaluationRecord, SessionKind
from helseiarbeid.surveys import charts, services
from helseiarbeid.surveys.schemas import OptionCount, QuestionResult
from helseiarbeid.surveys.tables import SurveyQuestion
from tests.cast import bearer, sign_in
from tests.pdf_layout import assert_all_text_on_the_page
from tests.surveys.conftest import Setting, run_survey

MODULE_1 = "Modul 1 – Muskel og skjelett"
MODULE_3 = "Modul 3 – Smertemestring og arbeidsmiljø"


async def _held_but_module_2(setting: Setting) -> None:
    """Anchoring, module 1, module 3 and the evaluation have started; module 2 is still ahead."""
    for kind in (SessionKind.ANCHORING, SessionKind.MODULE_1, SessionKind.MODULE_3):
        await setting.session(kind)


async def test_the_evaluation_survey_asks_about_the_parts_held(setting: Setting) -> None:
    kari = setting.cast["kari"]
    await _held_but_module_2(setting)
    evaluation = await setting.session(SessionKind.EVALUATION)
    survey = await services.get_survey(kari, await services.start_survey(kari, evaluation))
    # Module 2 was not held, so it gets no group; «Veien videre» is always there, last.
    assert [g.title for g in survey.groups] == [
        "Forankringsmøtet",
        MODULE_1,
        MODULE_3,
        "Veien videre",
    ]
    assert [q.key for q in survey.groups[1].questions] == ["ev.m1-nytte", "ev.m1-i-bruk"]
    assert [(q.key, q.version) for q in survey.groups[-1].questions] == [("ev.plan-videre", 1)]
    # The first question set's versions are kept as they were: retired, not edited.
    first = await SurveyQuestion.select(
        SurveyQuestion.text, SurveyQuestion.retired_at, SurveyQuestion.version
    ).where(SurveyQuestion.key == "ev.kompetanse")
    assert [(q["text"], q["version"]) for q in first] == [
        ("Vi har fått kompetanse til å forebygge og håndtere sykefraværet vårt.", 1)
    ]
    assert first[0]["retired_at"] is not None
    # A module's own survey does not depend on the parts held.
    module_1 = await services.get_survey(
        kari, await services.start_survey(kari, setting.sessions[SessionKind.MODULE_1])
    )
    assert [g.title for g in module_1.groups] == ["Utbyttet av modulen", "På jobb"]


async def test_only_the_anchoring_held_gives_anchoring_and_the_way_forward(
    setting: Setting,
) -> None:
    kari = setting.cast["kari"]
    await setting.session(SessionKind.ANCHORING)
    evaluation = await setting.session(SessionKind.EVALUATION)
    survey = await services.get_survey(kari, await services.start_survey(kari, evaluation))
    assert [g.title for g in survey.groups] == ["Forankringsmøtet", "Veien videre"]


async def _evaluated(setting: Setting) -> None:
    """Module 1's survey answered by 6 phones, module 3's by 4, the evaluation's by 5; then
    the evaluation is recorded."""
    kari = setting.cast["kari"]
    await _held_but_module_2(setting)
    await run_survey(kari, setting.sessions[SessionKind.MODULE_1], 6)
    await run_survey(kari, setting.sessions[SessionKind.MODULE_3], 4)
    await run_survey(kari, await setting.session(SessionKind.EVALUATION), 5)
    await company.record_evaluation(
        kari, setting.programme_id, EvaluationRecord(assessment="Godt gjennomført.")
    )


def _text(html: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


async def test_the_report_shows_the_surveys_per_sitting(
    setting: Setting, client: httpx.AsyncClient
) -> None:
    await _evaluated(setting)
    await sign_in(client, setting.cast["erik"])  # the enterprise's contact
    page = await client.get(f"/program/{setting.programme_id}/evalueringsrapport")
    assert page.status_code == 200, page.text
    html = page.text
    section = html[html.index('id="h-undersokelser"') : html.index('id="h-deler"')]
    text = _text(section)
    headings = re.findall(r"<h3 [^>]*>([^<]+)</h3>", section)
    assert [h.split(",")[0] for h in headings] == [
        "Forankringsmøte",
        MODULE_1,
        MODULE_3,
        "Evalueringsmøte",
    ]
    anchoring, module_1, module_3, evaluation = re.split(r"<h3 ", section)[1:]
    assert "Ingen spørreundersøkelse ble kjørt." in anchoring
    # Six phones: every question of module 1 drawn, with counts only.
    assert module_1.count("<svg") == 3
    assert "6 svarte" in _text(module_1)
    assert "4 (67 %)" in module_1
    # Four phones: no chart and no count, so no one phone's answer can be read off.
    assert "<svg" not in module_3
    assert _text(module_3).count("For få svar") == 3
    assert "(25 %)" not in module_3
    assert "(50 %)" not in module_3
    # The evaluation survey: a group per part held and «Veien videre».
    assert re.findall(r"<h4 [^>]*>([^<]+)<", evaluation) == [
        "Forankringsmøtet",
        MODULE_1,
        MODULE_3,
        "Veien videre",
    ]
    assert evaluation.count("<svg") == 7
    assert "3 (60 %)" in evaluation
    assert "text-anchor" not in section
    assert "Modul 2" not in text

    pdf = await client.get(
        f"/api/v1/programmes/{setting.programme_id}/evaluation-report.pdf",
        headers=await bearer(setting.cast["erik"]),
    )
    assert pdf.status_code == 200
    # Every chart text on the page, where the layout reader measures it.
    assert_all_text_on_the_page(
        pdf.content,
        "Undersøkelser i modulene og møtene",
        "Hvor nyttig var modulen for deg?",
        "Vi bruker oppgavene fra modul 1 i arbeidshverdagen.",
    )
    words = " ".join(
        " ".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.content)).pages).split()
    )
    assert "4 (67 %)" in words
    assert "3 (60 %)" in words
    assert words.count("For få svar") == 3


def test_a_long_option_wraps_inside_its_column_and_pushes_the_next_row_down() -> None:
    long = "Snakke med lederen om tilrettelegging før plagene blir så store at jeg må være borte"
    question = QuestionResult(
        item_id=1,
        key="x",
        version=1,
        text="Hva vil du gjøre?",
        answered=5,
        shown=True,
        options=[OptionCount(id=1, text=long, count=3), OptionCount(id=2, text="Ingen", count=2)],
    )
    chart = charts.bars(question)
    assert chart is not None
    first, second = chart.rows
    assert " ".join(first.label) == long
    assert len(first.label) > 1
    assert all(len(line) * 13 * 0.55 <= chart.label_width - 10 for line in first.label)
    assert second.y >= first.y + len(first.label) * chart.line_height
    assert chart.height >= second.y + chart.bar_height
