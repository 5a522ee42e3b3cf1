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


def postgres_url(database: str) -> str:
    parts = urlsplit(POSTGRES_SERVER_URL)
    return urlunsplit(parts._replace(path=f"/{database}"))


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
