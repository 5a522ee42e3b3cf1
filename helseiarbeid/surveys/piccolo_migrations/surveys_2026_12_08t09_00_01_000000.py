"""The evaluation survey built from the parts held (issue 16 §9): a theme per part (anchoring
and each module, ``survey_theme.part``) asked only when that part was held, and «Veien videre»
(no part) always, last. The programme-wide theme «Utbyttet av programmet» is retired with its
questions (surveys that asked them keep them). No question version is edited: the new
questions are version 1 of new keys."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.table import Table

ID = "2026-12-08T09:00:01:000000"
VERSION = "1.38.0"
DESCRIPTION = "evaluation themes per plan part"

AGREE = ["Helt enig", "Litt enig", "Litt uenig", "Helt uenig", "Vet ikke"]
NOW = "'2026-12-08 09:00:00+00:00'"

# (theme key, part, position, title, [(question key, text)]) — every question with AGREE.
THEMES = [
    (
        "ev.forankring",
        "anchoring",
        2,
        "Forankringsmøtet",
        [
            ("ev.forankring-mal", "Forankringsmøtet ga oss konkrete mål å jobbe mot."),
            (
                "ev.forankring-parter",
                "Ledelse, tillitsvalgte og verneombud har stått sammen om programmet.",
            ),
        ],
    ),
    (
        "ev.modul-1",
        "module_1",
        3,
        "Modul 1 – Muskel og skjelett",
        [
            ("ev.m1-nytte", "Vi forebygger og håndterer muskel- og skjelettplager bedre nå."),
            ("ev.m1-i-bruk", "Vi bruker oppgavene fra modul 1 i arbeidshverdagen."),
        ],
    ),
    (
        "ev.modul-2",
        "module_2",
        4,
        "Modul 2 – Psykisk helse",
        [
            ("ev.m2-nytte", "Vi snakker lettere om psykisk helse på jobb nå."),
            ("ev.m2-i-bruk", "Vi bruker oppgavene fra modul 2 i arbeidshverdagen."),
        ],
    ),
    (
        "ev.modul-3",
        "module_3",
        5,
        "Modul 3 – Smertemestring og arbeidsmiljø",
        [
            ("ev.m3-nytte", "Vi håndterer smerter og tilrettelegger i arbeidsmiljøet bedre nå."),
            ("ev.m3-i-bruk", "Vi bruker oppgavene fra modul 3 i arbeidshverdagen."),
        ],
    ),
]


def _quoted(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _statements() -> list[str]:
    statements = [
        "UPDATE survey_theme SET retired_at = '2026-12-08 09:00:00+00:00' WHERE key = 'ev.utbytte'",
        "UPDATE survey_question SET retired_at = '2026-12-08 09:00:00+00:00' "
        "WHERE retired_at IS NULL AND theme = (SELECT id FROM survey_theme "
        "WHERE key = 'ev.utbytte')",
        "UPDATE survey_theme SET position = 9 WHERE key = 'ev.veien-videre'",
    ]
    for theme_key, part, theme_position, title, questions in THEMES:
        statements.append(
            "INSERT INTO survey_theme (key, question_set, position, title, part) VALUES "  # noqa: S608
            f"({_quoted(theme_key)}, 'evaluation', {theme_position}, {_quoted(title)}, "
            f"{_quoted(part)})"
        )
        for position, (key, text) in enumerate(questions, start=1):
            statements.append(
                "INSERT INTO survey_question (key, version, theme, position, text, "  # noqa: S608
                f"created_at) VALUES ({_quoted(key)}, 1, (SELECT id FROM survey_theme "
                f"WHERE key = {_quoted(theme_key)}), {position}, {_quoted(text)}, {NOW})"
            )
            for option_position, option in enumerate(AGREE, start=1):
                statements.append(
                    "INSERT INTO survey_option (question, position, text) VALUES "  # noqa: S608
                    f"((SELECT id FROM survey_question WHERE key = {_quoted(key)} AND "
                    f"version = 1), {option_position}, {_quoted(option)})"
                )
    return statements


class RawTable(Table):
    pass


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="surveys", description=DESCRIPTION)

    async def run() -> None:
        for statement in _statements():
            await RawTable.raw(statement)

    manager.add_raw(run)
    return manager
