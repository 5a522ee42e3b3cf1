"""Question sets: the current versions of a set's themes, retiring a question, a new version."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from helseiarbeid.core.clock import utcnow
from helseiarbeid.core.database import (
    write_transaction,
)
from helseiarbeid.core.errors import InvalidInput, NotFound
from helseiarbeid.surveys.tables import (
    SurveyOption,
    SurveyQuestion,
    SurveyTheme,
)


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
