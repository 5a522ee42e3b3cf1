"""The access log is tamper-evident: a hash chain that `helseiarbeid audit verify` walks
(issue 12 §2). Changing, deleting or slipping in a row — with the database's own guards
switched off, as the owner of the tables could — is found and the row named; concurrent
writers never fork the chain."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from typing import Any

import asyncpg
import httpx
import pytest

from helseiarbeid.core import audit_chain
from helseiarbeid.core.database import is_sqlite
from helseiarbeid.core.tables import AuditEvent
from tests import engines
from tests.cast import Cast, bearer
from tests.referrals.factories import referral_body


async def _some_history(client: httpx.AsyncClient, cast: Cast) -> list[int]:
    """Three referrals submitted and read: audit rows from several paths."""
    headers = await bearer(cast["gp_anne"])
    for _ in range(3):
        created = await client.post("/api/v1/referrals", json=referral_body(), headers=headers)
        assert created.status_code == 201
        await client.get(f"/api/v1/referrals/{created.json()['id']}", headers=headers)
    await client.get("/api/v1/referrals", headers=headers)
    return [row["id"] for row in await AuditEvent.select(AuditEvent.id).order_by(AuditEvent.id)]


async def _as_owner(*statements: str) -> None:
    """Run statements past the guards: triggers dropped on SQLite, disabled on PostgreSQL."""
    if is_sqlite():
        await AuditEvent.raw("DROP TRIGGER IF EXISTS audit_event_no_update")
        await AuditEvent.raw("DROP TRIGGER IF EXISTS audit_event_no_delete")
        for statement in statements:
            await AuditEvent.raw(statement)
        return
    owner = await asyncpg.connect(engines.owner_url())
    try:
        async with owner.transaction():
            await owner.execute("SET LOCAL session_replication_role = replica")
            for statement in statements:
                await owner.execute(statement)
    finally:
        await owner.close()


async def test_an_untouched_log_verifies(client: httpx.AsyncClient, cast: Cast) -> None:
    ids = await _some_history(client, cast)
    verdict = await audit_chain.verify()
    assert verdict.problem is None
    assert verdict.rows == len(ids) >= 7
    seqs = [r["chain_seq"] for r in await AuditEvent.select(AuditEvent.chain_seq)]
    assert sorted(seqs) == list(range(1, len(ids) + 1))


@pytest.mark.parametrize(
    ("tampering", "found"),
    [
        ("UPDATE audit_event SET purpose = 'ingenting å se her' WHERE id = {id}", "endret"),
        ("UPDATE audit_event SET actor = NULL WHERE id = {id}", "endret"),
        ("DELETE FROM audit_event WHERE id = {id}", "mangler"),
    ],
)
async def test_a_changed_or_deleted_row_is_named(
    client: httpx.AsyncClient, cast: Cast, tampering: str, found: str
) -> None:
    ids = await _some_history(client, cast)
    victim = ids[3]
    await _as_owner(tampering.format(id=victim))
    verdict = await audit_chain.verify()
    assert verdict.problem is not None
    assert found in verdict.problem
    expected = victim if "UPDATE" in tampering else ids[4]
    assert verdict.event_id == expected
    assert verdict.rows == 3


async def test_a_row_slipped_in_is_found(client: httpx.AsyncClient, cast: Cast) -> None:
    await _some_history(client, cast)
    await _as_owner(
        "INSERT INTO audit_event (occurred_at, actor_role, action, resource_type, resource_id, "
        "purpose, client, prev_hash, chain_hash) VALUES ('2026-01-01 00:00:00+00:00', 'gp', "
        "'read', 'referral', '1', 'forfalsket', 'web', '', '')"
    )
    verdict = await audit_chain.verify()
    assert verdict.problem is not None
    assert "utenom" in verdict.problem


async def test_deleting_the_newest_rows_is_found(client: httpx.AsyncClient, cast: Cast) -> None:
    ids = await _some_history(client, cast)
    await _as_owner(f"DELETE FROM audit_event WHERE id >= {ids[-2]}")
    verdict = await audit_chain.verify()
    assert verdict.problem is not None
    assert "slutter" in verdict.problem


async def test_truncate_is_refused(client: httpx.AsyncClient, cast: Cast) -> None:
    await _some_history(client, cast)
    if is_sqlite():
        pytest.skip("SQLite has no TRUNCATE; DELETE is refused by its trigger")
    # Even the tables' owner, who has the privilege, is stopped by the trigger.
    owner = await asyncpg.connect(engines.owner_url())
    try:
        with pytest.raises(asyncpg.exceptions.RaiseError, match="append-only"):
            await owner.execute("TRUNCATE audit_event")
    finally:
        await owner.close()


async def test_concurrent_writers_do_not_fork_the_chain(
    client: httpx.AsyncClient, cast: Cast
) -> None:
    headers = await bearer(cast["gp_anne"])
    created = await client.post("/api/v1/referrals", json=referral_body(), headers=headers)
    referral_id = created.json()["id"]

    async def read() -> Any:
        return await client.get(f"/api/v1/referrals/{referral_id}", headers=headers)

    async def submit() -> Any:
        return await client.post("/api/v1/referrals", json=referral_body(), headers=headers)

    answers = await asyncio.gather(*[read() if i % 2 else submit() for i in range(24)])
    assert {answer.status_code for answer in answers} <= {200, 201}
    verdict = await audit_chain.verify()
    assert verdict.problem is None
    assert verdict.rows == await AuditEvent.count() >= 25


async def test_the_cli_says_whether_the_log_is_whole(
    client: httpx.AsyncClient, cast: Cast, database: str
) -> None:
    ids = await _some_history(client, cast)

    def verify() -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "helseiarbeid", "audit", "verify"],
            env={**os.environ, "HELSEIARBEID_DATABASE_URL": database},
            capture_output=True,
            text=True,
            check=False,
        )

    whole = await asyncio.to_thread(verify)
    assert whole.returncode == 0, whole.stderr
    assert f"{len(ids)} rader" in whole.stdout
    await _as_owner(f"UPDATE audit_event SET purpose = 'x' WHERE id = {ids[1]}")
    broken = await asyncio.to_thread(verify)
    assert broken.returncode == 1
    assert f"id {ids[1]}" in broken.stderr
