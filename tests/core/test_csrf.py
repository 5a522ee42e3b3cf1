"""Every form post needs its CSRF token; the JSON API needs a bearer token to write."""

from __future__ import annotations

import httpx

from helseiarbeid.app import create_app
from helseiarbeid.core import csrf, sessions
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


def _other_client(client: httpx.AsyncClient) -> httpx.AsyncClient:
    """A second browser on the same app (the attacker's)."""
    return httpx.AsyncClient(transport=client._transport, base_url="http://testserver")


async def test_a_token_from_the_attackers_own_cookie_is_refused(
    client: httpx.AsyncClient, cast: Cast
) -> None:
    """Issue 12 §6: with the double-submit cookie, a token made from the attacker's own CSRF
    cookie (planted in the victim's browser) was accepted. Now it is bound to the session."""
    async with _other_client(client) as attacker:
        planted_cookie_token = await csrf_token(attacker)
        planted_cookie = attacker.cookies.get(csrf.PRESESSION_COOKIE)
        await sign_in(attacker, cast["gp_bjorn"])
        attackers_session_token = await csrf_token(attacker)
    await sign_in(client, cast["gp_anne"])
    assert planted_cookie is not None
    client.cookies.set(csrf.PRESESSION_COOKIE, planted_cookie)
    for forged in (planted_cookie_token, attackers_session_token):
        response = await client.post("/logout", data={"_csrf_token": forged})
        assert response.status_code == 403
        assert "sikkerhetsnøkkelen (CSRF) ikke hører til økten din" in response.text
    cookie = client.cookies.get(sessions.SESSION_COOKIE)
    assert cookie is not None
    assert await sessions.user_for_session(cookie) is not None
    own = await client.post("/logout", data={"_csrf_token": await csrf_token(client)})
    assert own.status_code == 303


async def test_the_login_pages_token_is_void_once_signed_in(
    client: httpx.AsyncClient, cast: Cast
) -> None:
    before = await csrf_token(client)
    await sign_in(client, cast["gp_anne"])
    response = await client.post("/logout", data={"_csrf_token": before})
    assert response.status_code == 403


async def test_the_csrf_cookie_is_secure_over_https(cast: Cast, database: str) -> None:
    """Behind the proxy, uvicorn sets the scheme from X-Forwarded-Proto (trusted proxy)."""
    app = create_app()
    for scheme in ("https", "http"):
        transport = httpx.ASGITransport(app=app, client=("127.0.0.1", 50000))
        async with httpx.AsyncClient(transport=transport, base_url=f"{scheme}://x") as browser:
            page = await browser.get("/login")
        cookie = page.headers["set-cookie"]
        assert cookie.startswith(f"{csrf.PRESESSION_COOKIE}=")
        assert "HttpOnly" in cookie
        assert ("Secure" in cookie) is (scheme == "https")
