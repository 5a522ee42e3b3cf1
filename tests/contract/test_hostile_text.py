"""Random hostile input to every /api/ write operation (issue 11, "Done when").

For each operation with a JSON body, as a role it is open to, on the seeded data of the
contract test: a body of the documented shape where one text field is random Unicode
(controls, format characters, unpaired surrogates escaped in JSON, combining marks, line
separators), or one number is NaN-like, huge or out of range, or the whole body nests deeply.

The answer is never a 5xx; it is a success, or a 4xx in Norwegian that names the field when it
is a 422. For the referral itself, a success must have stored the text as ``core.text``
normalises it.
"""

from __future__ import annotations

import asyncio
import json
import re
from datetime import timedelta
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from helseiarbeid.core.clock import today_in_oslo
from helseiarbeid.core.roles import Role
from helseiarbeid.core.text import TextProblem, normalise
from tests.clinic_track.conftest import next_weekday_at
from tests.contract.published import APP, POLICIES, PUBLISHED
from tests.contract.seed import Seeded
from tests.referrals.factories import referral_body

ENGLISH = ("Expected", "Object missing", "got `", "Validation failed", "Request body", "Traceback")
_PARAMETER = re.compile(r"\{(\w+)\}")
# Seeded rows (tests/contract/seed.py): referral 2 is in progress, 5 has an answered question.
PATH_VALUES = {"referral_id": 2}
COMPONENTS = PUBLISHED.get("components", {}).get("schemas", {})

HOSTILE_CHARACTERS = st.characters(
    categories=["Cc", "Cf", "Cs", "Co", "Zs", "Zl", "Zp", "Mn", "So", "Lo", "Ll", "Lu", "Nd"]
)
HOSTILE_TEXT = st.one_of(
    st.text(HOSTILE_CHARACTERS, max_size=40),
    st.sampled_from(
        ["\u0000", "\u200b\u200b", "\u2800", "a\u0000b", "\ufeff", "\u202e", "\ud800", "\r\n"]
    ),
)
HOSTILE_NUMBERS = st.sampled_from(
    [b"1e400", b"-1e400", b"NaN", b"Infinity", b"1e308", b"9223372036854775808", b"-0.0"]
)


def _resolve(schema: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        schema = COMPONENTS[schema["$ref"].rsplit("/", 1)[-1]]
    return schema


def _example(schema: dict[str, Any]) -> Any:
    """A value of the documented shape; the rules beyond the shape are left to chance."""
    schema = _resolve(schema)
    for key in ("oneOf", "anyOf"):
        if key in schema:
            options = [_resolve(option) for option in schema[key]]
            return _example(next(o for o in options if o.get("type") != "null"))
    if "enum" in schema:
        return schema["enum"][0]
    kind = schema.get("type")
    if kind == "object":
        return {name: _example(part) for name, part in schema.get("properties", {}).items()}
    if kind == "array":
        return [_example(schema.get("items", {}))] * max(schema.get("minItems", 1), 1)
    if kind == "integer":
        return max(schema.get("minimum", 1), 1)
    if kind == "number":
        return 1.5
    if kind == "boolean":
        return True
    if schema.get("format") == "date":
        return (today_in_oslo() + timedelta(days=21)).isoformat()
    if schema.get("format") == "date-time":
        return next_weekday_at(10).isoformat()
    return "Tekst"


def _leaves(value: Any, path: tuple[Any, ...] = ()) -> list[tuple[tuple[Any, ...], Any]]:
    if isinstance(value, dict):
        return [leaf for key, item in value.items() for leaf in _leaves(item, (*path, key))]
    if isinstance(value, list):
        return [leaf for index, item in enumerate(value) for leaf in _leaves(item, (*path, index))]
    return [(path, value)]


def _replace(value: Any, path: tuple[Any, ...], new: Any) -> Any:
    if not path:
        return new
    copy = dict(value) if isinstance(value, dict) else list(value)
    copy[path[0]] = _replace(value[path[0]], path[1:], new)
    return copy


def _write_operations() -> list[tuple[str, str, dict[str, Any]]]:
    found = []
    for path, item in PUBLISHED["paths"].items():
        for method, operation in item.items():
            body = operation.get("requestBody", {}).get("content", {}).get("application/json")
            if path.startswith("/api/") and body:
                found.append((method.upper(), path, _example(body["schema"])))
    return found


OPERATIONS = _write_operations()


def _role(method: str, path: str) -> Role:
    return sorted(POLICIES[(method, path)].roles, key=list(Role).index)[0]


async def _send(
    headers: dict[str, str], method: str, url: str, content: bytes
) -> tuple[httpx.Response, dict[str, Any] | None]:
    transport = httpx.ASGITransport(app=APP, client=("127.0.0.1", 50000))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
        response = await http.request(
            method, url, content=content, headers={**headers, "Content-Type": "application/json"}
        )
        stored = None
        if url == "/api/v1/referrals" and response.status_code == 201:
            read = await http.get(f"/api/v1/referrals/{response.json()['id']}", headers=headers)
            stored = read.json()
        return response, stored


def _judge(response: httpx.Response, what: str) -> None:
    assert response.status_code < 500, f"{what}: {response.status_code} {response.text}"
    for phrase in ENGLISH:
        assert phrase not in response.text, f"{what}: {response.text}"
    if response.status_code >= 400:
        answer = response.json()
        assert answer["detail"], what
        if response.status_code == 422:
            assert answer.get("errors"), f"{what}: a 422 names no field: {response.text}"
            assert all(name for name in answer["errors"]), what


def _url(path: str) -> str:
    return _PARAMETER.sub(lambda match: str(PATH_VALUES.get(match[1], 1)), path)


@pytest.mark.parametrize(("method", "path", "example"), OPERATIONS, ids=lambda v: str(v)[:60])
@settings(
    max_examples=12,
    derandomize=True,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
def test_hostile_values_never_break_a_write(
    contract: Seeded, method: str, path: str, example: dict[str, Any], data: st.DataObject
) -> None:
    leaves = _leaves(example)
    choice = data.draw(st.sampled_from(["text", "number", "nesting"]), label="kind")
    if choice == "text" and any(isinstance(value, str) for _, value in leaves):
        where = data.draw(st.sampled_from([p for p, v in leaves if isinstance(v, str)]))
        content = json.dumps(_replace(example, where, data.draw(HOSTILE_TEXT))).encode()
    elif choice == "number" and any(isinstance(v, int | float) for _, v in leaves):
        where = data.draw(st.sampled_from([p for p, v in leaves if isinstance(v, int | float)]))
        marker = "\u2603marker\u2603"
        content = json.dumps(_replace(example, where, marker), ensure_ascii=False).encode()
        content = content.replace(
            json.dumps(marker, ensure_ascii=False).encode(), data.draw(HOSTILE_NUMBERS)
        )
    else:
        depth = data.draw(st.integers(min_value=30, max_value=3000))
        content = b'{"x":' * depth + b"1" + b"}" * depth
    role = _role(method, path)
    response, _ = asyncio.run(_send(contract.headers[role], method, _url(path), content))
    _judge(response, f"{method} {path} as {role.value} with {content[:200]!r}")


TEXT_FIELDS = ["patient.name", "patient.address", "description", "question", "history"]


@settings(max_examples=40, derandomize=True, deadline=None, database=None)
@given(field=st.sampled_from(TEXT_FIELDS), text=HOSTILE_TEXT)
def test_a_referral_is_stored_with_its_text_normalised_or_refused_naming_the_field(
    contract: Seeded, field: str, text: str
) -> None:
    body = referral_body(**{field: f"Tekst {text} slutt"})
    content = json.dumps(body).encode()
    response, stored = asyncio.run(
        _send(contract.headers[Role.GP], "POST", "/api/v1/referrals", content)
    )
    _judge(response, f"{field}={text!r}")
    if any(0xD800 <= ord(char) <= 0xDFFF for char in text):
        # msgspec will not decode an unpaired surrogate: the body is not valid JSON text.
        assert response.status_code == 400, response.text
        return
    try:
        expected: str | None = normalise(f"Tekst {text} slutt")
    except TextProblem:
        expected = None
    if expected is None:
        assert response.status_code == 422
        assert field in response.json()["errors"]
    else:
        assert response.status_code == 201, response.text
        assert stored is not None
        outer, _, inner = field.partition(".")
        assert (stored[outer][inner] if inner else stored[outer]) == expected
