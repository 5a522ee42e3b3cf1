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


def _with_user(url: str, user: str) -> str:
    scheme, rest = url.split("://", 1)
    return f"{scheme}://{user}@{rest.split('@', 1)[-1]}"


@pytest.fixture
async def service_url(database: str) -> object:
    result = await asyncio.to_thread(
        subprocess.run,
        [sys.executable, "-m", "helseiarbeid", "db-roles", "--role", ROLE],
        env={**os.environ, "HELSEIARBEID_DATABASE_URL": database},
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    yield _with_user(database, ROLE)
    owner = await asyncpg.connect(database)
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
