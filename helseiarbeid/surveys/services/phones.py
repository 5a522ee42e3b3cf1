"""The phones: joining by code with a random participant token, the open group's questions
(cached per process), and storing or changing an answer until the group closes."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from typing import Any

from helseiarbeid.core.clock import utcnow
from helseiarbeid.core.database import (
    is_sqlite,
    write_transaction,
)
from helseiarbeid.core.errors import Conflict, InvalidInput, NotFound, TooManyAttempts
from helseiarbeid.surveys.schemas import (
    GroupOut,
    GroupState,
    OptionCount,
    QuestionResult,
)
from helseiarbeid.surveys.services._common import (
    CODE_LENGTH,
    WRONG_CODES,
    _hash,
    _is_open,
    normalise_code,
)
from helseiarbeid.surveys.tables import (
    Survey,
    SurveyAnswer,
    SurveyGroup,
    SurveyItem,
    SurveyOption,
    SurveyParticipant,
)


async def join(code: str, address: str) -> tuple[str, str]:
    """A phone joins the open survey with ``code``: returns (the normalised code, a random
    participant token for the cookie). Nothing about the person or the device is stored.
    A wrong code raises ``NotFound``; the 21st wrong code from one address in 10 minutes
    raises ``TooManyAttempts``."""
    wanted = normalise_code(code)
    survey = None
    if len(wanted) == CODE_LENGTH:
        survey = (
            await Survey.select(Survey.id, Survey.closed_at, Survey.closes_at)
            .where(Survey.code == wanted)
            .first()
        )
    if survey is None or not _is_open(survey, utcnow()):
        if not await WRONG_CODES.allow(address):
            raise TooManyAttempts("For mange feil koder. Vent noen minutter.", 600)
        raise InvalidInput({"kode": "Fant ingen åpen spørreundersøkelse med den koden."})
    token = secrets.token_urlsafe(32)
    async with write_transaction():
        await SurveyParticipant.insert(
            SurveyParticipant(survey=survey["id"], token_hash=_hash(token))
        )
    return wanted, token


async def _participant(code: str, token: str | None) -> tuple[dict[str, Any], int]:
    """The survey with ``code`` and the id of the participant holding ``token``."""
    survey = await Survey.select().where(Survey.code == normalise_code(code)).first()
    if survey is None:
        raise NotFound("Fant ingen spørreundersøkelse med den koden.")
    participant = None
    if token:
        participant = (
            await SurveyParticipant.select(SurveyParticipant.id)
            .where(
                (SurveyParticipant.token_hash == _hash(token))
                & (SurveyParticipant.survey == survey["id"])
            )
            .first()
        )
    if participant is None:
        raise NotFound("Du er ikke med i denne spørreundersøkelsen. Skriv inn koden på nytt.")
    return survey, int(participant["id"])


@dataclass(frozen=True)
class PhoneView:
    """What a phone shows: the open group (None between groups or after the end) and this
    participant's current choices in it (item id → option id)."""

    code: str
    question_set: str
    is_open: bool
    group: GroupOut | None
    mine: dict[int, int]


# A group's questions never change once its survey has started, so each process keeps them
# (bounded) instead of reading them again for every phone's page and answer. Keyed by the
# survey's random code too, so a database restored or recreated with the same ids (tests)
# cannot hand out another survey's questions.
_GROUP_QUESTIONS: dict[tuple[str, int], list[QuestionResult]] = {}


async def _group_questions(code: str, group_id: int) -> list[QuestionResult]:
    """The group's question versions with their options (no counts)."""
    cached = _GROUP_QUESTIONS.get((code, group_id))
    if cached is not None:
        return cached
    items = (
        await SurveyItem.select(
            SurveyItem.id,
            SurveyItem.question,
            SurveyItem.question.key,
            SurveyItem.question.version,
            SurveyItem.question.text,
        )
        .where(SurveyItem.survey_group == group_id)
        .order_by(SurveyItem.position)
    )
    options = (
        await SurveyOption.select()
        .where(SurveyOption.question.is_in([i["question"] for i in items] or [0]))
        .order_by(SurveyOption.position)
    )
    questions = [
        QuestionResult(
            item_id=item["id"],
            key=item["question.key"],
            version=item["question.version"],
            text=item["question.text"],
            answered=0,
            shown=False,
            options=[
                OptionCount(id=o["id"], text=o["text"], count=0)
                for o in options
                if o["question"] == item["question"]
            ],
        )
        for item in items
    ]
    if len(_GROUP_QUESTIONS) >= 1000:
        _GROUP_QUESTIONS.clear()
    _GROUP_QUESTIONS[(code, group_id)] = questions
    return questions


async def _open_group_of(survey_id: int, *, lock: bool = False) -> dict[str, Any] | None:
    """The survey's open group; with ``lock``, inside a write transaction, share-locked so
    closing it waits for answers being stored (PostgreSQL; SQLite's IMMEDIATE transaction
    already excludes the close)."""
    query = SurveyGroup.select(SurveyGroup.id, SurveyGroup.theme.title).where(
        (SurveyGroup.survey == survey_id)
        & SurveyGroup.opened_at.is_not_null()
        & SurveyGroup.closed_at.is_null()
    )
    if lock and not is_sqlite():
        query = query.lock_rows("SHARE", of=(SurveyGroup,))
    group: dict[str, Any] | None = await query.first()
    return group


async def phone_view(code: str, token: str | None) -> PhoneView:
    """What the participant holding ``token`` sees of the survey with ``code``. Raises
    ``NotFound`` for an unknown code or a phone that has not joined it."""
    survey, participant_id = await _participant(code, token)
    is_open = _is_open(survey, utcnow())
    row = await _open_group_of(survey["id"]) if is_open else None
    group = None
    mine: dict[int, int] = {}
    if row is not None:
        questions = await _group_questions(survey["code"], row["id"])
        group = GroupOut(
            id=row["id"],
            title=row["theme.title"],
            state=GroupState.OPEN,
            answered=0,
            questions=questions,
        )
        rows = await SurveyAnswer.select(SurveyAnswer.item, SurveyAnswer.choice).where(
            (SurveyAnswer.participant == participant_id)
            & SurveyAnswer.item.is_in([q.item_id for q in questions])
        )
        mine = {r["item"]: r["choice"] for r in rows}
    return PhoneView(survey["code"], survey["question_set"], is_open, group, mine)


async def answer(code: str, token: str | None, choices: dict[int, int]) -> None:
    """Store (or change) the participant's choices (item id → option id) in the open group.
    Raises ``InvalidInput`` naming the field (``q<item id>``) for an item outside the open
    group or an option of another question, and ``Conflict`` once the group is closed."""
    survey, participant_id = await _participant(code, token)
    if not choices:
        raise InvalidInput({"svar": "Velg et svar før du sender."})
    async with write_transaction():
        now = utcnow()
        group = await _open_group_of(survey["id"], lock=True)
        if group is None or not _is_open(survey, now):
            raise Conflict("Spørsmålene er lukket, så svaret ble ikke lagret.")
        allowed = {
            (q.item_id, o.id)
            for q in await _group_questions(survey["code"], group["id"])
            for o in q.options
        }
        items = {item for item, _ in allowed}
        problems = {
            f"q{item}": "Velg et av svaralternativene."
            for item, choice in choices.items()
            if item not in items or (item, choice) not in allowed
        }
        if problems:
            raise InvalidInput(problems)
        for item, choice in choices.items():
            await SurveyAnswer.raw(
                "INSERT INTO survey_answer (participant, item, choice) VALUES ({}, {}, {}) "
                "ON CONFLICT (participant, item) DO UPDATE SET choice = excluded.choice",
                participant_id,
                item,
                choice,
            )
