"""Names the survey service modules share: join codes, the wrong-code limit, a survey's
open test, reading a survey the user may see, and counting complete answers per group."""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta
from typing import Any

from helseiarbeid.company_track import services as company
from helseiarbeid.core.errors import NotFound
from helseiarbeid.core.ratelimit import RequestLimit
from helseiarbeid.core.users import CurrentUser
from helseiarbeid.surveys.tables import (
    Survey,
    SurveyAnswer,
)

# Six characters without the look-alikes 0/O, 1/I/L: 31^6 ≈ 887 million codes.
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 6
# A survey may be started from an hour before its session until a day after it ended.
START_BEFORE = timedelta(hours=1)
START_AFTER = timedelta(hours=24)
# Wrong codes from one address: a room behind one NAT types the right code, so only misses
# count, and a guesser gets 20 tries per 10 minutes (each hit chance ~ open surveys / 887 M).
WRONG_CODES = RequestLimit("survey-wrong-code", limit=20, seconds=600)


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
