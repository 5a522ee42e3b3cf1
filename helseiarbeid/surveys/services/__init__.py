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

from helseiarbeid.surveys.services._common import (
    CODE_ALPHABET,
    CODE_LENGTH,
    WRONG_CODES,
    normalise_code,
)
from helseiarbeid.surveys.services.hosting import (
    close_group,
    close_survey,
    count,
    open_group,
    start_refusal,
    start_survey,
)
from helseiarbeid.surveys.services.phones import (
    PhoneView,
    answer,
    join,
    phone_view,
)
from helseiarbeid.surveys.services.questions import (
    current_questions,
    new_question_version,
    retire_question,
)
from helseiarbeid.surveys.services.report import SittingSurveys, report_section
from helseiarbeid.surveys.services.results import (
    get_survey,
    programme_surveys,
    results_for_programme,
    versions_differ,
)

__all__ = [
    "CODE_ALPHABET",
    "CODE_LENGTH",
    "WRONG_CODES",
    "PhoneView",
    "SittingSurveys",
    "answer",
    "close_group",
    "close_survey",
    "count",
    "current_questions",
    "get_survey",
    "join",
    "new_question_version",
    "normalise_code",
    "open_group",
    "phone_view",
    "programme_surveys",
    "report_section",
    "results_for_programme",
    "retire_question",
    "start_refusal",
    "start_survey",
    "versions_differ",
]
