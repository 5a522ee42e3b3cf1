"""Which engine this test run uses, and how to give each test an empty, migrated database.

`make test` runs the suite once per engine: HELSEIARBEID_TEST_ENGINE=sqlite always, and
=postgres when HELSEIARBEID_TEST_POSTGRES_URL is set. This module is imported by conftest
before the application, because Piccolo binds its engine when the package is first used.
"""

from __future__ import annotations

import asyncio
import os
import sqlite3
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import asyncpg

ENGINE = os.environ.get("HELSEIARBEID_TEST_ENGINE", "sqlite")
POSTGRES_SERVER_URL = os.environ.get("HELSEIARBEID_TEST_POSTGRES_URL", "")
TEST_DATABASE_NAME = f"helseiarbeid_test_{os.getpid()}"
# On PostgreSQL the application under test connects as the service's own role, as in
# production (`helseiarbeid db-roles`): migrations and test set-up run as the owner.
SERVICE_ROLE = f"helseiarbeid_test_service_{os.getpid()}"


def postgres_url(database: str) -> str:
    parts = urlsplit(POSTGRES_SERVER_URL)
    return urlunsplit(parts._replace(path=f"/{database}"))


def with_user(url: str, user: str) -> str:
    """``url`` with its user replaced by ``user`` (no password: the test server trusts)."""
    parts = urlsplit(url)
    host = parts.netloc.rsplit("@", 1)[-1]
    return urlunsplit(parts._replace(netloc=f"{user}@{host}"))


def owner_url() -> str:
    """The test database as its owner (the server URL's user): for set-up and for tests that
    play an intruder with more rights than the service has."""
    return postgres_url(TEST_DATABASE_NAME)


def service_url() -> str:
    """The test database as the service role: what the application and its servers use."""
    return with_user(owner_url(), SERVICE_ROLE)


async def drop_service_role() -> None:
    connection = await asyncpg.connect(POSTGRES_SERVER_URL)
    try:
        await connection.execute(f'DROP ROLE IF EXISTS "{SERVICE_ROLE}"')
    finally:
        await connection.close()


async def recreate_postgres_database(name: str) -> None:
    connection = await asyncpg.connect(POSTGRES_SERVER_URL)
    try:
        await connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await connection.execute(f'CREATE DATABASE "{name}"')
    finally:
        await connection.close()


async def drop_postgres_database(name: str) -> None:
    connection = await asyncpg.connect(POSTGRES_SERVER_URL)
    try:
        await connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await connection.close()


def configure_environment(tmp_root: Path) -> str:
    """Point HELSEIARBEID_DATABASE_URL at this run's database; returns the URL."""
    if ENGINE == "postgres":
        if not POSTGRES_SERVER_URL:
            raise RuntimeError(
                "HELSEIARBEID_TEST_ENGINE=postgres needs HELSEIARBEID_TEST_POSTGRES_URL"
            )
        asyncio.run(recreate_postgres_database(TEST_DATABASE_NAME))
        url = postgres_url(TEST_DATABASE_NAME)
    elif ENGINE == "sqlite":
        url = f"sqlite:///{tmp_root / 'template.sqlite'}"
    else:
        raise RuntimeError(f"unknown HELSEIARBEID_TEST_ENGINE {ENGINE!r}")
    os.environ["HELSEIARBEID_DATABASE_URL"] = url
    return url


def copy_sqlite(source: str, target: str) -> None:
    """A consistent copy of a SQLite database (WAL included) through SQLite's backup API."""
    with sqlite3.connect(source) as src, sqlite3.connect(target) as dst:
        src.backup(dst)
    with sqlite3.connect(target) as connection:
        connection.execute("PRAGMA journal_mode=WAL")
