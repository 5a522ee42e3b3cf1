"""Question sets (themes, questions in versions, answer options) and the surveys run in a
programme's sittings: the question groups and question versions each survey used, the
anonymous participants and their answers.

Names follow NAV's Fia (``spørreundersøkelse``, ``tema``, ``spørsmål``, ``svaralternativ``,
a participant ``sesjon``): a theme here is a question group the host opens and closes.
"""

from __future__ import annotations

from piccolo.columns import ForeignKey, Integer, OnDelete, Serial, Text, Timestamptz, Varchar
from piccolo.table import Table

from helseiarbeid.company_track.tables import Programme, ProgrammeSession
from helseiarbeid.core.tables import User


class SurveyTheme(Table, tablename="survey_theme"):
    """A question group of one question set (a session kind: ``module_1``, ``evaluation``…).
    ``part`` (a session kind) is the plan part the theme asks about: such a theme is asked
    only when that part was held (the evaluation survey, issue 16 §9); without a part it is
    always asked («Veien videre»)."""

    id: Serial  # added by Piccolo; declared for type checkers
    key = Varchar(length=60, unique=True)
    question_set = Varchar(length=16, index=True)
    position = Integer()
    title = Varchar(length=200)
    retired_at = Timestamptz(null=True, default=None)
    part = Varchar(length=16, null=True, default=None)


class SurveyQuestion(Table, tablename="survey_question"):
    """One version of a question. ``key`` is the stable id across versions; (key, version) is
    unique (migration). A version is never edited: a change is a new version, and the old one
    gets ``retired_at``."""

    id: Serial  # added by Piccolo; declared for type checkers
    key = Varchar(length=60, index=True)
    version = Integer()
    theme = ForeignKey(references=SurveyTheme, on_delete=OnDelete.restrict, index=True)
    position = Integer()
    text = Text()
    created_at = Timestamptz()
    retired_at = Timestamptz(null=True, default=None)


class SurveyOption(Table, tablename="survey_option"):
    """An answer option of one question version (as unchangeable as the version)."""

    id: Serial  # added by Piccolo; declared for type checkers
    question = ForeignKey(references=SurveyQuestion, on_delete=OnDelete.restrict, index=True)
    position = Integer()
    text = Varchar(length=200)


class Survey(Table, tablename="survey"):
    """A survey run in one sitting or meeting. ``code`` is what phones type (or scan) to join;
    the survey is open from ``opened_at`` until ``closed_at`` or ``closes_at`` (24 h)."""

    id: Serial  # added by Piccolo; declared for type checkers
    programme = ForeignKey(references=Programme, on_delete=OnDelete.cascade, index=True)
    session = ForeignKey(references=ProgrammeSession, on_delete=OnDelete.cascade, index=True)
    question_set = Varchar(length=16)
    code = Varchar(length=6, unique=True)
    opened_by = ForeignKey(references=User, on_delete=OnDelete.set_null, null=True)
    opened_at = Timestamptz()
    closes_at = Timestamptz(index=True)
    closed_at = Timestamptz(null=True, default=None)


class SurveyGroup(Table, tablename="survey_group"):
    """A theme as one survey used it: the host opens it, phones answer, the host closes it."""

    id: Serial  # added by Piccolo; declared for type checkers
    survey = ForeignKey(references=Survey, on_delete=OnDelete.cascade, index=True)
    theme = ForeignKey(references=SurveyTheme, on_delete=OnDelete.restrict)
    position = Integer()
    opened_at = Timestamptz(null=True, default=None)
    closed_at = Timestamptz(null=True, default=None)


class SurveyItem(Table, tablename="survey_item"):
    """The question version a survey's group asked: results stay tied to that version."""

    id: Serial  # added by Piccolo; declared for type checkers
    survey_group = ForeignKey(references=SurveyGroup, on_delete=OnDelete.cascade, index=True)
    question = ForeignKey(references=SurveyQuestion, on_delete=OnDelete.restrict, index=True)
    position = Integer()


class SurveyParticipant(Table, tablename="survey_participant"):
    """One phone's random session: the SHA-256 of its cookie token and nothing else — no
    name, address, user agent or time."""

    id: Serial  # added by Piccolo; declared for type checkers
    survey = ForeignKey(references=Survey, on_delete=OnDelete.cascade, index=True)
    token_hash = Varchar(length=64, unique=True)


class SurveyAnswer(Table, tablename="survey_answer"):
    """A participant's current choice for one item; (participant, item) is unique (migration),
    so a changed answer replaces the earlier one."""

    id: Serial  # added by Piccolo; declared for type checkers
    participant = ForeignKey(references=SurveyParticipant, on_delete=OnDelete.cascade, index=True)
    item = ForeignKey(references=SurveyItem, on_delete=OnDelete.cascade, index=True)
    choice = ForeignKey(references=SurveyOption, on_delete=OnDelete.restrict)
