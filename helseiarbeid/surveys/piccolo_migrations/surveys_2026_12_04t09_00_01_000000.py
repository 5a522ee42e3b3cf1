"""Unique (question key, version) and (participant, item), and the first version of every
question set. The texts are frozen here: a later change is a new version in a new migration
(or through ``surveys.services.new_question_version``), never an edit of these rows."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.table import Table

ID = "2026-12-04T09:00:01:000000"
VERSION = "1.38.0"
DESCRIPTION = "survey uniqueness and the first question sets"

AGREE = ["Helt enig", "Litt enig", "Litt uenig", "Helt uenig", "Vet ikke"]
USEFUL = ["Svært nyttig", "Nyttig", "Lite nyttig", "Ikke nyttig"]
KNOWS = ["Ja", "Usikker", "Nei"]

# question set -> [(theme key, title, [(question key, text, options)])]
QUESTION_SETS = {
    "anchoring": [
        (
            "a.utgangspunkt",
            "Utgangspunktet",
            [
                (
                    "a.kjenner-mal",
                    "Jeg kjenner virksomhetens mål for sykefravær og inkludering.",
                    AGREE,
                ),
                (
                    "a.partssamarbeid",
                    "Ledelse, tillitsvalgte og verneombud samarbeider godt om arbeidsmiljøet.",
                    AGREE,
                ),
            ],
        )
    ],
    "evaluation": [
        (
            "ev.utbytte",
            "Utbyttet av programmet",
            [
                (
                    "ev.kompetanse",
                    "Vi har fått kompetanse til å forebygge og håndtere sykefraværet vårt.",
                    AGREE,
                ),
                (
                    "ev.partssamarbeid",
                    "Partssamarbeidet har blitt bedre i løpet av programmet.",
                    AGREE,
                ),
            ],
        ),
        (
            "ev.veien-videre",
            "Veien videre",
            [
                (
                    "ev.plan-videre",
                    "Vi har en plan for å fortsette arbeidet etter programmet.",
                    AGREE,
                ),
            ],
        ),
    ],
}
DIFFERENTLY = {
    "module_1": [
        "Ta pauser og bevege meg mer",
        "Justere arbeidsstilling og utstyr",
        "Si fra tidligere når noe gjør vondt",
        "Ingenting nytt",
    ],
    "module_2": [
        "Spørre en kollega hvordan det går",
        "Si fra tidligere om belastning",
        "Bruke tiltakene vi snakket om",
        "Ingenting nytt",
    ],
    "module_3": [
        "Bruke mestringsteknikkene",
        "Ta opp arbeidsmiljøet i teamet",
        "Tilrettelegge sammen med lederen",
        "Ingenting nytt",
    ],
}
CONTACT = {
    "module_1": "Vet du hvem du skal kontakte når smerter starter?",
    "module_2": "Vet du hvem du kan snakke med når det butter psykisk?",
    "module_3": "Vet du hvem du skal kontakte når smerter starter?",
}
for number in (1, 2, 3):
    kind = f"module_{number}"
    QUESTION_SETS[kind] = [
        (
            f"m{number}.utbytte",
            "Utbyttet av modulen",
            [(f"m{number}.nyttig", "Hvor nyttig var modulen for deg?", USEFUL)],
        ),
        (
            f"m{number}.pa-jobb",
            "På jobb",
            [
                (
                    f"m{number}.gjore-annerledes",
                    "Hva vil du gjøre annerledes på jobb etter dette?",
                    DIFFERENTLY[kind],
                ),
                (f"m{number}.hvem-kontakte", CONTACT[kind], KNOWS),
            ],
        ),
    ]


def _quoted(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _statements() -> list[str]:
    statements = [
        "CREATE UNIQUE INDEX survey_question_key_version ON survey_question (key, version)",
        "CREATE UNIQUE INDEX survey_answer_participant_item ON survey_answer (participant, item)",
    ]
    for question_set, themes in QUESTION_SETS.items():
        for theme_position, (theme_key, title, questions) in enumerate(themes, start=1):
            statements.append(
                "INSERT INTO survey_theme (key, question_set, position, title) VALUES "  # noqa: S608
                f"({_quoted(theme_key)}, {_quoted(question_set)}, {theme_position}, "
                f"{_quoted(title)})"
            )
            for position, (key, text, options) in enumerate(questions, start=1):
                statements.append(
                    "INSERT INTO survey_question (key, version, theme, position, text, "  # noqa: S608
                    f"created_at) VALUES ({_quoted(key)}, 1, (SELECT id FROM survey_theme "
                    f"WHERE key = {_quoted(theme_key)}), {position}, {_quoted(text)}, "
                    "'2026-12-04 09:00:00+00:00')"
                )
                for option_position, option in enumerate(options, start=1):
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
