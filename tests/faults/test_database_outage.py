"""The database goes away and comes back: the server answers 503 meanwhile and recovers by itself.

PostgreSQL: GP systems submit referrals while every connection of the server is terminated
(`pg_terminate_backend`, as a failover or an administrator does) round after round. After each
round the server must answer again within RECOVERY_SECONDS; no request may hang past the
clients' timeout; every answer is 201 or 503 with Retry-After; every 201 is stored.
SQLite: a locked or read-only database file is a 503 with Retry-After, never a 500.
"""

from __future__ import annotations

import asyncio
import sqlite3
import time
import uuid
from collections import Counter
from pathlib import Path

import asyncpg
import httpx
import pytest

from helseiarbeid.core import database
from tests import engines
from tests.cast import Cast, bearer
from tests.faults.servers import SOAK_SECONDS, Servers
from tests.referrals.factories import referral_body

CLIENTS = 8
ROUNDS = max(10, int(SOAK_SECONDS * 1.25))
RECOVERY_SECONDS = 5.0
CLIENT_TIMEOUT_SECONDS = 15.0
# Every connection to the test database but the caller's, as a failover would end them.
TERMINATE = (
    "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
    "WHERE datname = $1 AND pid <> pg_backend_pid()"
)

postgres_only = pytest.mark.skipif(
    engines.ENGINE != "postgres", reason="terminating backends is a PostgreSQL fault"
)
sqlite_only = pytest.mark.skipif(
    engines.ENGINE != "sqlite", reason="file locks and permissions are a SQLite fault"
)


async def _submit_until(
    http: httpx.AsyncClient, headers: dict[str, str], stop: asyncio.Event, seen: list[tuple]
) -> None:
    while not stop.is_set():
        marker = f"Utfall {uuid.uuid4().hex}: smerter i rygg."
        started = time.monotonic()
        try:
            response = await http.post(
                "/api/v1/referrals", json=referral_body(description=marker), headers=headers
            )
        except httpx.TimeoutException:
            seen.append(("hung", marker, time.monotonic() - started, None))
            continue
        retry_after = response.headers.get("retry-after")
        seen.append((response.status_code, marker, time.monotonic() - started, retry_after))
        if response.status_code == 503:
            await asyncio.sleep(0.05)


async def _answers_again(http: httpx.AsyncClient) -> float:
    """Seconds until /health answers 200 again."""
    started = time.monotonic()
    while time.monotonic() - started < 30:
        try:
            if (await http.get("/health", timeout=3)).status_code == 200:
                return time.monotonic() - started
        except httpx.TransportError:
            pass
        await asyncio.sleep(0.1)
    return float("inf")


@postgres_only
async def test_the_server_recovers_from_every_dropped_connection_and_loses_nothing(
    database: str, cast: Cast, tmp_path: Path
) -> None:
    headers = await bearer(cast["gp_anne"])
    seen: list[tuple] = []
    recoveries: list[float] = []
    admin = await asyncpg.connect(engines.POSTGRES_SERVER_URL)
    name = engines.TEST_DATABASE_NAME
    try:
        with Servers(database, tmp_path) as servers:
            server = servers.start()
            async with httpx.AsyncClient(
                base_url=server.base_url, timeout=CLIENT_TIMEOUT_SECONDS
            ) as http:
                stop = asyncio.Event()
                clients = [
                    asyncio.create_task(_submit_until(http, headers, stop, seen))
                    for _ in range(CLIENTS)
                ]
                try:
                    for _ in range(ROUNDS):
                        await asyncio.sleep(0.7)
                        await admin.fetchval(TERMINATE, name)
                        recoveries.append(await _answers_again(http))
                finally:
                    stop.set()
                    await asyncio.wait_for(asyncio.gather(*clients), CLIENT_TIMEOUT_SECONDS + 5)
                assert server.process.poll() is None, server.log_tail()
    finally:
        await admin.close()

    statuses = Counter(entry[0] for entry in seen)
    print(f"\n{ROUNDS} rounds; answers {dict(statuses)}; slowest recovery {max(recoveries):.2f} s")
    assert max(recoveries) <= RECOVERY_SECONDS, recoveries
    assert set(statuses) <= {201, 503}, statuses
    assert statuses[201] > 0
    assert all(entry[3] for entry in seen if entry[0] == 503), "a 503 without Retry-After"
    # A connection of its own: the kills ended the test's pooled ones too.
    reader = await asyncpg.connect(database)
    try:
        stored = Counter(row[0] for row in await reader.fetch("SELECT description FROM referral"))
    finally:
        await reader.close()
    for status, marker, _, _ in seen:
        if status == 201:
            assert stored[marker] == 1, f"an acknowledged referral is missing: {marker}"


@postgres_only
async def test_sigterm_stops_the_server_during_an_outage(
    database: str, cast: Cast, tmp_path: Path
) -> None:
    """The database refuses new connections; SIGTERM must still stop the server within 10 s."""
    headers = await bearer(cast["gp_anne"])
    admin = await asyncpg.connect(engines.POSTGRES_SERVER_URL)
    name = engines.TEST_DATABASE_NAME
    try:
        with Servers(database, tmp_path) as servers:
            server = servers.start()
            await admin.execute(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS false')
            await admin.fetchval(TERMINATE, name)
            async with httpx.AsyncClient(base_url=server.base_url, timeout=10) as http:
                started = time.monotonic()
                response = await http.post(
                    "/api/v1/referrals", json=referral_body(), headers=headers
                )
                assert response.status_code == 503, response.text
                assert response.headers["retry-after"]
                assert time.monotonic() - started < 8
                health = await http.get("/health")
                assert health.status_code == 503
            started = time.monotonic()
            server.process.terminate()
            server.process.wait(timeout=10)
            assert time.monotonic() - started < 10
    finally:
        await admin.execute(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS true')
        await admin.close()


@sqlite_only
async def test_a_locked_sqlite_database_is_a_503_not_a_500(
    database: str, cast: Cast, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    headers = await bearer(cast["gp_anne"])
    monkeypatch.setenv("HELSEIARBEID_SQLITE_BUSY_TIMEOUT_SECONDS", "1")
    path = database.removeprefix("sqlite:///")
    with Servers(database, tmp_path) as servers:
        server = servers.start()
        holder = sqlite3.connect(path, timeout=1)
        holder.execute("BEGIN IMMEDIATE")  # another writer holds the lock
        try:
            async with httpx.AsyncClient(base_url=server.base_url, timeout=20) as http:
                response = await http.post(
                    "/api/v1/referrals", json=referral_body(), headers=headers
                )
        finally:
            holder.rollback()
            holder.close()
        assert response.status_code == 503, response.text
        assert response.headers["retry-after"]
        assert "Traceback" not in response.text


def test_a_read_only_or_locked_sqlite_file_counts_as_unavailable(tmp_path: Path) -> None:
    """The errors SQLite really raises (not made-up ones) are what is_unavailable answers 503 for;
    a bug, like a missing table, stays a 500."""
    path = tmp_path / "x.sqlite"
    with sqlite3.connect(path) as setup:
        setup.execute("CREATE TABLE t (x)")
    read_only = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    with pytest.raises(sqlite3.OperationalError) as written:
        read_only.execute("INSERT INTO t VALUES (1)")
    assert database.is_unavailable(written.value)
    holder = sqlite3.connect(path)
    holder.execute("BEGIN IMMEDIATE")
    with pytest.raises(sqlite3.OperationalError) as locked:
        sqlite3.connect(path, timeout=0).execute("BEGIN IMMEDIATE")
    holder.rollback()
    assert database.is_unavailable(locked.value)
    with pytest.raises(sqlite3.OperationalError) as missing:
        read_only.execute("SELECT * FROM no_such_table")
    assert not database.is_unavailable(missing.value)
