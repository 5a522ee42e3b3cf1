"""The second factor (issue 12 §5): the clinic and the administrator log in with password and
a TOTP code; the half-logged-in state reaches nothing; codes are single use and throttled."""

from __future__ import annotations

import asyncio
import os
import re
import subprocess
import sys

import httpx
import pyotp
import pytest

from helseiarbeid.core import csrf, login, sessions, totp
from helseiarbeid.core.audit import SYSTEM
from helseiarbeid.core.tables import AuditEvent, RecoveryCode, SecondFactor
from helseiarbeid.settings import get_settings
from tests.cast import PASSWORD, Cast, csrf_token, log_in, second_factor_code, sign_in
from tests.core.test_route_policies import _PATH_PARAM, ENDPOINTS

_FIELD = re.compile(r'name="_csrf_token" value="([0-9a-f]+)"')


async def _password(client: httpx.AsyncClient, email: str) -> httpx.Response:
    token = await csrf_token(client)
    return await client.post(
        "/login", data={"email": email, "password": PASSWORD, "_csrf_token": token}
    )


async def _post_code(client: httpx.AsyncClient, page: str, code: str) -> httpx.Response:
    form = await client.get(page)
    found = _FIELD.search(form.text)
    assert found, form.text
    return await client.post(page, data={"code": code, "_csrf_token": found.group(1)})


async def test_the_password_alone_leads_only_to_the_code_page(
    client: httpx.AsyncClient, cast: Cast
) -> None:
    response = await _password(client, "kari@test.example")
    assert response.status_code == 303
    assert response.headers["location"] == "/login/kode"
    assert sessions.SESSION_COOKIE not in response.headers.get("set-cookie", "")
    page = await client.get("/login/kode")
    assert page.status_code == 200
    assert "Bekreft at det er deg" in page.text
    assert "make totp-code EMAIL=kari@test.example" in page.text  # a demo account, in a demo
    assert (await client.get("/")).headers.get("location", "").startswith("/login")


async def test_a_half_login_reaches_no_route_but_the_code_page(
    client: httpx.AsyncClient, cast: Cast
) -> None:
    """Walk every route with only the pending login's cookie, sent everywhere (not just under
    /login as the browser does) with a valid CSRF token: nothing answers as signed in."""
    await _password(client, "ada@test.example")
    ticket = client.cookies.get(login.PENDING_COOKIE)
    assert ticket
    client.cookies.clear()
    client.cookies.set(login.PENDING_COOKIE, ticket)
    token = csrf.token_for("login", ticket)
    reached = []
    for method, path, policy in ENDPOINTS:
        if policy is None or policy.public:
            continue
        url = _PATH_PARAM.sub("1", path)
        response = await client.request(method, url, headers={"x-csrftoken": token})
        if response.status_code not in {302, 303, 401}:
            reached.append(f"{method} {path}: {response.status_code}")
    assert reached == []


async def test_the_right_code_starts_a_new_session(client: httpx.AsyncClient, cast: Cast) -> None:
    await _password(client, "kari@test.example")
    ticket = client.cookies.get(login.PENDING_COOKIE)
    response = await _post_code(
        client, "/login/kode", await second_factor_code("kari@test.example")
    )
    assert response.status_code == 303
    assert response.headers["location"] == "/"
    cookie = client.cookies.get(sessions.SESSION_COOKIE)
    assert cookie
    assert cookie != ticket
    assert 'hia_login=""' in response.headers["set-cookie"]
    start = await client.get("/")
    assert "Velkommen, Kari Koordinator" in start.text
    # The ticket is spent: the code page now sends to the login page.
    client.cookies.set(login.PENDING_COOKIE, ticket or "")
    assert (await client.get("/login/kode")).headers["location"] == "/login?expired_code=1"


async def test_a_used_code_cannot_be_replayed(client: httpx.AsyncClient, cast: Cast) -> None:
    code = await second_factor_code("per@test.example")
    await _password(client, "per@test.example")
    assert (await _post_code(client, "/login/kode", code)).status_code == 303
    client.cookies.clear()
    await _password(client, "per@test.example")
    again = await _post_code(client, "/login/kode", code)
    assert again.status_code == 422
    assert "Koden stemmer ikke, eller er allerede brukt" in again.text
    assert sessions.SESSION_COOKIE not in again.headers.get("set-cookie", "")


async def test_two_parallel_logins_with_one_code_give_one_session(
    cast: Cast, database: str
) -> None:
    from helseiarbeid.app import create_app

    app = create_app()
    clients = [
        httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app, client=("127.0.0.1", 50000)),
            base_url="http://testserver",
        )
        for _ in range(4)
    ]
    tokens = []
    for client in clients:
        await _password(client, "frida@test.example")
        found = _FIELD.search((await client.get("/login/kode")).text)
        assert found
        tokens.append(found.group(1))
    code = await second_factor_code("frida@test.example")
    statuses = await asyncio.gather(
        *[
            client.post("/login/kode", data={"code": code, "_csrf_token": token})
            for client, token in zip(clients, tokens, strict=True)
        ]
    )
    for client in clients:
        await client.aclose()
    assert sorted(r.status_code for r in statuses) == [303, 422, 422, 422]


async def test_wrong_codes_count_against_the_login_throttle(
    client: httpx.AsyncClient, cast: Cast
) -> None:
    await _password(client, "nils@test.example")
    limit = get_settings().login_max_failures_per_account
    for _ in range(limit):
        assert (await _post_code(client, "/login/kode", "000000")).status_code == 422
    right = await _post_code(client, "/login/kode", await second_factor_code("nils@test.example"))
    assert right.status_code == 429
    assert "For mange mislykkede innlogginger" in right.text


async def test_a_gp_logs_in_with_the_password_alone(client: httpx.AsyncClient, cast: Cast) -> None:
    response = await _password(client, "gp_anne@test.example")
    assert response.status_code == 303
    assert response.headers["location"] == "/"
    assert client.cookies.get(sessions.SESSION_COOKIE)


async def test_no_session_without_the_second_factor_where_it_is_due(cast: Cast) -> None:
    """The entry point another login (HelseID) uses: only with second_factor_done=True."""
    with pytest.raises(login.SecondFactorMissing):
        await login.complete_login(cast["kari"].id, second_factor_done=False)
    cookie = await login.complete_login(cast["kari"].id, second_factor_done=True)
    assert await sessions.user_for_session(cookie) == cast["kari"]
    assert await login.complete_login(cast["gp_anne"].id, second_factor_done=False)


def _secret_in(page: str) -> str:
    found = re.search(r'<code class="secret" id="secret">([A-Z2-7 ]+)</code>', page)
    assert found, page
    return found.group(1).replace(" ", "")


async def test_enrolment_with_qr_code_then_recovery_codes_work_once(
    client: httpx.AsyncClient, cast: Cast
) -> None:
    await totp.reset(cast["per"].id, SYSTEM)
    response = await _password(client, "per@test.example")
    assert response.headers["location"] == "/login/totrinn"
    page = await client.get("/login/totrinn")
    assert '<svg role="img" aria-label="QR-kode' in page.text
    assert "data:" not in page.text  # the QR code is inline SVG, not an image URI
    secret = _secret_in(page.text)
    assert _secret_in((await client.get("/login/totrinn")).text) == secret  # kept while enrolling

    wrong = await _post_code(client, "/login/totrinn", "123456")
    assert wrong.status_code == 422
    assert not await totp.is_enrolled(cast["per"].id)

    done = await _post_code(client, "/login/totrinn", pyotp.TOTP(secret).now())
    assert done.status_code == 200
    codes = re.findall(r"<li><code>([a-z2-9]{4}-[a-z2-9]{4}-[a-z2-9]{4})</code></li>", done.text)
    assert len(codes) == totp.RECOVERY_CODES
    assert "Kodene vises bare nå" in done.text
    assert "Velkommen, Per Psykolog" in (await client.get("/")).text
    stored = await RecoveryCode.select(RecoveryCode.code_hash)
    assert not {row["code_hash"] for row in stored} & set(codes)  # only digests are stored

    client.cookies.clear()
    await _password(client, "per@test.example")
    # Found trying the service: the demo hint showed for an account with its own authenticator.
    code_page = await client.get("/login/kode")
    assert "Bekreft at det er deg" in code_page.text
    assert "make totp-code" not in code_page.text
    for attempt in ("first", "second"):
        client.cookies.clear()
        await _password(client, "per@test.example")
        response = await _post_code(client, "/login/kode", codes[0].upper())
        assert response.status_code == (303 if attempt == "first" else 422)
    assert await totp.recovery_codes_left(cast["per"].id) == totp.RECOVERY_CODES - 1


async def test_secrets_are_encrypted_at_rest(cast: Cast) -> None:
    row = await SecondFactor.select(SecondFactor.secret).where(SecondFactor.user == cast["kari"].id)
    secret = totp.demo_secret("kari@test.example")
    assert secret not in row[0]["secret"]
    assert totp.unseal(row[0]["secret"]) == secret


async def test_the_admin_resets_a_lost_authenticator_and_it_is_audited(
    client: httpx.AsyncClient, cast: Cast
) -> None:
    await sign_in(client, cast["ada"])
    users_page = await client.get("/admin/users")
    assert "Nullstill totrinnsinnlogging for Frida Fysikalsk" in users_page.text
    path = f"/admin/users/{cast['frida'].id}/totrinn/nullstill"
    # Found trying the service: «Nullstill» acted at once. Without the box ticked, nothing.
    unconfirmed = await client.post(path, data={"_csrf_token": await csrf_token(client)})
    assert unconfirmed.status_code == 422
    assert "Kryss av for å bekrefte at totrinnsinnloggingen skal nullstilles." in (unconfirmed.text)
    assert f'id="bekreft-totrinn-{cast["frida"].id}"' in unconfirmed.text
    assert await totp.is_enrolled(cast["frida"].id)
    response = await client.post(
        path, data={"_csrf_token": await csrf_token(client), "bekreft": "ja"}
    )
    assert response.status_code == 303
    assert not await totp.is_enrolled(cast["frida"].id)
    rows = await AuditEvent.select(AuditEvent.actor, AuditEvent.resource_type).where(
        AuditEvent.resource_id == str(cast["frida"].id)
    )
    assert rows == [{"actor": cast["ada"].id, "resource_type": "second_factor"}]
    client.cookies.clear()
    assert (await _password(client, "frida@test.example")).headers["location"] == "/login/totrinn"


async def test_the_login_helper_signs_in_through_both_steps(
    client: httpx.AsyncClient, cast: Cast
) -> None:
    response = await log_in(client, "ada@test.example")
    assert response.status_code == 303
    assert "Velkommen, Ada Admin" in (await client.get("/")).text


def _totp_code_command(
    database: str, email: str, *, demo: bool
) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "HELSEIARBEID_DATABASE_URL": database,
        "HELSEIARBEID_ACCEPT_SYNTHETIC_IDS": "true" if demo else "false",
    }
    return subprocess.run(
        [sys.executable, "-m", "helseiarbeid", "totp-code", "--email", email],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


async def test_totp_code_prints_codes_of_demo_accounts_only(
    client: httpx.AsyncClient, cast: Cast, database: str
) -> None:
    printed = _totp_code_command(database, "kari@test.example", demo=True)
    assert printed.returncode == 0, printed.stderr
    code = printed.stdout.strip()
    assert re.fullmatch(r"\d{6}", code)
    await _password(client, "kari@test.example")
    assert (await _post_code(client, "/login/kode", code)).status_code == 303

    outside_demo = _totp_code_command(database, "kari@test.example", demo=False)
    assert outside_demo.returncode == 2
    assert outside_demo.stdout == ""

    # An authenticator the user enrolled (not a published demo secret) is never printed.
    await totp.enrol(cast["per"].id, (secret := totp.new_secret()), pyotp.TOTP(secret).now())
    real = _totp_code_command(database, "per@test.example", demo=True)
    assert real.returncode == 2
    assert real.stdout == ""
    assert "ingen demokonto" in real.stderr
