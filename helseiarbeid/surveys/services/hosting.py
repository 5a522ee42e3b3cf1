"""The host: starting a survey in a session, opening and closing question groups, ending the
survey, and the live count."""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta
from typing import Any

from helseiarbeid.company_track import services as company
from helseiarbeid.company_track.schemas import SessionKind, SessionState
from helseiarbeid.core.clock import utcnow
from helseiarbeid.core.database import (
    for_update,
    is_unique_violation,
    write_transaction,
)
from helseiarbeid.core.errors import Conflict, NotFound
from helseiarbeid.core.timefmt import format_datetime
from helseiarbeid.core.users import CurrentUser
from helseiarbeid.surveys.schemas import (
    OPEN_HOURS,
    SurveyCount,
)
from helseiarbeid.surveys.services._common import (
    CODE_ALPHABET,
    CODE_LENGTH,
    START_AFTER,
    START_BEFORE,
    _answered_per_group,
    _is_open,
    _survey_row,
)
from helseiarbeid.surveys.services.questions import current_questions
from helseiarbeid.surveys.tables import (
    Survey,
    SurveyGroup,
    SurveyItem,
    SurveyParticipant,
)


def start_refusal(state: str, starts_at: datetime, ends_at: datetime, now: datetime) -> str | None:
    """Why a survey cannot be started in a sitting now (Norwegian, naming when it can), or
    None when it can: the sitting is confirmed and ``now`` is from ``START_BEFORE`` before it
    starts until ``START_AFTER`` after it ends. One rule for the start button and the start."""
    if state != SessionState.CONFIRMED.value:
        return "En spørreundersøkelse kan bare startes i en bekreftet samling."
    if now < starts_at - START_BEFORE:
        return (
            f"Kan startes fra en time før samlingen, {format_datetime(starts_at - START_BEFORE)}."
        )
    if now > ends_at + START_AFTER:
        return (
            "Kan ikke startes lenger: fristen var et døgn etter samlingen, "
            f"{format_datetime(ends_at + START_AFTER)}."
        )
    return None


def _startable(session: dict[str, Any], now: datetime) -> None:
    starts = session["starts_at"]
    ends = starts + timedelta(minutes=session["duration_minutes"])
    refusal = start_refusal(session["state"], starts, ends, now)
    if refusal:
        raise Conflict(refusal)


async def start_survey(user: CurrentUser, session_id: int) -> int:
    """Start the question set of the session's kind in a confirmed session of an open
    programme, with a fresh join code; returns the survey id. Refused (409) outside the
    session's window, in a completed or cancelled programme, or while the session already has
    an open survey. The question versions current now are recorded with the survey.

    A theme about a plan part is asked only when that part was held (``company.held_parts``):
    so the evaluation survey has a group for the anchoring meeting and for each module whose
    sittings were held, and «Veien videre», which is about no part, always (issue 16 §9)."""
    session = await company.session_row(user, session_id)
    now = utcnow()
    _startable(session, now)
    held = {part.kind.value for part in await company.held_parts(user, session["programme"])}
    themes = [
        (theme, questions)
        for theme, questions in await current_questions(SessionKind(session["kind"]).value)
        if theme["part"] is None or theme["part"] in held
    ]
    for _ in range(5):
        try:
            async with write_transaction():
                await company.lock_open_programme(session["programme"])
                running = await Survey.select(Survey.closed_at, Survey.closes_at).where(
                    Survey.session == session_id
                )
                if any(_is_open(row, now) for row in running):
                    raise Conflict("Samlingen har allerede en åpen spørreundersøkelse.")
                return await _insert_survey(user, session, themes, now)
        except Exception as exc:  # a code drawn twice: draw again
            if not is_unique_violation(exc):
                raise
    raise Conflict("Fant ingen ledig kode. Prøv igjen.")


async def _insert_survey(
    user: CurrentUser,
    session: dict[str, Any],
    themes: list[tuple[dict[str, Any], list[int]]],
    now: datetime,
) -> int:
    code = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
    rows = await Survey.insert(
        Survey(
            programme=session["programme"],
            session=session["id"],
            question_set=session["kind"],
            code=code,
            opened_by=user.id,
            opened_at=now,
            closes_at=now + timedelta(hours=OPEN_HOURS),
        )
    )
    survey_id = int(rows[0]["id"])
    for position, (theme, question_ids) in enumerate(themes, start=1):
        group = await SurveyGroup.insert(
            SurveyGroup(survey=survey_id, theme=theme["id"], position=position)
        )
        await SurveyItem.insert(
            *[
                SurveyItem(survey_group=group[0]["id"], question=question_id, position=index)
                for index, question_id in enumerate(question_ids, start=1)
            ]
        )
    return survey_id


async def _host_group(user: CurrentUser, survey_id: int, group_id: int) -> dict[str, Any]:
    """Inside a write transaction: the open survey (locked) and its group."""
    await _survey_row(user, survey_id)
    survey = await for_update(Survey.select().where(Survey.id == survey_id)).first()
    if not _is_open(survey, utcnow()):
        raise Conflict("Spørreundersøkelsen er avsluttet.")
    group = (
        await SurveyGroup.select()
        .where((SurveyGroup.id == group_id) & (SurveyGroup.survey == survey_id))
        .first()
    )
    if group is None:
        raise NotFound("Spørsmålsgruppen finnes ikke.")
    return dict(group)


async def open_group(user: CurrentUser, survey_id: int, group_id: int) -> None:
    """Open a question group for answers. One group is open at a time; a closed group is not
    opened again (its results are shown). Raises ``Conflict``/``NotFound``."""
    async with write_transaction():
        group = await _host_group(user, survey_id, group_id)
        if group["opened_at"] is not None:
            raise Conflict("Spørsmålsgruppen er allerede åpnet.")
        already = await SurveyGroup.exists().where(
            (SurveyGroup.survey == survey_id)
            & SurveyGroup.opened_at.is_not_null()
            & SurveyGroup.closed_at.is_null()
        )
        if already:
            raise Conflict("Lukk den åpne spørsmålsgruppen før du åpner en ny.")
        await SurveyGroup.update({SurveyGroup.opened_at: utcnow()}).where(
            SurveyGroup.id == group_id
        )


async def close_group(user: CurrentUser, survey_id: int, group_id: int) -> None:
    """Close an open group: its answers are final and its results may be shown."""
    async with write_transaction():
        group = await _host_group(user, survey_id, group_id)
        if group["opened_at"] is None or group["closed_at"] is not None:
            raise Conflict("Spørsmålsgruppen er ikke åpen.")
        await SurveyGroup.update({SurveyGroup.closed_at: utcnow()}).where(
            SurveyGroup.id == group_id
        )


async def close_survey(user: CurrentUser, survey_id: int) -> None:
    """End the survey now (an open group is closed with it)."""
    async with write_transaction():
        await _survey_row(user, survey_id)
        survey = await for_update(Survey.select().where(Survey.id == survey_id)).first()
        now = utcnow()
        if not _is_open(survey, now):
            raise Conflict("Spørreundersøkelsen er allerede avsluttet.")
        await SurveyGroup.update({SurveyGroup.closed_at: now}).where(
            (SurveyGroup.survey == survey_id)
            & SurveyGroup.opened_at.is_not_null()
            & SurveyGroup.closed_at.is_null()
        )
        await Survey.update({Survey.closed_at: now}).where(Survey.id == survey_id)


async def count(user: CurrentUser, survey_id: int) -> SurveyCount:
    """The host screen's live figures (see ``SurveyCount``)."""
    survey = await _survey_row(user, survey_id)
    is_open = _is_open(survey, utcnow())
    joined = await SurveyParticipant.count().where(SurveyParticipant.survey == survey_id)
    group = await (
        SurveyGroup.select(SurveyGroup.id, SurveyGroup.closed_at, SurveyGroup.theme.title)
        .where((SurveyGroup.survey == survey_id) & SurveyGroup.opened_at.is_not_null())
        .order_by(SurveyGroup.opened_at, ascending=False)
        .first()
    )
    if group is None:
        return SurveyCount(joined=joined, answered=0, open_group_id=None, is_open=is_open)
    answered = (await _answered_per_group([group["id"]])).get(group["id"], 0)
    still_open = is_open and group["closed_at"] is None
    return SurveyCount(
        joined=joined,
        answered=answered,
        open_group_id=group["id"] if still_open else None,
        is_open=is_open,
        group_title=group["theme.title"],
    )
