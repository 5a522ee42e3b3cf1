"""The request limit shared by all processes: a sliding-window counter in the database."""

from __future__ import annotations

import pytest

from helseiarbeid.core import ratelimit
from helseiarbeid.core.ratelimit import RequestLimit
from helseiarbeid.core.tables import RequestWindow

MINUTE = 60
START = 1_000 * MINUTE  # the start of a counting window


async def _hits(limit: RequestLimit, key: str, count: int) -> list[bool]:
    return [await limit.allow(key) for _ in range(count)]


async def test_a_client_cannot_double_its_rate_across_a_window_boundary(
    database: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    limit = RequestLimit("test-boundary", limit=10, seconds=MINUTE)
    clock = [START + 59.0]
    monkeypatch.setattr(ratelimit, "_now", lambda: clock[0])
    assert await _hits(limit, "feed", 11) == [True] * 10 + [False]
    # One second into the next window, 59/60 of the last one still counts: room for one.
    clock[0] = START + MINUTE + 1
    assert await _hits(limit, "feed", 2) == [True, False]
    # Three quarters in, a quarter of the old ten (2) and the one just made count: 7 more.
    clock[0] = START + MINUTE + 45
    assert await _hits(limit, "feed", 8) == [True] * 7 + [False]
    # Other keys and other limits count on their own.
    assert await limit.allow("another feed")
    assert await RequestLimit("test-other", limit=1, seconds=MINUTE).allow("feed")


async def test_keys_are_stored_hashed_and_old_windows_are_removed(
    database: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    limit = RequestLimit("test-cleanup", limit=5, seconds=MINUTE)
    clock = [START + 1.0]
    monkeypatch.setattr(ratelimit, "_now", lambda: clock[0])
    await _hits(limit, "10.1.2.3", 3)
    rows = await RequestWindow.select()
    assert [row["hits"] for row in rows] == [3]
    assert "10.1.2.3" not in rows[0]["window_key"]
    # Two windows later the old count no longer matters and its row goes.
    clock[0] = START + 3 * MINUTE + 1
    assert await limit.allow("10.1.2.3")
    assert [row["hits"] for row in await RequestWindow.select()] == [1]
