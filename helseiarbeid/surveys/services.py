"""Live anonymous surveys in a programme's sittings and meetings (issue 16 §1–5, §10).

The facilitator starts a survey in a held (or running) session; phones join by a six-letter
code without logging in, each as a random participant whose cookie token is stored only as its
SHA-256; the host opens one question group at a time and closes it, and only then, with at
least ``MIN_ANSWERS`` answers per question, are the counts shown. A survey is open at most
``OPEN_HOURS``. Questions live in versions: a version is never edited, only retired and
replaced, and a survey keeps the versions it asked. The results belong to the programme: the
team and the enterprise's contact see the counts, never one phone's answers.

Names follow NAV's Fia (navikt/lydia-api): a survey (spørreundersøkelse) has themes (tema) the
host opens and closes; a participant is a session (sesjon).
"""

from __future__ import annotations

import hashlib
import secrets
from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from helseiarbeid.company_track import services as company
from helseiarbeid.company_track.schemas import SessionKind, SessionState
from helseiarbeid.core.clock import utcnow
from helseiarbeid.core.database import (
    for_update,
    is_sqlite,
    is_unique_violation,
    write_transaction,
)
from helseiarbeid.core.errors import Conflict, InvalidInput, NotFound, TooManyAttempts
from helseiarbeid.core.ratelimit import SlidingWindow
from helseiarbeid.core.users import CurrentUser
from helseiarbeid.surveys.schemas import (
    MIN_ANSWERS,
    OPEN_HOURS,
    GroupOut,
    GroupState,
    OptionCount,
    QuestionResult,
    SurveyCount,
    SurveyOut,
)
from helseiarbeid.surveys.tables import (
    Survey,
    SurveyAnswer,
    SurveyGroup,
    SurveyItem,
    SurveyOption,
    SurveyParticipant,
    SurveyQuestion,
    SurveyTheme,
)

# Six characters without the look-alikes 0/O, 1/I/L: 31^6 ≈ 887 million codes.
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 6
# A survey may be started from an hour before its session until a day after it ended.
START_BEFORE = timedelta(hours=1)
START_AFTER = timedelta(hours=24)
# Wrong codes from one address: a room behind one NAT types the right code, so only misses
# count, and a guesser gets 20 tries per 10 minutes (each hit chance ~ open surveys / 887 M).
WRONG_CODES = SlidingWindow(limit=20, seconds=600)


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def normalise_code(code: str) -> str:
    """What a person typed, as stored: capitals, without spaces and dashes."""
    return "".join(ch for ch in code.upper() if ch not in " -")


def _marks(values: list[int]) -> str:
    """Placeholders for an IN list of ``values`` (the values go as query parameters)."""
    return ", ".join("{}" for _ in values)


def _is_open(survey: dict[str, Any], now: datetime) -> bool:
    return survey["closed_at"] is None and now < survey["closes_at"]


# --- question sets ------------------------------------------------------------------------


async def current_questions(question_set: str) -> list[tuple[dict[str, Any], list[int]]]:
    """The themes of a question set in order, each with the ids of its current (not retired)
    question versions in order. Themes without a current question are left out."""
    themes = (
        await SurveyTheme.select()
        .where((SurveyTheme.question_set == question_set) & SurveyTheme.retired_at.is_null())
        .order_by(SurveyTheme.position)
    )
    questions = (
        await SurveyQuestion.select(SurveyQuestion.id, SurveyQuestion.theme)
        .where(
            SurveyQuestion.theme.is_in([t["id"] for t in themes] or [0])
            & SurveyQuestion.retired_at.is_null()
        )
        .order_by(SurveyQuestion.position)
    )
    by_theme: dict[int, list[int]] = defaultdict(list)
    for question in questions:
        by_theme[question["theme"]].append(question["id"])
    return [(theme, by_theme[theme["id"]]) for theme in themes if by_theme[theme["id"]]]


async def retire_question(key: str) -> None:
    """Take the current version of question ``key`` out of new surveys. Surveys that asked it
    keep it. Raises ``NotFound`` when the key has no current version."""
    async with write_transaction():
        rows = (
            await SurveyQuestion.update({SurveyQuestion.retired_at: utcnow()})
            .where((SurveyQuestion.key == key) & SurveyQuestion.retired_at.is_null())
            .returning(SurveyQuestion.id)
        )
    if not rows:
        raise NotFound(f"Spørsmålet {key} har ingen gjeldende versjon.")


async def new_question_version(key: str, text: str, options: list[str]) -> int:
    """A changed question: the current version of ``key`` is retired and version n+1, in the
    same theme and place, takes over with its own options. Returns the new version's id.
    Raises ``InvalidInput`` (empty text, fewer than two options) or ``NotFound``."""
    problems = {}
    if not text.strip():
        problems["text"] = "Skriv spørsmålet."
    if len([o for o in options if o.strip()]) < 2:
        problems["options"] = "Et spørsmål trenger minst to svaralternativer."
    if problems:
        raise InvalidInput(problems)
    async with write_transaction():
        latest = await (
            SurveyQuestion.select()
            .where(SurveyQuestion.key == key)
            .order_by(SurveyQuestion.version, ascending=False)
            .first()
        )
        if latest is None:
            raise NotFound(f"Spørsmålet {key} finnes ikke.")
        now = utcnow()
        await SurveyQuestion.update({SurveyQuestion.retired_at: now}).where(
            (SurveyQuestion.key == key) & SurveyQuestion.retired_at.is_null()
        )
        rows = await SurveyQuestion.insert(
            SurveyQuestion(
                key=key,
                version=latest["version"] + 1,
                theme=latest["theme"],
                position=latest["position"],
                text=text.strip(),
                created_at=now,
            )
        )
        question_id = int(rows[0]["id"])
        await SurveyOption.insert(
            *[
                SurveyOption(question=question_id, position=position, text=option.strip())
                for position, option in enumerate([o for o in options if o.strip()], start=1)
            ]
        )
    return question_id


# --- the host -----------------------------------------------------------------------------


def _startable(session: dict[str, Any], now: datetime) -> None:
    if session["state"] != SessionState.CONFIRMED.value:
        raise Conflict("En spørreundersøkelse kan bare startes i en bekreftet samling.")
    starts = session["starts_at"]
    ends = starts + timedelta(minutes=session["duration_minutes"])
    if now < starts - START_BEFORE:
        raise Conflict("Spørreundersøkelsen kan startes tidligst en time før samlingen.")
    if now > ends + START_AFTER:
        raise Conflict("Spørreundersøkelsen kan startes senest et døgn etter samlingen.")


async def start_survey(user: CurrentUser, session_id: int) -> int:
    """Start the question set of the session's kind in a confirmed session of an open
    programme, with a fresh join code; returns the survey id. Refused (409) outside the
    session's window, in a completed or cancelled programme, or while the session already has
    an open survey. The question versions current now are recorded with the survey."""
    session = await company.session_row(user, session_id)
    now = utcnow()
    _startable(session, now)
    themes = await current_questions(SessionKind(session["kind"]).value)
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


async def _survey_row(user: CurrentUser, survey_id: int) -> dict[str, Any]:
    """The survey, if the user may see its session's programme (else the same 404)."""
    survey = await Survey.select().where(Survey.id == survey_id).first()
    if survey is None:
        raise NotFound("Spørreundersøkelsen finnes ikke.")
    try:
        await company.session_row(user, survey["session"])
    except NotFound:
        raise NotFound("Spørreundersøkelsen finnes ikke.") from None
    return survey


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
        SurveyGroup.select(SurveyGroup.id, SurveyGroup.closed_at)
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
    )


async def _answered_per_group(group_ids: list[int]) -> dict[int, int]:
    """Per group: participants with an answer to every item of it."""
    if not group_ids:
        return {}
    rows = await SurveyAnswer.raw(
        "SELECT g, COUNT(*) AS n FROM (SELECT i.survey_group AS g, a.participant "  # noqa: S608
        "FROM survey_answer a JOIN survey_item i ON i.id = a.item "
        f"WHERE i.survey_group IN ({_marks(group_ids)}) "
        "GROUP BY i.survey_group, a.participant "
        "HAVING COUNT(*) = (SELECT COUNT(*) FROM survey_item j "
        "WHERE j.survey_group = i.survey_group)) AS complete GROUP BY g",
        *group_ids,
    )
    return {row["g"]: row["n"] for row in rows}


# --- the phones ---------------------------------------------------------------------------


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
        if not WRONG_CODES.allow(address):
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


# --- results ------------------------------------------------------------------------------


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
            groups=groups_of[s["id"]],
        )
        for s in surveys
    ]


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
