"""The helseiarbeid command: create users and tokens; bad input exits 2 and writes nothing."""

from __future__ import annotations

import os
import subprocess
import sys

import httpx
import pytest

from helseiarbeid.core.tables import ApiToken, User
from tests.cast import Cast


def _run(database: str, *args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "HELSEIARBEID_DATABASE_URL": database}
    return subprocess.run(
        [sys.executable, "-m", "helseiarbeid", *args],
        env=env,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


async def test_create_user_prints_the_new_id(database: str) -> None:
    result = _run(
        database,
        "create-user",
        "--email",
        "Ny.Lege@Test.Example",
        "--name",
        "Ny Lege",
        "--role",
        "gp",
        "--hpr",
        "1122334",
        "--password",
        "et-langt-passord",
    )
    assert result.returncode == 0, result.stderr
    user = await User.select().where(User.email == "ny.lege@test.example").first()
    assert user is not None
    assert result.stdout.strip() == str(user["id"])
    assert user["hpr_number"] == "1122334"
    assert user["password_hash"].startswith("$argon2id$v=19$m=19456,t=2,p=1$")


async def test_create_user_prompts_for_the_password(database: str) -> None:
    result = _run(
        database,
        "create-user",
        "--email",
        "k@test.example",
        "--name",
        "K",
        "--role",
        "coordinator",
        stdin="et-langt-passord\net-langt-passord\n",
    )
    assert result.returncode == 0, result.stderr
    assert await User.count() == 1


def _user_args(**overrides: str) -> list[str]:
    fields = {
        "email": "x@test.example",
        "name": "X",
        "role": "coordinator",
        "password": "et-langt-passord",
    }
    fields.update(overrides)
    return [item for key, value in fields.items() for item in (f"--{key}", value)]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (_user_args(role="superuser"), "unknown role 'superuser'"),
        (_user_args(role="gp", hpr="12ab"), "is not an HPR number"),
        (_user_args(role="gp"), "an HPR number is required"),
        (_user_args(email="not-an-email"), "is not an email address"),
        (_user_args(password="kort"), "at least 12 characters"),
        # Issue 12 §5: these were accepted.
        (_user_args(password="aaaaaaaaaaaa"), "too easy to guess"),
        (_user_args(password="passwordpassword"), "too easy to guess"),
        (_user_args(password="qwertyuiop123"), "too easy to guess"),
    ],
)
async def test_bad_input_exits_2_with_one_line_and_writes_nothing(
    database: str, args: list[str], message: str
) -> None:
    result = _run(database, "create-user", *args)
    assert result.returncode == 2
    assert message in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert "Traceback" not in result.stderr
    assert await User.count() == 0


async def test_duplicate_email_exits_2(database: str, cast: Cast) -> None:
    result = _run(
        database,
        "create-user",
        "--email",
        "kari@test.example",
        "--name",
        "Kari 2",
        "--role",
        "coordinator",
        "--password",
        "et-langt-passord",
    )
    assert result.returncode == 2
    assert "already exists" in result.stderr
    assert await User.count().where(User.email == "kari@test.example") == 1


def test_malformed_database_url_exits_2() -> None:
    for url in ("mysql://x/y", "sqlite://", "postgresql://host-only", "postgresql://h:notaport/db"):
        result = _run(url, "migrate")
        assert result.returncode == 2, url
        assert result.stderr.startswith("Error: "), result.stderr
        assert len(result.stderr.strip().splitlines()) == 1


async def test_create_token_prints_a_working_token(
    database: str, cast: Cast, client: httpx.AsyncClient
) -> None:
    result = _run(database, "create-token", "--email", "gp_anne@test.example", "--name", "journal")
    assert result.returncode == 0, result.stderr
    token = result.stdout.strip()
    response = await client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
    assert response.json()["email"] == "gp_anne@test.example"
    assert result.stderr.startswith("Nøkkelen utløper "), result.stderr


async def test_rotate_token_prints_a_new_working_token(
    database: str, cast: Cast, client: httpx.AsyncClient
) -> None:
    first = _run(database, "create-token", "--email", "gp_anne@test.example").stdout.strip()
    stored = await ApiToken.select(ApiToken.id).first()
    assert stored is not None
    result = _run(database, "rotate-token", "--id", str(stored["id"]))
    assert result.returncode == 0, result.stderr
    second = result.stdout.strip()
    assert second != first
    response = await client.get("/api/v1/me", headers={"Authorization": f"Bearer {second}"})
    assert response.status_code == 200
    assert "utløper" in result.stderr


async def test_create_token_for_unknown_email_exits_2(database: str, cast: Cast) -> None:
    result = _run(database, "create-token", "--email", "ingen@test.example")
    assert result.returncode == 2
    assert "no active user" in result.stderr
    assert await ApiToken.count() == 0


async def test_seed_demo_refuses_where_synthetic_national_ids_are_not_accepted(
    database: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Production refuses synthetic national IDs, so demo data cannot be loaded there."""
    monkeypatch.setenv("HELSEIARBEID_ACCEPT_SYNTHETIC_IDS", "false")
    result = _run(database, "seed-demo")
    assert result.returncode == 2
    assert "HELSEIARBEID_ACCEPT_SYNTHETIC_IDS=true" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert await User.count() == 0


async def test_a_malformed_synthetic_ids_setting_exits_2(
    database: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HELSEIARBEID_ACCEPT_SYNTHETIC_IDS", "kanskje")
    result = _run(database, "seed-demo")
    assert result.returncode == 2
    assert "HELSEIARBEID_ACCEPT_SYNTHETIC_IDS must be true or false" in result.stderr
    assert await User.count() == 0


async def test_create_user_with_pid_stores_only_its_keyed_hash(database: str) -> None:
    from helseiarbeid.core.external_identity import pid_hash

    national_id = "14838000089"  # synthetic (Tenor)
    result = _run(
        database,
        *["create-user", "--email", "n@test.example", "--name", "N", "--role", "nav_counsellor"],
        *["--no-password", "--pid"],
        stdin=f"{national_id}\n",
    )
    assert result.returncode == 0, result.stderr
    user = await User.select(User.pid_hash).first()
    assert user is not None
    assert user["pid_hash"] == pid_hash(national_id)
    assert national_id not in str(await User.select())
