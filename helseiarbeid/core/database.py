"""The database engine: chosen by URL, tuned per engine, and the one way to open a write."""

from __future__ import annotations

import sqlite3
from functools import lru_cache
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from piccolo.engine.base import Engine
from piccolo.engine.finder import engine_finder
from piccolo.engine.postgres import PostgresEngine
from piccolo.engine.sqlite import SQLiteEngine, TransactionType
from piccolo.table import Table

# How long a SQLite connection waits for a competing writer before giving up (seconds).
SQLITE_BUSY_TIMEOUT_SECONDS = 30


class DatabaseURLError(ValueError):
    """HELSEIARBEID_DATABASE_URL cannot be understood."""


def engine_from_url(url: str) -> Engine[Any]:
    """Build a Piccolo engine from ``sqlite:///path`` or ``postgresql://user@host:port/db``."""
    parts = urlsplit(url)
    if parts.scheme == "sqlite":
        if parts.netloc or not parts.path or parts.path == "/":
            raise DatabaseURLError(
                f"malformed SQLite URL {url!r}: expected sqlite:///relative/path or sqlite:////abs/path"
            )
        path = parts.path[1:]
        Path(path).parent.mkdir(parents=True, exist_ok=True)
        return SQLiteEngine(path=path, timeout=SQLITE_BUSY_TIMEOUT_SECONDS)
    if parts.scheme in {"postgresql", "postgres"}:
        database = parts.path.lstrip("/")
        if not parts.hostname or not database:
            raise DatabaseURLError(
                f"malformed PostgreSQL URL {_redact(url)!r}: expected postgresql://user@host:port/database"
            )
        try:
            port = parts.port or 5432
        except ValueError as exc:
            raise DatabaseURLError(f"malformed PostgreSQL URL {_redact(url)!r}: bad port") from exc
        config: dict[str, Any] = {
            "host": parts.hostname,
            "port": port,
            "database": unquote(database),
            "user": unquote(parts.username or "postgres"),
        }
        if parts.password:
            config["password"] = unquote(parts.password)
        return PostgresEngine(config=config)
    raise DatabaseURLError(
        f"unsupported database URL {_redact(url)!r}: use sqlite:///path or postgresql://user@host/db"
    )


def _redact(url: str) -> str:
    parts = urlsplit(url)
    if parts.password:
        return url.replace(f":{parts.password}@", ":***@")
    return url


@lru_cache(maxsize=1)
def current_engine() -> Engine[Any]:
    """The engine of piccolo_conf (bound once per process; finding it costs ~20 µs a call)."""
    engine = engine_finder()
    if engine is None:  # pragma: no cover - piccolo_conf always defines DB
        raise RuntimeError("no Piccolo engine configured")
    return engine


def is_sqlite(engine: Engine[Any] | None = None) -> bool:
    return isinstance(engine or current_engine(), SQLiteEngine)


def write_transaction() -> Any:
    """A transaction for a unit of work that writes.

    On SQLite it is IMMEDIATE: the write lock is taken at BEGIN, so two requests that both read
    then write queue on the busy timeout instead of one failing with "database is locked" when
    it tries to upgrade its read lock. PostgreSQL needs nothing special here.
    """
    engine = current_engine()
    if isinstance(engine, SQLiteEngine):
        return engine.transaction(transaction_type=TransactionType.immediate)
    return engine.transaction()


def prepare_sqlite_file(engine: Engine[Any]) -> None:
    """Switch a SQLite file to WAL, so readers never wait for the writer. Persistent per file."""
    if not isinstance(engine, SQLiteEngine):
        return
    with sqlite3.connect(engine.path, timeout=SQLITE_BUSY_TIMEOUT_SECONDS) as connection:
        connection.execute("PRAGMA journal_mode=WAL")
        connection.execute("PRAGMA synchronous=NORMAL")


async def _keep_session(connection: Any) -> None:
    """Hand a connection back to the pool as it is. asyncpg's default reset runs a query (RESET
    ALL, UNLISTEN, advisory unlock) on every release: one more round trip per query, and the
    service sets no session state to reset. An open transaction is still rolled back."""


async def start(engine: Engine[Any]) -> None:
    """On app start-up: a connection pool on PostgreSQL, WAL on SQLite."""
    if isinstance(engine, PostgresEngine):
        await engine.start_connection_pool(min_size=1, max_size=10, reset=_keep_session)
    else:
        prepare_sqlite_file(engine)


async def stop(engine: Engine[Any]) -> None:
    if isinstance(engine, PostgresEngine):
        await engine.close_connection_pool()


async def ping() -> bool:
    """True when the database answers a trivial query."""
    try:
        await current_engine().run_ddl("SELECT 1")
    except Exception:
        return False
    return True


def is_unique_violation(error: BaseException) -> bool:
    """True when the error is a unique-constraint violation, on either engine."""
    if isinstance(error, sqlite3.IntegrityError):
        return "UNIQUE constraint failed" in str(error)
    return type(error).__name__ == "UniqueViolationError"


def for_update(query: Any) -> Any:
    """Lock the selected rows until the transaction ends (PostgreSQL). On SQLite the
    IMMEDIATE write transaction already excludes every other writer."""
    return query if is_sqlite() else query.lock_rows()


@lru_cache(maxsize=64)
def _insert_sql(table: type[Table], columns: tuple[str, ...]) -> str:
    names = ", ".join(
        f'"{table._meta.get_column_by_name(name)._meta.db_column_name}"' for name in columns
    )
    placeholders = ", ".join("{}" for _ in columns)
    into = f'"{table._meta.tablename}" ({names})'
    return f'INSERT INTO {into} VALUES ({placeholders}) RETURNING "id"'  # noqa: S608 - names from the table


async def insert_row(table: type[Table], values: dict[str, Any]) -> int:
    """Insert one row and return its id, without building a Table instance and a query per
    call: for the writes every request makes (audit rows, referrals), where Piccolo's insert
    cost a sixth of a referral submission's CPU (py-spy). Column names are checked by Piccolo
    (an unknown one raises) and the SQL is cached per table and set of columns."""
    rows = await table.raw(_insert_sql(table, tuple(values)), *values.values())
    return int(rows[0]["id"])
