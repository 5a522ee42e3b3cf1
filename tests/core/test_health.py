"""GET /health tells a load balancer whether the app and its database answer."""

from __future__ import annotations

import httpx
import pytest
from piccolo.engine.postgres import PostgresEngine
from piccolo.engine.sqlite import SQLiteEngine

from helseiarbeid.core.database import current_engine


async def test_health_is_ok_when_the_database_answers(client: httpx.AsyncClient) -> None:
    response = await client.get("/health")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok"}


async def test_health_is_503_when_the_database_is_unreachable(
    client: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch, tmp_path: object
) -> None:
    engine = current_engine()
    if isinstance(engine, SQLiteEngine):
        # A database file in a directory that does not exist cannot be opened.
        monkeypatch.setitem(engine.connection_kwargs, "database", "/nonexistent/dir/db.sqlite")
    else:
        assert isinstance(engine, PostgresEngine)
        # Without its pool the engine connects afresh, to port 1, where nothing listens.
        await engine.close_connection_pool()
        monkeypatch.setitem(engine.config, "port", 1)
    response = await client.get("/health")
    assert response.status_code == 503
    assert response.json() == {"status": "error", "database": "error"}
