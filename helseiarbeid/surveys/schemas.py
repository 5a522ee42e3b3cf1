"""What the survey pages and other domains read: a survey with its question groups and, once
a group is closed, the counts per answer option. Counts only; never one phone's answers."""

from __future__ import annotations

import enum
from datetime import datetime

from helseiarbeid.core.schemas import Schema

# Results are shown only from this many answers per question (issue 16 §2: Fia uses 3, health
# topics deserve 5; the same limit as core.small_counts).
MIN_ANSWERS = 5
# A survey is open at most this long (Fia: ANTALL_TIMER_EN_SPØRREUNDERSØKELSE_ER_TILGJENGELIG).
OPEN_HOURS = 24


class GroupState(enum.StrEnum):
    WAITING = "waiting"  # not opened yet
    OPEN = "open"
    CLOSED = "closed"
    NOT_USED = "not_used"  # the survey ended before the host opened it

    @property
    def label(self) -> str:
        return {
            "waiting": "Ikke åpnet",
            "open": "Åpen for svar",
            "closed": "Lukket",
            "not_used": "Ikke brukt",
        }[self.value]


class OptionCount(Schema):
    id: int
    text: str
    count: int


class QuestionResult(Schema):
    """One question version as a survey asked it. ``options`` carry counts only when
    ``shown``: the group is closed and at least ``MIN_ANSWERS`` participants answered."""

    item_id: int
    key: str
    version: int
    text: str
    answered: int
    shown: bool
    options: list[OptionCount]


class GroupOut(Schema):
    id: int
    title: str
    state: GroupState
    answered: int  # participants who answered every question of the group
    questions: list[QuestionResult]


class SurveyOut(Schema):
    """A survey: ``question_set`` is the session kind it was made for (``module_1``…);
    ``ends_at`` is when it was closed, or when it closes by itself (24 h after opening)."""

    id: int
    programme_id: int
    session_id: int
    question_set: str
    code: str
    opened_at: datetime
    ends_at: datetime
    is_open: bool
    joined: int  # phones that joined with the code (a phone may join and never answer)
    answered: int  # of them, those that answered at least one question
    groups: list[GroupOut]


class SurveyCount(Schema):
    """The host screen's live figures: phones joined, and of them those that answered every
    question of the open group, or of the last group opened (0 before any)."""

    joined: int
    answered: int
    open_group_id: int | None
    is_open: bool
    group_title: str = ""  # the group ``answered`` counts for ("" before any was opened)
