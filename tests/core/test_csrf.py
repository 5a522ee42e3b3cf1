"""Every form post needs its CSRF token; the JSON API needs a bearer token to write."""

from __future__ import annotations

import httpx

from helseiarbeid.core import sessions
from tests.cast import PASSWORD, Cast, bearer, csrf_token, sign_in


async def test_login_form_without_csrf_token_is_refused(
    client: httpx.AsyncClient, cast: Cast
) -> None:
    await client.get("/login")
    response = await client.post(
        "/login", data={"email": "kari@test.example", "password": PASSWORD}
    )
    assert response.status_code == 403
    assert "hia_session" not in response.headers.get("set-cookie", "")


async def test_form_post_with_a_forged_token_is_refused(
    client: httpx.AsyncClient, cast: Cast
) -> None:
    await csrf_token(client)
    response = await client.post(
        "/login",
        data={"email": "kari@test.example", "password": PASSWORD, "_csrf_token": "forged"},
    )
    assert response.status_code == 403


async def test_logout_without_csrf_token_is_refused_and_the_session_survives(
    client: httpx.AsyncClient, cast: Cast
) -> None:
    await sign_in(client, cast["kari"])
    await csrf_token(client)
    response = await client.post("/logout")
    assert response.status_code == 403
    assert "Ingen tilgang" in response.text
    cookie = client.cookies.get(sessions.SESSION_COOKIE)
    assert cookie is not None
    assert await sessions.user_for_session(cookie) is not None


async def test_api_writes_ignore_the_session_cookie(client: httpx.AsyncClient, cast: Cast) -> None:
    """A cross-site form cannot use a signed-in browser to write through the API."""
    await sign_in(client, cast["ada"])
    tokens = await client.get("/admin/users")
    assert tokens.status_code == 200
    response = await client.delete("/api/v1/tokens/1")
    assert response.status_code == 401


async def test_api_reads_accept_the_session_cookie_and_bearer_tokens(
    client: httpx.AsyncClient, cast: Cast
) -> None:
    await sign_in(client, cast["gp_anne"])
    assert (await client.get("/api/v1/me")).json()["role"] == "gp"
    client.cookies.clear()
    response = await client.get("/api/v1/me", headers=await bearer(cast["gp_bjorn"]))
    assert response.json()["name"] == "Bjørn Bakke"
