"""The service's own database role cannot erase or edit the access log (issue 12 §2a).

`helseiarbeid db-roles` grants a role what the service needs; connected as that role, the
service still works (a referral is submitted through a served process), while TRUNCATE,
DELETE, UPDATE, ALTER and switching a trigger off on the access log are all refused.
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from pathlib import Path

import asyncpg
import httpx
import pytest

from tests import engines
from tests.cast import Cast, bearer
from tests.faults.servers import Servers
from tests.referrals.factories import referral_body

pytestmark = pytest.mark.skipif(
    engines.ENGINE != "postgres", reason="database roles are a PostgreSQL feature"
)
ROLE = f"helseiarbeid_service_{os.getpid()}"
_DB_ROLES = (sys.executable, "-m", "helseiarbeid", "db-roles")


@pytest.fixture
async def service_url(database: str) -> object:
    result = await asyncio.to_thread(
        subprocess.run,
        [sys.executable, "-m", "helseiarbeid", "db-roles", "--role", ROLE],
        env={**os.environ, "HELSEIARBEID_DATABASE_URL": engines.owner_url()},
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    yield engines.with_user(database, ROLE)
    owner = await asyncpg.connect(engines.owner_url())
    try:
        await owner.execute(f'DROP OWNED BY "{ROLE}"; DROP ROLE IF EXISTS "{ROLE}"')
    finally:
        await owner.close()


@pytest.mark.parametrize(
    "statement",
    [
        "TRUNCATE audit_event",
        "DELETE FROM audit_event",
        "UPDATE audit_event SET purpose = 'x'",
        "ALTER TABLE audit_event DISABLE TRIGGER audit_event_no_change",
        "ALTER TABLE referral ADD COLUMN x integer",
        "DROP TABLE audit_event",
        "INSERT INTO migration (name, app_name, ran_on) VALUES ('x', 'x', now())",
    ],
)
async def test_the_service_role_cannot_change_the_log_or_the_tables(
    service_url: str, cast: Cast, statement: str
) -> None:
    service = await asyncpg.connect(service_url)
    try:
        with pytest.raises(asyncpg.exceptions.InsufficientPrivilegeError):
            await service.execute(statement)
    finally:
        await service.close()


async def test_the_service_works_as_that_role(service_url: str, cast: Cast, tmp_path: Path) -> None:
    headers = await bearer(cast["gp_anne"])
    with Servers(service_url, tmp_path) as servers:
        server = servers.start()
        async with httpx.AsyncClient(base_url=server.base_url, timeout=30) as http:
            created = await http.post("/api/v1/referrals", json=referral_body(), headers=headers)
            assert created.status_code == 201, created.text
            read = await http.get(f"/api/v1/referrals/{created.json()['id']}", headers=headers)
            assert read.status_code == 200
    service = await asyncpg.connect(service_url)
    try:
        assert await service.fetchval("SELECT count(*) FROM audit_event") >= 2
    finally:
        await service.close()


async def test_the_role_password_comes_from_the_environment_and_is_never_printed(
    database: str,
) -> None:
    role = f"{ROLE}_pw"
    secret = "et-passord-med-'-og-\"-i-seg"
    result = await asyncio.to_thread(
        subprocess.run,
        [*_DB_ROLES, "--role", role, "--password-env", "ROLE_PASSWORD"],
        env={
            **os.environ,
            "HELSEIARBEID_DATABASE_URL": engines.owner_url(),
            "ROLE_PASSWORD": secret,
        },
        capture_output=True,
        text=True,
        check=False,
    )
    owner = await asyncpg.connect(engines.owner_url())
    try:
        assert result.returncode == 0, result.stderr
        assert secret not in result.stdout + result.stderr
        stored = await owner.fetchval("SELECT rolpassword FROM pg_authid WHERE rolname = $1", role)
        assert stored is not None
        assert stored.startswith("SCRAM-SHA-256$")
    finally:
        await owner.execute(f'DROP OWNED BY "{role}"; DROP ROLE IF EXISTS "{role}"')
        await owner.close()


def test_an_unset_password_variable_is_refused() -> None:
    result = subprocess.run(
        [*_DB_ROLES, "--role", f"{ROLE}_x", "--password-env", "NOT_SET_ANYWHERE"],
        env={**os.environ, "HELSEIARBEID_DATABASE_URL": engines.owner_url()},
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 2
    assert "NOT_SET_ANYWHERE is not set" in result.stderr
