"""The parser's English about a field, said in Norwegian and tied to the field it is about.

msgspec reports one problem as ``"<message> - at `$.path`"``; Litestar splits that into a
message and a key. Both the API's 422 answer (``core.web_errors``) and the page forms
(``core.forms``) turn such a pair into ``(field path, Norwegian message)`` here, so no page and
no API answer shows «Object missing required field» or «Expected `int`, got `str`».
"""

from __future__ import annotations

import re

_TYPE_NAMES = {
    "int": "et heltall",
    "float": "et tall",
    "decimal": "et tall",
    "str": "tekst",
    "bool": "true eller false",
    "array": "en liste",
    "object": "et objekt",
    "null": "tom",
    "date": "en dato",
    "datetime": "et tidspunkt",
    "time": "et klokkeslett",
}
_MISSING = re.compile(r"Object missing required field `(.*)`$")
_UNKNOWN = re.compile(r"Object contains unknown field `(.*)`$")
# (pattern, Norwegian template); {types} is the expected type(s) in words, {1} the first group.
_MESSAGES: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"Expected `([^`]+)`, got `[^`]+`"), "Må være {types}."),
    (re.compile(r"Expected `str` of length <= (\d+)"), "Høyst {1} tegn."),
    (re.compile(r"Expected `str` of length >= (\d+)"), "Minst {1} tegn."),
    (re.compile(r"Expected `str` matching regex"), "Har et ugyldig format."),
    (re.compile(r"Expected `array` of length <= (\d+)"), "Høyst {1} elementer."),
    (re.compile(r"Expected `array` of length >= (\d+)"), "Velg minst {1}."),
    (re.compile(r"Expected `\w+` >= (\S+)"), "Må være minst {1}."),
    (re.compile(r"Expected `\w+` <= (\S+)"), "Kan være høyst {1}."),
    (re.compile(r"Expected `\w+` > (\S+)"), "Må være større enn {1}."),
    (re.compile(r"Expected `\w+` < (\S+)"), "Må være mindre enn {1}."),
    (re.compile(r"Invalid RFC3339 encoded date$"), "Ugyldig dato: bruk ÅÅÅÅ-MM-DD."),
    (
        re.compile(r"Invalid RFC3339 encoded datetime$"),
        "Ugyldig tidspunkt: bruk ISO 8601 med tidssone, f.eks. 2026-03-02T09:00:00+01:00.",
    ),
    (re.compile(r"Invalid RFC3339 encoded time$"), "Ugyldig klokkeslett: bruk TT:MM."),
    (re.compile(r"Invalid enum value (.*)$"), "Ugyldig valg {1}."),
    (re.compile(r"(?:Integer value|Number) out of range"), "Tallet er for stort."),
]
MISSING_MESSAGE = "Må fylles ut."
UNKNOWN_MESSAGE = "Ukjent felt."
FALLBACK_MESSAGE = "Ugyldig verdi."


def _type_names(types: str) -> str:
    """ "int | null" -> "et heltall eller tom" """
    return " eller ".join(_TYPE_NAMES.get(name, name) for name in types.split(" | "))


def field_path(key: str) -> str:
    """msgspec's ``$.patient.name`` or Litestar's ``patient.name`` (``data`` for the body as a
    whole, empty for the top) as the API's field path ``patient.name``; "" for the body."""
    key = key.removeprefix("$").removeprefix(".")
    return "" if key in ("", "data") else key


def describe(key: str, message: str) -> tuple[str, str]:
    """The field a parser message is about and what to tell a person, in Norwegian.

    ``key`` is where the parser was (``$.patient`` or ``patient``); for a missing or unknown
    field the field is inside it. A message we do not know is answered with a neutral
    «Ugyldig verdi.» rather than passed on in English."""
    path = field_path(key)
    message = message.split(" - at `", 1)[0]
    for pattern, said in ((_MISSING, MISSING_MESSAGE), (_UNKNOWN, UNKNOWN_MESSAGE)):
        match = pattern.match(message)
        if match:
            return (f"{path}.{match[1]}" if path else match[1]), said
    for pattern, template in _MESSAGES:
        match = pattern.match(message)
        if match:
            groups = match.groups()
            types = _type_names(groups[0]) if groups else ""
            return path, template.format(None, *groups, types=types)
    return path, FALLBACK_MESSAGE


def describe_exception(text: str) -> tuple[str, str]:
    """:func:`describe` for the text of a ``msgspec.ValidationError``
    (``"<message> - at `$.path`"``)."""
    message, _, where = text.partition(" - at `")
    return describe(where.rstrip("`"), message)
