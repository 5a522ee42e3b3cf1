"""The migrations build the whole schema from an empty database, on each engine."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests import engines

EXPECTED_TABLES = {
    "app_user",
    "user_session",
    "api_token",
    "login_attempt",
    "audit_event",
    "service_area",
    "enterprise",
    "enterprise_contact",
    "migration",
}


@pytest.fixture
def empty_database_url(tmp_path: Path) -> Iterator[str]:
    if engines.ENGINE == "sqlite":
        yield f"sqlite:///{tmp_path / 'empty.sqlite'}"
        return
    name = f"{engines.TEST_DATABASE_NAME}_empty"
    asyncio.run(engines.recreate_postgres_database(name))
    yield engines.postgres_url(name)
    asyncio.run(engines.drop_postgres_database(name))


def _helseiarbeid(url: str, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "HELSEIARBEID_DATABASE_URL": url}
    return subprocess.run(
        [sys.executable, "-m", "helseiarbeid", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def _tables(url: str) -> set[str]:
    code = (
        "import asyncio\n"
        "from helseiarbeid.core.tables import User\n"
        "from helseiarbeid.core.database import is_sqlite\n"
        "async def main():\n"
        "    if is_sqlite():\n"
        "        rows = await User.raw(\"SELECT name FROM sqlite_master WHERE type='table'\")\n"
        "        print('\\n'.join(r['name'] for r in rows))\n"
        "    else:\n"
        "        rows = await User.raw(\n"
        "            \"SELECT tablename FROM pg_tables WHERE schemaname='public'\")\n"
        "        print('\\n'.join(r['tablename'] for r in rows))\n"
        "asyncio.run(main())\n"
    )
    env = {**os.environ, "HELSEIARBEID_DATABASE_URL": url}
    result = subprocess.run(
        [sys.executable, "-c", code],
        env=env,
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    return set(result.stdout.split())


def test_migrations_apply_from_empty_and_again_without_change(empty_database_url: str) -> None:
    first = _helseiarbeid(empty_database_url, "migrate")
    assert first.returncode == 0, first.stderr
    assert _tables(empty_database_url) >= EXPECTED_TABLES
    second = _helseiarbeid(empty_database_url, "migrate")
    assert second.returncode == 0, second.stderr
    assert "No migrations need to be run" in second.stdout


def test_demo_data_loads_once(empty_database_url: str) -> None:
    assert _helseiarbeid(empty_database_url, "migrate").returncode == 0
    first = _helseiarbeid(empty_database_url, "seed-demo", "--if-empty")
    assert first.returncode == 0, first.stderr
    assert "Demo data loaded in " in first.stdout
    second = _helseiarbeid(empty_database_url, "seed-demo", "--if-empty")
    assert "skipped" in second.stdout
