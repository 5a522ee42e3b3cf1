"""Repeated failed logins are stopped with 429 before the password is even checked."""

from __future__ import annotations

import httpx

from helseiarbeid.settings import get_settings
from tests.cast import PASSWORD, Cast, csrf_token


async def _attempt(client: httpx.AsyncClient, email: str, password: str) -> httpx.Response:
    token = await csrf_token(client)
    return await client.post(
        "/login", data={"email": email, "password": password, "_csrf_token": token}
    )


async def test_repeated_wrong_passwords_for_one_account_give_429(
    client: httpx.AsyncClient, cast: Cast
) -> None:
    limit = get_settings().login_max_failures_per_account
    for _ in range(limit):
        response = await _attempt(client, "per@test.example", "gjetting-uten-hell")
        assert response.status_code == 422
    blocked = await _attempt(client, "per@test.example", "gjetting-uten-hell")
    assert blocked.status_code == 429
    assert "For mange mislykkede innlogginger" in blocked.text
    assert int(blocked.headers["retry-after"]) > 0
    # Even the right password is refused while the account is throttled.
    right = await _attempt(client, "per@test.example", PASSWORD)
    assert right.status_code == 429


async def test_throttling_one_account_leaves_others_alone(
    client: httpx.AsyncClient, cast: Cast
) -> None:
    for _ in range(get_settings().login_max_failures_per_account):
        await _attempt(client, "per@test.example", "gjetting-uten-hell")
    response = await _attempt(client, "frida@test.example", PASSWORD)
    assert response.status_code == 303


async def test_many_failures_from_one_address_across_accounts_give_429(
    client: httpx.AsyncClient, cast: Cast
) -> None:
    limit = get_settings().login_max_failures_per_address
    for index in range(limit):
        response = await _attempt(client, f"gjest{index}@test.example", "gjetting-uten-hell")
        assert response.status_code == 422
    blocked = await _attempt(client, "kari@test.example", PASSWORD)
    assert blocked.status_code == 429
