"""Every request body, cleaned once before any schema, form parser or service reads it.

``clean_request_body`` is the application's ``before_request`` hook. It runs after the policy
guard and before Litestar extracts the handler's ``data``, and leaves the cleaned values where
Litestar looks for them first (the connection's parsed JSON or form), so no handler can see the
raw values:

- JSON bodies (any handler with a ``data`` parameter that is not a form): nesting deeper than
  ``MAX_JSON_DEPTH`` is refused with 400 before the parser descends; every string is
  normalised (``core.text``), and one that holds a control character is refused with 422
  naming its field (``patient.name``, ``staff_ids[2]``); so are NaN/±infinity (JSON has no
  NaN, but ``1e400`` decodes to infinity) and integers outside PostgreSQL's ``integer``.
- HTML forms: every value is normalised; control characters, which a person can neither type
  nor see, are removed. Password fields are passed on as typed.
"""

from __future__ import annotations

import math
import re
from typing import Any
from urllib.parse import parse_qsl

import msgspec
from litestar import Request
from litestar.utils.scope.state import ScopeState

from helseiarbeid.core.errors import BadRequest, InvalidInput
from helseiarbeid.core.schemas import MAX_DB_INT
from helseiarbeid.core.text import TextProblem, normalise, remove_controls

# Our deepest schema is three levels; 32 leaves room without letting a parser recurse far.
MAX_JSON_DEPTH = 32
_JSON_STRING = re.compile(rb'"(?:[^"\\]|\\.)*"', re.DOTALL)
_NOT_BRACKETS = bytes(set(range(256)) - set(b"[]{}"))
_FORM = "application/x-www-form-urlencoded"
_UNTOUCHED_FORM_FIELDS = re.compile(r"password", re.IGNORECASE)


def json_too_deep(body: bytes, limit: int = MAX_JSON_DEPTH) -> bool:
    """Whether the JSON text ``body`` nests arrays/objects more than ``limit`` deep.

    Counts brackets outside strings without parsing; a body with fewer opening brackets than
    the limit is answered without a scan."""
    if body.count(b"[") + body.count(b"{") <= limit:
        return False
    depth = 0
    for bracket in _JSON_STRING.sub(b'""', body).translate(None, _NOT_BRACKETS):
        if bracket in b"[{":
            depth += 1
            if depth > limit:
                return True
        else:
            depth -= 1
    return False


def _clean_json(value: Any, path: str, problems: dict[str, str]) -> Any:
    if isinstance(value, str):
        try:
            return normalise(value)
        except TextProblem as exc:
            problems[path or "body"] = exc.message
            return value
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, float):
        if not math.isfinite(value):
            problems[path or "body"] = "Må være et tall (ikke NaN eller uendelig)."
        return value
    if isinstance(value, int):
        if not -MAX_DB_INT - 1 <= value <= MAX_DB_INT:
            problems[path or "body"] = f"Tallet er for stort: høyst {MAX_DB_INT}."
        return value
    if isinstance(value, list):
        return [_clean_json(item, f"{path}[{index}]", problems) for index, item in enumerate(value)]
    if isinstance(value, dict):
        return {
            key: _clean_json(item, f"{path}.{key}" if path else str(key), problems)
            for key, item in value.items()
        }
    return value


def find_problems(value: Any) -> dict[str, str]:
    """What is wrong with the values of a decoded JSON value (or a schema's builtins), as
    {field path: Norwegian message}: control characters, non-finite or out-of-range numbers."""
    problems: dict[str, str] = {}
    _clean_json(value, "", problems)
    return problems


def clean_json(body: bytes) -> Any:
    """The JSON ``body`` decoded, with every string normalised.

    Raises BadRequest (400) for unreadable or too deeply nested JSON, InvalidInput (422,
    a message per field path) for control characters, non-finite or out-of-range numbers."""
    if json_too_deep(body):
        raise BadRequest(f"JSON-innholdet er nestet dypere enn {MAX_JSON_DEPTH} nivåer.")
    try:
        decoded = msgspec.json.decode(body)
    except msgspec.DecodeError as exc:
        raise BadRequest("Innholdet er ikke gyldig JSON.") from exc
    problems: dict[str, str] = {}
    cleaned = _clean_json(decoded, "", problems)
    if problems:
        raise InvalidInput(problems)
    return cleaned


def clean_form(body: bytes) -> dict[str, str | list[str]]:
    """An ``application/x-www-form-urlencoded`` body as Litestar would give it (repeated
    names as lists), each value normalised with control characters removed."""
    form: dict[str, str | list[str]] = {}
    for name, raw in parse_qsl(body.decode("utf-8", errors="replace"), keep_blank_values=True):
        value = raw if _UNTOUCHED_FORM_FIELDS.search(name) else remove_controls(raw)
        key = remove_controls(name)
        earlier = form.get(key)
        if earlier is None:
            form[key] = value
        elif isinstance(earlier, list):
            earlier.append(value)
        else:
            form[key] = [earlier, value]
    return form


async def clean_request_body(request: Request[Any, Any, Any]) -> None:
    """The ``before_request`` hook: cleans the body of a handler that reads one (see module)."""
    if "data" not in request.route_handler.parsed_fn_signature.parameters:
        return
    body = await request.body()
    if not body:
        return
    state = ScopeState.from_scope(request.scope)
    media_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if media_type == _FORM:
        state.form = clean_form(body)  # type: ignore[assignment]
    elif not media_type.startswith("multipart/"):
        state.json = clean_json(body)
