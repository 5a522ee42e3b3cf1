"""The surveys' section of the company track's evaluation report (issue 16 §8): per part and
sitting held (anchoring, the modules' sittings, evaluation), the results of the surveys run
there, with the same charts as the survey pages. Registered with
``company_track.services.register_report_section`` at import, so the track never imports
surveys (docs/architecture.md)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from helseiarbeid.company_track import services as company
from helseiarbeid.company_track.schemas import ProgrammeOut, SessionOut, SessionState
from helseiarbeid.core.clock import utcnow
from helseiarbeid.surveys import charts
from helseiarbeid.surveys.schemas import MIN_ANSWERS, SurveyOut
from helseiarbeid.surveys.services.results import results_for_programme, versions_differ

TEMPLATE = "surveys/_report_section.html"


@dataclass(frozen=True)
class SittingSurveys:
    """A sitting or meeting of the programme with the surveys run in it (oldest first)."""

    sitting: SessionOut
    surveys: list[SurveyOut]


async def report_section(
    programme: ProgrammeOut, parts: list[company.PlanPart]
) -> company.ReportSection:
    """The section's context: ``sittings`` (every sitting held, in programme order, and any
    other that has a survey), ``charts`` (item id → ``charts.Chart`` or None where the result is
    not shown: an unclosed group or fewer than ``MIN_ANSWERS`` answers) and ``min_answers``.
    Counts only, never one phone's answers; the caller has checked the reader's access."""
    surveys = await results_for_programme(programme.id)
    by_sitting: dict[int, list[SurveyOut]] = defaultdict(list)
    for survey in surveys:
        by_sitting[survey.session_id].append(survey)
    now = utcnow()
    sittings = [
        SittingSurveys(sitting, by_sitting[sitting.id])
        for part in parts
        for sitting in part.sittings
        if by_sitting[sitting.id]
        or (sitting.state is SessionState.CONFIRMED and sitting.starts_at <= now)
    ]
    return company.ReportSection(
        TEMPLATE,
        {
            "sittings": sittings,
            "charts": charts.for_surveys(surveys),
            "versions_differ": versions_differ(surveys),
            "min_answers": MIN_ANSWERS,
        },
    )


company.register_report_section(report_section)
