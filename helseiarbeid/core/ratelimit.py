"""Request limits shared by every server process, kept in the database.

Several ``helseiarbeid serve`` processes behind one proxy must refuse the 61st request of a
minute as one service would (issue 15 § 9), so the counts live in the table ``request_window``
rather than in a process's memory.

The count is a *sliding-window counter*: time is cut into fixed windows of ``seconds``; a
request is allowed while ``hits in this window + hits in the previous window × the share of the
previous window still inside the last ``seconds```` stays within ``limit``. That is within a
request or two of a true sliding window, needs one row per key and window, and never lets a
client double its rate across a window boundary as plain fixed windows would.

A refused request is not counted, so a client that backs off gets in again as its old requests
age. Keys are stored hashed (SHA-256 with the limit's name): a feed's token or a caller's
address never lands in the table. Rows are removed a window after they stop counting.
"""

from __future__ import annotations

import hashlib
import math
import time
from datetime import UTC, datetime

from helseiarbeid.core.tables import RequestWindow

_INCREMENT = (
    "INSERT INTO request_window (window_key, hits, expires_at) VALUES ({}, 1, {}) "
    "ON CONFLICT (window_key) DO UPDATE SET hits = request_window.hits + 1 "
    "WHERE request_window.hits < {} RETURNING hits"
)


def _now() -> float:
    """Seconds since the epoch, from the wall clock (the limits never follow ``clock.pinned``)."""
    return time.time()


class RequestLimit:
    """At most ``limit`` requests per key in any ``seconds``, across all processes.

    ``name`` keeps the counts of different limits apart (it is part of every stored key), so
    it must be unique and stable: renaming it forgets the counts, nothing worse."""

    def __init__(self, name: str, limit: int, seconds: int) -> None:
        if limit < 1 or seconds < 1:
            raise ValueError("limit and seconds must be positive")
        self.name = name
        self.limit = limit
        self.seconds = seconds

    def _key(self, key: str, window: int) -> str:
        return hashlib.sha256(f"{self.name}\x00{key}\x00{window}".encode()).hexdigest()

    async def allow(self, key: str) -> bool:
        """Count a request for ``key`` and say whether it is within the limit; a refused
        request is not counted. Two statements; the increment is atomic on both engines."""
        now = _now()
        window = int(now // self.seconds)
        still_inside = 1 - (now - window * self.seconds) / self.seconds
        previous = (
            await RequestWindow.select(RequestWindow.hits)
            .where(RequestWindow.window_key == self._key(key, window - 1))
            .first()
        )
        carried = math.floor(previous["hits"] * still_inside) if previous else 0
        room = self.limit - carried
        if room < 1:
            return False
        expires_at = datetime.fromtimestamp((window + 2) * self.seconds, tz=UTC)
        counted = await RequestWindow.raw(_INCREMENT, self._key(key, window), expires_at, room)
        if not counted:
            return False
        if counted[0]["hits"] == 1:  # a new window for this key: clear out the stale ones
            await RequestWindow.delete().where(
                RequestWindow.expires_at < datetime.fromtimestamp(now, tz=UTC)
            )
        return True
