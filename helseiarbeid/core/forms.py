"""HTML forms to the API's request schemas, with a Norwegian message for the field that is wrong.

Every page that posts a form reads it through :func:`convert`, so a form and the JSON API accept
the same values and explain a refusal the same way (``core.parse_errors``). The values arrive
already normalised (``core.request_input``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

import msgspec
import msgspec.inspect

from helseiarbeid.core.errors import InvalidInput
from helseiarbeid.core.parse_errors import describe_exception
from helseiarbeid.core.request_input import find_problems

T = TypeVar("T")


_TEXT_FIELDS: dict[type[Any], frozenset[str]] = {}


def _text_fields(schema: type[Any]) -> frozenset[str]:
    """The fields of ``schema`` that hold text, where an empty input is an empty string."""
    known = _TEXT_FIELDS.get(schema)
    if known is not None:
        return known
    info = msgspec.inspect.type_info(schema)
    if not isinstance(info, msgspec.inspect.StructType):
        raise TypeError(f"{schema!r} is not a msgspec Struct")

    def is_text(kind: msgspec.inspect.Type) -> bool:
        if isinstance(kind, msgspec.inspect.UnionType):
            return any(is_text(member) for member in kind.types)
        return isinstance(kind, msgspec.inspect.StrType)

    names = frozenset(field.name for field in info.fields if is_text(field.type))
    _TEXT_FIELDS[schema] = names
    return names


def convert(
    form: Mapping[str, Any],
    schema: type[T],
    *,
    messages: Mapping[str, str] | None = None,
    **extra: Any,
) -> T:
    """The form as ``schema``, with ``extra`` values set by the page.

    An empty input is an empty string in a text field and "not given" in any other (a number,
    a date, a choice), so an optional one takes its default and a required one is «Må fylles
    ut.». ``messages`` says, per field, what to tell the person when that field cannot be read
    (e.g. "Velg en anbefaling."); otherwise the parser's message is said in Norwegian.
    Raises InvalidInput naming the field; NaN and ±infinity are refused like in the API."""
    text_fields = _text_fields(schema)
    values = {
        name: value
        for name, value in form.items()
        if not name.startswith("_csrf") and (value != "" or name in text_fields)
    }
    values.update(extra)
    try:
        result = msgspec.convert(values, schema, strict=False)
    except msgspec.ValidationError as exc:
        field, message = describe_exception(str(exc))
        field = field.split("[")[0] or "form"
        raise InvalidInput({field: (messages or {}).get(field, message)}) from exc
    problems = find_problems(msgspec.to_builtins(result))
    if problems:
        said = messages or {}
        raise InvalidInput({field: said.get(field, text) for field, text in problems.items()})
    return result
