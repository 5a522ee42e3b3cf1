"""What counts as text: the one normalisation every piece of input goes through.

Applied to every JSON body and every form the service receives (``core.request_input``),
before any schema or service sees the values, so a rule here holds for every field at once:

- line breaks become ``\\n`` (a browser's ``\\r\\n`` and a lone ``\\r`` alike);
- Unicode NFC, so «ø» typed on a Mac and on Windows is the same text (and the same bytes in
  PostgreSQL and SQLite);
- leading and trailing blanks are removed: whitespace, and characters that show nothing —
  format characters (Unicode category Cf: zero-width space and joiners, the byte-order mark,
  bidirectional marks), the braille blank and the Hangul fillers. Text that is only such
  characters is therefore empty, and the services' «… må fylles ut» applies;
- control characters are not text: C0 controls other than tab and line feed, DEL, the C1
  controls, unpaired surrogates and the noncharacters U+FFFE/U+FFFF. PostgreSQL cannot store
  U+0000 at all, so without this rule the same input would be a 500 on one engine and stored
  on the other.

Tab and line feed are kept wherever they occur: a GP's pasted address or description may hold
line breaks, and every output format escapes them (HTML, PDF, CSV quoting, iCalendar).
"""

from __future__ import annotations

import unicodedata

# Characters that show nothing but are not Cf or whitespace, seen used as "filled in" blanks.
_INVISIBLE_LETTERS = frozenset("\u2800\u3164\u115f\u1160\uffa0")
_KEPT_CONTROLS = frozenset("\t\n")


class TextProblem(ValueError):
    """A value that is not text the service can keep; ``message`` is Norwegian, for people."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def _is_blank(char: str) -> bool:
    return char.isspace() or char in _INVISIBLE_LETTERS or unicodedata.category(char) == "Cf"


def _forbidden(char: str) -> bool:
    code = ord(char)
    if code < 0x20:
        return char not in _KEPT_CONTROLS
    return 0x7F <= code <= 0x9F or 0xD800 <= code <= 0xDFFF or code in (0xFFFE, 0xFFFF)


def forbidden_character(value: str) -> str | None:
    """The first character of ``value`` that is not text (see the module), as «U+0000»; or None."""
    if value.isprintable():  # the common case, in C: no control, format or surrogate at all
        return None
    for char in value:
        if _forbidden(char):
            return f"U+{ord(char):04X}"
    return None


def normalise(value: str) -> str:
    """``value`` with line breaks as ``\\n``, in NFC, without blanks at either end.

    Raises TextProblem if it holds a control character (see the module for which)."""
    if "\r" in value:
        value = value.replace("\r\n", "\n").replace("\r", "\n")
    bad = forbidden_character(value)
    if bad is not None:
        raise TextProblem(f"Inneholder et kontrolltegn ({bad}) som ikke er tillatt i tekst.")
    if not unicodedata.is_normalized("NFC", value):
        value = unicodedata.normalize("NFC", value)
    start, end = 0, len(value)
    while start < end and _is_blank(value[start]):
        start += 1
    while end > start and _is_blank(value[end - 1]):
        end -= 1
    return value[start:end]


def remove_controls(value: str) -> str:
    """``value`` without the characters :func:`normalise` refuses, then normalised.

    For HTML forms: a person cannot type or see a control character, so a pasted one is
    dropped rather than refused."""
    if "\r" in value:
        value = value.replace("\r\n", "\n").replace("\r", "\n")
    if forbidden_character(value) is not None:
        value = "".join(char for char in value if not _forbidden(char))
    return normalise(value)
