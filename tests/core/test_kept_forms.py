"""A form posted after the session expired comes back filled after the new login, for the
same user only, once, for a few minutes (issue 10, item 13)."""

from __future__ import annotations

import re
from datetime import timedelta
from urllib.parse import quote

import httpx

from helseiarbeid.core import kept_forms, sessions
from helseiarbeid.core.clock import pinned, utcnow
from helseiarbeid.core.tables import KeptForm, UserSession
from helseiarbeid.referrals.tables import Referral
from tests.cast import Cast, bearer, csrf_token, log_in, sign_in
from tests.referrals.factories import referral_body

DESCRIPTION = "Smerter i korsrygg og nedstemthet siden mai."


def _referral_form(csrf: str) -> dict[str, str]:
    return {
        "_csrf_token": csrf,
        "submission_key": "a" * 32,
        "patient.name": "Lise Lyngstad",
        "description": DESCRIPTION,
        "urgency": "routine",
    }


async def _expire_sessions(user_id: int) -> None:
    await UserSession.update({UserSession.last_seen_at: utcnow() - timedelta(minutes=31)}).where(
        UserSession.user == user_id
    )


async def _post_after_expiry(client: httpx.AsyncClient, cast: Cast) -> httpx.Response:
    await sign_in(client, cast["gp_anne"])
    assert (await client.get("/henvisninger/ny")).status_code == 200
    token = await csrf_token(client)
    await _expire_sessions(cast["gp_anne"].id)
    return await client.post(
        "/henvisninger/ny",
        data=_referral_form(token),
        headers={"Referer": "http://testserver/henvisninger/ny"},
    )


async def _log_in(client: httpx.AsyncClient, email: str) -> httpx.Response:
    # sign_in's cookie has no domain, so the login's new cookie would not replace it as a
    # browser's does: drop it first.
    client.cookies.delete(sessions.SESSION_COOKIE)
    return await log_in(client, email)


async def test_a_form_posted_after_expiry_comes_back_filled_after_login(
    client: httpx.AsyncClient, cast: Cast
) -> None:
    posted = await _post_after_expiry(client, cast)

    assert posted.status_code == 302
    assert posted.headers["location"] == "/login?next=%2Fhenvisninger%2Fny&expired=1"
    assert client.cookies.get(kept_forms.KEPT_FORM_COOKIE)
    assert DESCRIPTION not in posted.headers["location"]
    assert await Referral.count() == 0
    rows = await KeptForm.select(KeptForm.user, KeptForm.path)
    assert rows == [{"user": cast["gp_anne"].id, "path": "/henvisninger/ny"}]
    login_page = await client.get(posted.headers["location"])
    assert "Skjemaet du sendte er tatt vare på" in login_page.text

    logged_in = await _log_in(client, "gp_anne@test.example")
    assert logged_in.status_code == 303
    assert logged_in.headers["location"] == "/henvisninger/ny"
    page = await client.get("/henvisninger/ny")
    assert DESCRIPTION in page.text
    assert 'value="Lise Lyngstad"' in page.text
    assert 'name="submission_key" value="' + "a" * 32 + '"' in page.text
    assert "Skjemaet ble tatt vare på da økten din utløp" in page.text
    assert "csrf" not in str(await KeptForm.select()).lower()
    assert await KeptForm.count() == 0
    assert await Referral.count() == 0  # nothing is sent for the user

    again = await client.get("/henvisninger/ny")
    assert DESCRIPTION not in again.text


async def test_another_user_logging_in_in_that_browser_gets_nothing(
    client: httpx.AsyncClient, cast: Cast
) -> None:
    await _post_after_expiry(client, cast)
    logged_in = await _log_in(client, "gp_bjorn@test.example")
    assert logged_in.headers["location"] == "/"
    assert await KeptForm.count() == 0
    page = await client.get("/henvisninger/ny")
    assert DESCRIPTION not in page.text
    assert "tatt vare på" not in page.text


async def test_a_kept_form_expires_after_ten_minutes_and_is_deleted(
    client: httpx.AsyncClient, cast: Cast
) -> None:
    await _post_after_expiry(client, cast)
    with pinned(utcnow() + kept_forms.KEEP_FOR + timedelta(seconds=1)):
        logged_in = await _log_in(client, "gp_anne@test.example")
        assert await KeptForm.count() == 0
        page = await client.get(logged_in.headers["location"])
    assert DESCRIPTION not in page.text


async def test_a_stale_csrf_token_after_expiry_still_keeps_the_form(
    client: httpx.AsyncClient, cast: Cast
) -> None:
    await sign_in(client, cast["gp_anne"])
    await _expire_sessions(cast["gp_anne"].id)
    client.cookies.delete("hia_csrf")  # the browser lost it, e.g. after a restart
    posted = await client.post("/henvisninger/ny", data=_referral_form("stale-token"))
    assert posted.status_code == 302
    assert posted.headers["location"].startswith("/login?next=%2Fhenvisninger%2Fny")
    assert await KeptForm.count() == 1
    await _log_in(client, "gp_anne@test.example")
    assert DESCRIPTION in (await client.get("/henvisninger/ny")).text


async def test_a_forged_post_without_an_expired_session_keeps_nothing(
    client: httpx.AsyncClient, cast: Cast
) -> None:
    response = await client.post("/henvisninger/ny", data=_referral_form("forged"))
    assert response.status_code == 403
    assert await KeptForm.count() == 0


async def test_passwords_are_never_kept(client: httpx.AsyncClient, cast: Cast) -> None:
    await sign_in(client, cast["gp_anne"])
    await _expire_sessions(cast["gp_anne"].id)
    await _log_in(client, "gp_anne@test.example")
    assert await KeptForm.count() == 0


async def test_staying_signed_in_refreshes_the_idle_timer(
    client: httpx.AsyncClient, cast: Cast
) -> None:
    await sign_in(client, cast["gp_anne"])
    page = await client.get("/henvisninger")
    assert "Fortsett å være innlogget" in page.text
    assert re.search(r'data-idle-seconds="1800"', page.text)
    await UserSession.update({UserSession.last_seen_at: utcnow() - timedelta(minutes=28)}).where(
        UserSession.user == cast["gp_anne"].id
    )
    response = await client.post(
        "/okt/forleng",
        data={"_csrf_token": await csrf_token(client)},
        headers={"Referer": "http://testserver/henvisninger"},
    )
    assert response.status_code == 303
    assert response.headers["location"] == "/henvisninger"
    row = await UserSession.select(UserSession.last_seen_at).first()
    assert row is not None
    assert utcnow() - row["last_seen_at"] < timedelta(minutes=1)
    cookie = client.cookies.get(sessions.SESSION_COOKIE)
    assert cookie is not None
    with pinned(utcnow() + timedelta(minutes=20)):
        assert await sessions.user_for_session(cookie) is not None


async def test_a_note_on_the_case_page_comes_back_in_its_own_form(
    client: httpx.AsyncClient, cast: Cast
) -> None:
    created = await client.post(
        "/api/v1/referrals", json=referral_body(), headers=await bearer(cast["gp_anne"])
    )
    case = f"/klinikk/henvisninger/{created.json()['id']}"
    await sign_in(client, cast["per"])
    assert (await client.get(case)).status_code == 200
    token = await csrf_token(client)
    await _expire_sessions(cast["per"].id)
    note = "Tydelig behov for arbeidsrettet avklaring."
    posted = await client.post(
        f"{case}/triasje",
        data={"_csrf_token": token, "note": note, "recommendation": "accept"},
        headers={"Referer": f"http://testserver{case}"},
    )
    assert posted.headers["location"] == f"/login?next={quote(case, safe='')}&expired=1"

    logged_in = await _log_in(client, "per@test.example")
    assert logged_in.headers["location"] == f"{case}#triasje"
    page = (await client.get(case)).text
    assert re.search(rf'<textarea[^>]*name="note"[^>]*>{note}</textarea>', page)
    assert "Skjemaet ble tatt vare på da økten din utløp" in page
