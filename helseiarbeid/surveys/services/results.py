"""Results: surveys with their groups and, for closed groups from ``MIN_ANSWERS`` answers, the
counts per option; the programme's surveys; the completion check registered with the
company track."""

from __future__ import annotations

from collections import Counter, defaultdict
from typing import Any

from helseiarbeid.company_track import services as company
from helseiarbeid.company_track.schemas import SessionKind
from helseiarbeid.core.clock import utcnow
from helseiarbeid.core.users import CurrentUser
from helseiarbeid.surveys.schemas import (
    MIN_ANSWERS,
    GroupOut,
    GroupState,
    OptionCount,
    QuestionResult,
    SurveyOut,
)
from helseiarbeid.surveys.services._common import (
    _answered_per_group,
    _is_open,
    _marks,
    _survey_row,
)
from helseiarbeid.surveys.tables import (
    Survey,
    SurveyAnswer,
    SurveyGroup,
    SurveyItem,
    SurveyOption,
    SurveyParticipant,
)


def _group_state(group: dict[str, Any], survey_open: bool) -> GroupState:
    if group["opened_at"] is None:
        return GroupState.WAITING if survey_open else GroupState.NOT_USED
    if group["closed_at"] is None and survey_open:
        return GroupState.OPEN
    return GroupState.CLOSED


async def _surveys_out(surveys: list[dict[str, Any]], *, counts: bool = True) -> list[SurveyOut]:
    """Surveys with their groups, questions and, for closed groups, the counts (``counts``
    False: the questions only, as a phone needs them, without counting anything)."""
    if not surveys:
        return []
    now = utcnow()
    survey_ids = [s["id"] for s in surveys]
    groups = (
        await SurveyGroup.select(*SurveyGroup.all_columns(), SurveyGroup.theme.title)
        .where(SurveyGroup.survey.is_in(survey_ids))
        .order_by(SurveyGroup.position)
    )
    group_ids = [g["id"] for g in groups] or [0]
    items = (
        await SurveyItem.select(
            SurveyItem.id,
            SurveyItem.survey_group,
            SurveyItem.question,
            SurveyItem.question.key,
            SurveyItem.question.version,
            SurveyItem.question.text,
        )
        .where(SurveyItem.survey_group.is_in(group_ids))
        .order_by(SurveyItem.position)
    )
    question_ids = list({i["question"] for i in items}) or [0]
    options = (
        await SurveyOption.select()
        .where(SurveyOption.question.is_in(question_ids))
        .order_by(SurveyOption.position)
    )
    tallies: list[dict[str, Any]] = []
    joined: list[dict[str, Any]] = []
    answering: list[dict[str, Any]] = []
    answered: dict[int, int] = {}
    if counts:
        tallies = await SurveyAnswer.raw(
            "SELECT a.item, a.choice, COUNT(*) AS n FROM survey_answer a "  # noqa: S608
            "JOIN survey_item i ON i.id = a.item "
            f"WHERE i.survey_group IN ({_marks(group_ids)}) "
            "GROUP BY a.item, a.choice",
            *group_ids,
        )
        joined = await SurveyParticipant.raw(
            "SELECT survey, COUNT(*) AS n FROM survey_participant "  # noqa: S608
            f"WHERE survey IN ({_marks(survey_ids)}) GROUP BY survey",
            *survey_ids,
        )
        answered = await _answered_per_group([g["id"] for g in groups])
        answering = await SurveyAnswer.raw(
            "SELECT g.survey, COUNT(DISTINCT a.participant) AS n "  # noqa: S608
            "FROM survey_answer a JOIN survey_item i ON i.id = a.item "
            "JOIN survey_group g ON g.id = i.survey_group "
            f"WHERE g.survey IN ({_marks(survey_ids)}) GROUP BY g.survey",
            *survey_ids,
        )
    tally_of: dict[int, Counter[int]] = defaultdict(Counter)
    for row in tallies:
        tally_of[row["item"]][row["choice"]] = row["n"]
    options_of: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for option in options:
        options_of[option["question"]].append(option)
    items_of: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for item in items:
        items_of[item["survey_group"]].append(item)
    groups_of: dict[int, list[GroupOut]] = defaultdict(list)
    open_of = {s["id"]: _is_open(s, now) for s in surveys}
    for group in groups:
        state = _group_state(group, open_of[group["survey"]])
        questions = []
        for item in items_of[group["id"]]:
            tally = tally_of[item["id"]]
            total = sum(tally.values())
            shown = state is GroupState.CLOSED and total >= MIN_ANSWERS
            questions.append(
                QuestionResult(
                    item_id=item["id"],
                    key=item["question.key"],
                    version=item["question.version"],
                    text=item["question.text"],
                    answered=total,
                    shown=shown,
                    options=[
                        OptionCount(
                            id=o["id"], text=o["text"], count=tally[o["id"]] if shown else 0
                        )
                        for o in options_of[item["question"]]
                    ],
                )
            )
        groups_of[group["survey"]].append(
            GroupOut(
                id=group["id"],
                title=group["theme.title"],
                state=state,
                answered=answered.get(group["id"], 0),
                questions=questions,
            )
        )
    joined_of = {row["survey"]: row["n"] for row in joined}
    answering_of = {row["survey"]: row["n"] for row in answering}
    return [
        SurveyOut(
            id=s["id"],
            programme_id=s["programme"],
            session_id=s["session"],
            question_set=s["question_set"],
            code=s["code"],
            opened_at=s["opened_at"],
            ends_at=s["closed_at"] or s["closes_at"],
            is_open=open_of[s["id"]],
            joined=joined_of.get(s["id"], 0),
            answered=answering_of.get(s["id"], 0),
            groups=groups_of[s["id"]],
        )
        for s in surveys
    ]


def versions_differ(surveys: list[SurveyOut]) -> set[str]:
    """The keys of questions asked in more than one version among ``surveys``: where results
    of two wordings sit side by side, each names its version; elsewhere a version says
    nothing to the reader."""
    versions: dict[str, set[int]] = defaultdict(set)
    for survey in surveys:
        for group in survey.groups:
            for question in group.questions:
                versions[question.key].add(question.version)
    return {key for key, seen in versions.items() if len(seen) > 1}


async def _survey_out(survey: dict[str, Any], *, counts: bool = True) -> SurveyOut:
    return (await _surveys_out([survey], counts=counts))[0]


async def get_survey(user: CurrentUser, survey_id: int) -> SurveyOut:
    """The survey for the team's host screen or a reader of its programme (404 otherwise)."""
    return await _survey_out(await _survey_row(user, survey_id))


async def programme_surveys(user: CurrentUser, programme_id: int) -> list[SurveyOut]:
    """The programme's surveys, oldest first, for anyone who may read the programme (the
    team; the enterprise's own contact). Raises ``NotFound`` for anyone else."""
    await company.get_programme(user, programme_id)
    return await results_for_programme(programme_id)


async def results_for_programme(programme_id: int) -> list[SurveyOut]:
    """Every survey of the programme, oldest first, with counts for closed groups that reached
    ``MIN_ANSWERS``. For the sitting's record and the evaluation report: the caller has
    already checked that its user may read the programme. Counts only, never an answer."""
    surveys = (
        await Survey.select()
        .where(Survey.programme == programme_id)
        .order_by(Survey.opened_at)
        .order_by(Survey.id)
    )
    return await _surveys_out(list(surveys))


async def _completion_check(programme_id: int) -> list[company.Finding]:
    """Issue 16 §10: an open survey blocks completing the programme; a programme whose
    evaluation survey never ran gets a warning."""
    now = utcnow()
    surveys = await Survey.select(Survey.question_set, Survey.closed_at, Survey.closes_at).where(
        Survey.programme == programme_id
    )
    findings = []
    if any(_is_open(s, now) for s in surveys):
        findings.append(
            company.Finding(
                "Avslutt den åpne spørreundersøkelsen før programmet fullføres.", blocking=True
            )
        )
    if not any(s["question_set"] == SessionKind.EVALUATION.value for s in surveys):
        findings.append(
            company.Finding("Evalueringsundersøkelsen er ikke gjennomført.", blocking=False)
        )
    return findings


company.register_completion_check(_completion_check)
