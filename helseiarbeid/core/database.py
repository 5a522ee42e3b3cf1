"""The database engine: chosen by URL, tuned per engine, and the one way to open a write."""

from __future__ import annotations

import asyncio
import logging
import os
import sqlite3
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from contextvars import ContextVar
from functools import lru_cache
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from piccolo.engine.base import Engine
from piccolo.engine.finder import engine_finder
from piccolo.engine.postgres import PostgresEngine, PostgresTransaction
from piccolo.engine.sqlite import SQLiteEngine, TransactionType
from piccolo.table import Table

log = logging.getLogger("helseiarbeid.database")

# How long a SQLite connection waits for a competing writer before giving up (seconds); then
# the request is answered 503 (see is_unavailable).
SQLITE_BUSY_TIMEOUT_SECONDS = float(
    os.environ.get("HELSEIARBEID_SQLITE_BUSY_TIMEOUT_SECONDS", "30")
)
# PostgreSQL: the server's connections carry this name (pg_stat_activity.application_name).
APPLICATION_NAME = "helseiarbeid"
# Seconds to open a connection, and for any one statement, before giving up with a 503.
CONNECT_TIMEOUT_SECONDS = 5.0
STATEMENT_TIMEOUT_SECONDS = 30.0
# Seconds a shutdown waits for connections in use before closing them regardless.
POOL_CLOSE_SECONDS = 5.0


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


class _PooledTransaction(PostgresTransaction):
    """Piccolo's PostgreSQL transaction, that always gives its connection back.

    Piccolo's own keeps the pooled connection when BEGIN, COMMIT or ROLLBACK fails — as they
    do when the database drops the connection — so after ten such failures every request
    waited for a connection for ever, and a shutdown waited for them too."""

    async def __aenter__(self) -> PostgresTransaction:
        if self._parent is not None:
            return self._parent
        pool = self.engine.pool
        self.connection = await (pool.acquire() if pool else self.engine.get_new_connection())
        try:
            self.transaction = self.connection.transaction()
            await self.transaction.start()
        except BaseException:
            await self._give_back()
            raise
        self.context = self.engine.current_transaction.set(self)
        return self

    async def __aexit__(self, exception_type: Any, exception: Any, traceback: Any) -> bool:
        if self._parent:
            return exception is None
        try:
            if exception is not None:
                if not self._rolled_back:
                    self._rolled_back = True
                    await self.transaction.rollback()
            elif not self._committed and not self._rolled_back:
                self._committed = True
                await self.transaction.commit()
        finally:
            self.engine.current_transaction.reset(self.context)
            await self._give_back()
        return exception is None

    async def _give_back(self) -> None:
        if self.engine.pool:
            # Shielded: a cancelled request must not keep its connection from the pool.
            await asyncio.shield(self.engine.pool.release(self.connection))
        else:
            await self.connection.close()


# The work waiting for the outermost write transaction to end (None: no transaction open).
_AFTER_TRANSACTION: ContextVar[list[Callable[[], Awaitable[None]]] | None] = ContextVar(
    "after_transaction", default=None
)


def _engine_transaction() -> Any:
    engine = current_engine()
    if isinstance(engine, SQLiteEngine):
        return engine.transaction(transaction_type=TransactionType.immediate)
    if isinstance(engine, PostgresEngine):
        return _PooledTransaction(engine)
    return engine.transaction()


@asynccontextmanager
async def write_transaction() -> AsyncIterator[Any]:
    """A transaction for a unit of work that writes; inside another, it joins that one.

    On SQLite it is IMMEDIATE: the write lock is taken at BEGIN, so two requests that both read
    then write queue on the busy timeout instead of one failing with "database is locked" when
    it tries to upgrade its read lock. On PostgreSQL the connection goes back to the pool
    whatever happens to it (see _PooledTransaction). When the outermost one ends, committed or
    rolled back, the work ``in_own_transaction`` deferred runs (see there).
    """
    if _AFTER_TRANSACTION.get() is not None:
        async with _engine_transaction() as transaction:
            yield transaction
        return
    deferred: list[Callable[[], Awaitable[None]]] = []
    token = _AFTER_TRANSACTION.set(deferred)
    try:
        async with _engine_transaction() as transaction:
            yield transaction
    finally:
        _AFTER_TRANSACTION.reset(token)
        for work in deferred:
            try:
                async with write_transaction():
                    await work()
            except Exception:
                log.exception("work deferred to after a transaction failed")


async def in_own_transaction(work: Callable[[], Awaitable[None]]) -> None:
    """Run ``work`` in a write transaction of its own, whatever the caller's does: at once when
    no transaction is open, else as soon as the caller's outermost transaction has ended
    (committed or rolled back). For a record that must outlive a failed unit of work, such as
    the access log's row of a refused read: written inside the caller's transaction, it would
    be rolled back with it when the refusal is raised through it."""
    pending = _AFTER_TRANSACTION.get()
    if pending is None:
        async with write_transaction():
            await work()
    else:
        pending.append(work)


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
    """On app start-up: a connection pool on PostgreSQL, WAL on SQLite.

    Pooled connections time out: opening one after CONNECT_TIMEOUT_SECONDS, a statement after
    STATEMENT_TIMEOUT_SECONDS. A connection the database dropped is replaced on next use."""
    if isinstance(engine, PostgresEngine):
        await engine.start_connection_pool(
            min_size=1,
            max_size=10,
            reset=_keep_session,
            timeout=CONNECT_TIMEOUT_SECONDS,
            command_timeout=STATEMENT_TIMEOUT_SECONDS,
            server_settings={"application_name": APPLICATION_NAME},
        )
    else:
        prepare_sqlite_file(engine)


async def stop(engine: Engine[Any]) -> None:
    """On shutdown: close the pool, waiting POOL_CLOSE_SECONDS at most for connections in use."""
    if not isinstance(engine, PostgresEngine) or engine.pool is None:
        return
    pool = engine.pool
    try:
        await asyncio.wait_for(pool.close(), POOL_CLOSE_SECONDS)
    except TimeoutError:
        pool.terminate()
    engine.pool = None


PING_SECONDS = 2.0


async def ping() -> bool:
    """True when the database answers a trivial query within PING_SECONDS."""
    try:
        await asyncio.wait_for(current_engine().run_ddl("SELECT 1"), PING_SECONDS)
    except Exception:
        return False
    return True


# SQLite's words for a database that cannot be written now (locked, read-only, disk trouble).
_SQLITE_UNAVAILABLE = ("database is locked", "readonly database", "unable to open", "disk i/o")
# PostgreSQL error classes for a connection that is gone, refused or never came (SQLSTATE
# 08: connection exception; 57P: operator intervention; 53300: too many connections), and
# asyncpg's own for a connection it knows is closed, or whose protocol state broke with it.
_POSTGRES_UNAVAILABLE_STATES = ("08", "57P", "53300")
_POSTGRES_UNAVAILABLE_CLIENT = {
    "InterfaceError",
    "ConnectionDoesNotExistError",
    "InternalClientError",
}


def is_unavailable(error: BaseException) -> bool:
    """True when ``error`` (or what caused it) means the database cannot be reached or written
    now — a fault worth a 503 and a retry, not a bug: a dropped or refused connection, a
    timeout, a locked or read-only SQLite file."""
    seen: BaseException | None = error
    for _ in range(5):
        if seen is None:
            return False
        if isinstance(seen, sqlite3.OperationalError):
            return any(words in str(seen).lower() for words in _SQLITE_UNAVAILABLE)
        if isinstance(seen, TimeoutError | ConnectionError):
            return True
        state = getattr(seen, "sqlstate", None)
        if isinstance(state, str) and (
            state.startswith(_POSTGRES_UNAVAILABLE_STATES) or "accepting connections" in str(seen)
        ):
            return True
        if any(kind.__name__ in _POSTGRES_UNAVAILABLE_CLIENT for kind in type(seen).__mro__):
            return True
        if isinstance(seen, OSError) and seen.errno is not None:
            return True
        seen = seen.__cause__ or seen.__context__
    return False


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
