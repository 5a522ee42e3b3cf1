"""Logging in and out through the login form."""

from __future__ import annotations

import httpx

from helseiarbeid.core import sessions
from tests.cast import PASSWORD, Cast, csrf_token
from tests.cast import log_in as _log_in


async def test_right_password_starts_a_session_and_shows_the_start_page(
    client: httpx.AsyncClient, cast: Cast
) -> None:
    response = await _log_in(client, "kari@test.example", PASSWORD)
    assert response.status_code == 303
    assert response.headers["location"] == "/"
    cookie = response.headers["set-cookie"]
    assert "hia_session=" in cookie
    assert "HttpOnly" in cookie
    assert "SameSite=lax" in cookie or "samesite=lax" in cookie.lower()
    start = await client.get("/")
    assert start.status_code == 200
    assert "Velkommen, Kari Koordinator" in start.text
    assert "Arbeidsliste" in start.text


async def test_email_is_matched_without_regard_to_case(
    client: httpx.AsyncClient, cast: Cast
) -> None:
    response = await _log_in(client, "  KARI@Test.Example ", PASSWORD)
    assert response.status_code == 303


async def test_wrong_password_shows_the_form_again_with_a_message(
    client: httpx.AsyncClient, cast: Cast
) -> None:
    response = await _log_in(client, "kari@test.example", "feil-passord-her")
    assert response.status_code == 422
    assert "Feil e-postadresse eller passord." in response.text
    assert 'value="kari@test.example"' in response.text
    assert sessions.SESSION_COOKIE not in response.headers.get("set-cookie", "")


async def test_unknown_email_gets_the_same_message_as_a_wrong_password(
    client: httpx.AsyncClient, cast: Cast
) -> None:
    response = await _log_in(client, "ingen@test.example", PASSWORD)
    assert response.status_code == 422
    assert "Feil e-postadresse eller passord." in response.text


async def test_after_login_the_user_returns_to_the_page_asked_for(
    client: httpx.AsyncClient, cast: Cast
) -> None:
    response = await _log_in(client, "ada@test.example", PASSWORD, next="/admin/audit")
    assert response.headers["location"] == "/admin/audit"


async def test_login_never_redirects_to_another_site(client: httpx.AsyncClient, cast: Cast) -> None:
    for target in ("https://evil.example/", "//evil.example/", "/\\evil.example"):
        response = await _log_in(client, "ada@test.example", PASSWORD, next=target)
        assert response.headers["location"] == "/"


async def test_logout_ends_the_session(client: httpx.AsyncClient, cast: Cast) -> None:
    await _log_in(client, "kari@test.example", PASSWORD)
    cookie = client.cookies.get(sessions.SESSION_COOKIE)
    token = await csrf_token(client)
    response = await client.post("/logout", data={"_csrf_token": token})
    assert response.status_code == 303
    assert response.headers["location"] == "/login?logged_out=1"
    # The old cookie no longer works, even if a copy of it was kept.
    assert cookie is not None
    assert await sessions.user_for_session(cookie) is None
    client.cookies.set(sessions.SESSION_COOKIE, cookie)
    again = await client.get("/")
    assert again.status_code == 302
    assert again.headers["location"].startswith("/login")
