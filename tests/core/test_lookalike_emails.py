"""Look-alike e-mail addresses: one normal form, and no account that passes for another.

The issue: «koordinаtor@…» with a Cyrillic «а» was created next to the real account.
"""

from __future__ import annotations

import httpx
import pytest

from helseiarbeid.core import login, users
from helseiarbeid.core.errors import InvalidInput
from helseiarbeid.core.roles import Role
from helseiarbeid.core.tables import LoginAttempt, User
from tests.cast import PASSWORD, Cast, csrf_token
from tests.core.test_cli import _run, _user_args

CYRILLIC_A = "\u0430"  # «а», drawn exactly like the Latin «a»
LOOK_ALIKE_KARI = f"k{CYRILLIC_A}ri@test.example"


@pytest.mark.parametrize(
    "email",
    [
        f"koordin{CYRILLIC_A}tor@test.example",  # mixed scripts before the @ (the issue)
        "\u043a\u0430\u0440\u0438@test.example",  # «кари»: all Cyrillic
        "ka\u200bri@test.example",  # a zero-width space
        "ka\x00ri@test.example",
        f"kari@test{CYRILLIC_A}.example",  # the look-alike in the domain
        "kari@xn--pple-43d.com",  # «аpple.com» with a Cyrillic «а», written as IDNA
        "kari@\u0131nfo.no",  # Latin dotless «ı» passing for «i»
        "kåri@test.example",
    ],
)
def test_look_alike_and_international_addresses_are_refused(email: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        users.validate_new_user(email=email, name="K", role=Role.COORDINATOR, hpr_number=None)
    assert "email" in refused.value.fields


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("  Kari.Nordmann@Test.EXAMPLE ", "kari.nordmann@test.example"),
        ("kari@Bærum.NO", "kari@bærum.no"),
        ("kari@xn--brum-voa.no", "kari@bærum.no"),  # the same domain in IDNA's ASCII form
        ("\uff4bari@test.example", "kari@test.example"),  # a full-width «ｋ» is a «k» (NFKC)
        ("ﬁnn@test.example", "finn@test.example"),  # the ligature «ﬁ»
    ],
)
def test_addresses_are_stored_in_one_normal_form(typed: str, stored: str) -> None:
    email, _ = users.validate_new_user(
        email=typed, name="K", role=Role.COORDINATOR, hpr_number=None
    )
    assert email == stored
    assert users.normalise_email(typed) == stored


async def test_the_cli_refuses_a_look_alike_next_to_the_real_account(
    database: str, cast: Cast
) -> None:
    result = _run(database, "create-user", *_user_args(email=LOOK_ALIKE_KARI))
    assert result.returncode == 2
    assert "before the @" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert await User.count().where(User.email.like("%ri@test.example")) == 1


async def test_the_cli_takes_a_full_width_copy_for_the_same_address(
    database: str, cast: Cast
) -> None:
    result = _run(database, "create-user", *_user_args(email="\uff4bari@test.example"))
    assert result.returncode == 2
    assert "already exists" in result.stderr


async def test_create_token_does_not_find_the_real_account_by_a_look_alike(
    database: str, cast: Cast
) -> None:
    result = _run(database, "create-token", "--email", LOOK_ALIKE_KARI)
    assert result.returncode == 2
    assert "no active user" in result.stderr


async def _log_in(client: httpx.AsyncClient, email: str, password: str) -> httpx.Response:
    token = await csrf_token(client)
    return await client.post(
        "/login", data={"email": email, "password": password, "_csrf_token": token}
    )


async def test_a_look_alike_login_neither_finds_nor_locks_out_the_real_account(
    client: httpx.AsyncClient, cast: Cast
) -> None:
    for _ in range(6):
        refused = await _log_in(client, LOOK_ALIKE_KARI, PASSWORD)
        assert refused.status_code in (422, 429)
        assert "hia_session=" not in refused.headers.get("set-cookie", "")
    assert await LoginAttempt.count().where(LoginAttempt.email == "kari@test.example") == 0
    real = await _log_in(client, "kari@test.example", PASSWORD)
    assert real.status_code == 303


@pytest.mark.parametrize("email", ["a\x00b@x.no", "ka\u200bri@test.example"])
async def test_a_login_with_control_characters_is_refused_without_a_server_error(
    client: httpx.AsyncClient, cast: Cast, email: str
) -> None:
    response = await _log_in(client, email, PASSWORD)
    assert response.status_code == 422
    assert "hia_session=" not in response.headers.get("set-cookie", "")
    with pytest.raises(InvalidInput, match="E-postadressen inneholder ugyldige tegn"):
        await login.log_in(email, PASSWORD, "127.0.0.1")
    # The web form drops a NUL (core.request_input) and keeps a zero-width space, which the
    # login refuses: either way no control or format character reaches the attempt log.
    logged = [row["email"] for row in await LoginAttempt.select(LoginAttempt.email)]
    assert all(address.isprintable() for address in logged), logged


async def test_a_login_that_grows_past_254_characters_when_normalised_is_refused(
    client: httpx.AsyncClient, cast: Cast
) -> None:
    """«ﷺ» is one character that NFKC spells out in 18; the attempt log holds 254."""
    response = await _log_in(client, "\ufdfa" * 20 + "@test.example", PASSWORD)
    assert response.status_code == 422
    assert "E-postadressen er for lang." in response.text
