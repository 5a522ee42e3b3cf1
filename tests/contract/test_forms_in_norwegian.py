"""Every page form answers bad input in Norwegian, naming what is wrong (issue 10, item 10).

Each form route is posted, as every role it is open to, on the contract test's seeded data:
once empty (only the CSRF token) and once with every field any form has set to «mange» (a
word where numbers, dates, choices and ids are expected). No answer may be a 5xx or hold the
parser's English («Object missing required field», «Expected `int`, got `str`»).
"""

from __future__ import annotations

import asyncio
import inspect
import re

import httpx
import msgspec
import pytest
from litestar.routes import HTTPRoute

from helseiarbeid.clinic_track import schemas as clinic_schemas
from helseiarbeid.company_track import schemas as company_schemas
from helseiarbeid.core.policy import policy_of
from helseiarbeid.core.roles import Role
from helseiarbeid.referrals import schemas as referral_schemas
from tests.cast import csrf_token
from tests.contract.published import APP
from tests.contract.seed import Seeded
from tests.referrals.test_referral_form import _form as referral_form

ENGLISH = re.compile(r"Expected|Object missing|got `|Object contains|Invalid enum|Traceback")
_PARAMETER = re.compile(r"\{(\w+):\w+\}")


def _form_routes() -> list[tuple[str, Role]]:
    found = []
    for route in APP.routes:
        if not isinstance(route, HTTPRoute) or route.path.startswith(("/api/", "/schema")):
            continue
        for handler in route.route_handlers:
            policy = policy_of(handler)
            if "POST" in handler.http_methods and policy is not None and not policy.public:
                found.extend(
                    (route.path, role) for role in sorted(policy.roles, key=list(Role).index)
                )
    return found


def _every_field_name() -> set[str]:
    names = set(referral_form())
    for module in (clinic_schemas, company_schemas, referral_schemas):
        for _, kind in inspect.getmembers(module, inspect.isclass):
            if issubclass(kind, msgspec.Struct) and kind.__module__ == module.__name__:
                names.update(kind.__struct_fields__)
    names.update({"date", "time", "slot", "bht", "reason", "answer", "confirm"})
    return names


WRONG = {name: "mange" for name in _every_field_name()}


async def _post_both(headers: dict[str, str], url: str) -> list[httpx.Response]:
    transport = httpx.ASGITransport(app=APP, client=("127.0.0.1", 50000))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
        token = await csrf_token(http)
        answers = []
        for form in ({}, WRONG):
            answers.append(
                await http.post(
                    url,
                    data={**form, "_csrf_token": token},
                    headers={**headers, "x-csrftoken": token},
                )
            )
        return answers


@pytest.mark.parametrize(("path", "role"), _form_routes(), ids=lambda value: str(value))
def test_a_form_posted_empty_or_with_wrong_types_is_answered_in_norwegian(
    contract: Seeded, path: str, role: Role
) -> None:
    url = _PARAMETER.sub("2", path)
    for response in asyncio.run(_post_both(contract.headers[role], url)):
        assert response.status_code < 500, f"{url} as {role.value}: {response.status_code}"
        found = ENGLISH.search(response.text)
        assert found is None, f"{url} as {role.value} says {found and found[0]!r}"
