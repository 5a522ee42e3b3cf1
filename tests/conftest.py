"""Test set-up: one empty, migrated database per test, on the engine of this run."""

from __future__ import annotations

import asyncio
import os
import tempfile
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from pathlib import Path

import pytest

from tests import engines

_TMP_ROOT = Path(tempfile.mkdtemp(prefix="helseiarbeid-tests-"))
os.environ.setdefault("HELSEIARBEID_SECRET_KEY", "test-secret-key-not-for-production")
os.environ["HELSEIARBEID_LOG_LEVEL"] = "WARNING"
# Tests use synthetic national IDs only (Tenor's form, birth month + 80), as a test
# environment does; tests of production's refusal switch it off for themselves.
os.environ["HELSEIARBEID_ACCEPT_SYNTHETIC_IDS"] = "true"
engines.configure_environment(_TMP_ROOT)

# Only now may the application be imported: Piccolo reads the URL on first use.
import asyncpg  # noqa: E402
import httpx  # noqa: E402
from piccolo.engine.postgres import PostgresEngine  # noqa: E402
from piccolo.engine.sqlite import SQLiteEngine  # noqa: E402

from helseiarbeid.app import create_app  # noqa: E402
from helseiarbeid.core.database import current_engine  # noqa: E402
from helseiarbeid.core.db_roles import grant_service_role  # noqa: E402
from helseiarbeid.core.migrations import apply_migrations  # noqa: E402
from tests.cast import Cast, create_cast  # noqa: E402


def pytest_report_header() -> str:
    return f"database engine: {engines.ENGINE}"


async def _migrate() -> None:
    await apply_migrations(quiet=True)
    engine = current_engine()
    if isinstance(engine, PostgresEngine):
        # Migrated as the owner; from here on the application works as the service role, with
        # exactly the grants production gives it (so a missing grant fails the suite).
        await grant_service_role(engines.SERVICE_ROLE)
        engine.config["user"] = engines.SERVICE_ROLE
        os.environ["HELSEIARBEID_DATABASE_URL"] = engines.service_url()


@pytest.fixture(scope="session")
def migrated_template() -> Iterator[str]:
    """Migrate once per run: the SQLite template file, or the PostgreSQL test database (whose
    URL, yielded, is the service role's)."""
    asyncio.run(_migrate())
    engine = current_engine()
    yield engine.path if isinstance(engine, SQLiteEngine) else engines.service_url()
    if isinstance(engine, PostgresEngine):
        asyncio.run(engines.drop_postgres_database(engines.TEST_DATABASE_NAME))
        asyncio.run(engines.drop_service_role())


_APP_TABLES: list[str] = []
# Rows the migrations put in (reference data, e.g. the surveys' question sets), in foreign-key
# order: copied aside once after migrating, and put back after every truncation, as a SQLite
# test's copy of the migrated template has them.
SEEDED_TABLES = (
    "survey_theme",
    "survey_question",
    "survey_option",
    "clinic",
    "clinic_her_id",
    "nav_region",
)


async def _truncate_postgres() -> None:
    """Empty every table but the migration log, as the owner (the service role may not), and
    put back the rows the migrations seed (SEEDED_TABLES), as SQLite's template copy keeps them."""
    owner = await asyncpg.connect(engines.owner_url())
    try:
        if not _APP_TABLES:
            rows = await owner.fetch(
                "SELECT tablename FROM pg_tables "
                "WHERE schemaname = 'public' AND tablename <> 'migration'"
            )
            _APP_TABLES.extend(row["tablename"] for row in rows)
            await owner.execute("DROP SCHEMA IF EXISTS test_seed CASCADE")
            await owner.execute("CREATE SCHEMA test_seed")
            for table in SEEDED_TABLES:
                await owner.execute(f'CREATE TABLE test_seed."{table}" AS SELECT * FROM "{table}"')
        names = ", ".join(f'"{name}"' for name in _APP_TABLES)
        # The access log refuses TRUNCATE (its trigger); as replica, the test's superuser skips
        # triggers for this one transaction.
        async with owner.transaction():
            await owner.execute("SET LOCAL session_replication_role = replica")
            await owner.execute(f"TRUNCATE {names} RESTART IDENTITY CASCADE")
            for table in SEEDED_TABLES:
                await owner.execute(f'INSERT INTO "{table}" SELECT * FROM test_seed."{table}"')
                await owner.execute(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                    f'COALESCE((SELECT MAX(id) FROM "{table}"), 0) + 1, false)'
                )
    finally:
        await owner.close()


@asynccontextmanager
async def empty_database(migrated_template: str, directory: Path) -> AsyncIterator[str]:
    """An empty, migrated database (a SQLite copy in ``directory``, or the truncated PostgreSQL
    test database with a pool for the running event loop) until the block ends; yields its URL."""
    engine = current_engine()
    if isinstance(engine, SQLiteEngine):
        path = directory / "test.sqlite"
        engines.copy_sqlite(migrated_template, str(path))
        template_path = engine.path
        engine.path = str(path)
        yield f"sqlite:///{path}"
        engine.path = template_path
    else:
        await _truncate_postgres()
        # A pool for this test's event loop: without one, every query opens a connection.
        assert isinstance(engine, PostgresEngine)
        await engine.start_connection_pool(min_size=1, max_size=8)
        yield engines.service_url()
        if engine.pool is not None:  # a test may have closed it to simulate an outage
            await engine.close_connection_pool()


@pytest.fixture
async def database(migrated_template: str, tmp_path: Path) -> AsyncIterator[str]:
    """An empty, migrated database for this test; yields its URL."""
    async with empty_database(migrated_template, tmp_path) as url:
        yield url


@pytest.fixture
async def cast(database: str) -> Cast:
    """The named users of the tests (see tests/cast.py), stored in this test's database."""
    return await create_cast()


@pytest.fixture
async def client(database: str) -> AsyncIterator[httpx.AsyncClient]:
    """An HTTP client talking to the app in-process (same event loop, no lifespan)."""
    app = create_app()
    transport = httpx.ASGITransport(app=app, client=("127.0.0.1", 50000))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
        yield http
