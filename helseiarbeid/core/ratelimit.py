"""A sliding-window request limit kept in this process's memory.

Good enough for calendar clients polling a feed: each worker process counts on its own, so the
real limit is the configured one times the number of workers.
"""

from __future__ import annotations

import time
from collections import deque
from threading import Lock


class SlidingWindow:
    def __init__(self, limit: int, seconds: float) -> None:
        self.limit = limit
        self.seconds = seconds
        self._hits: dict[str, deque[float]] = {}
        self._lock = Lock()

    def allow(self, key: str) -> bool:
        """Count a request for ``key``; False when the window already holds ``limit``."""
        now = time.monotonic()
        with self._lock:
            hits = self._hits.setdefault(key, deque())
            while hits and hits[0] <= now - self.seconds:
                hits.popleft()
            if len(hits) >= self.limit:
                return False
            hits.append(now)
            if len(self._hits) > 10_000:
                self._forget_idle(now)
            return True

    def _forget_idle(self, now: float) -> None:
        for key in [
            k for k, hits in self._hits.items() if not hits or hits[-1] <= now - self.seconds
        ]:
            del self._hits[key]
