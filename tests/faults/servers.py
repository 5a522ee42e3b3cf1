"""Several server processes on one database, stopped together, and how long a soak runs."""

from __future__ import annotations

import os
from pathlib import Path
from types import TracebackType

from tests.live_server import Server

# `make soak` sets 60; the normal suite keeps CI fast.
SOAK_SECONDS = float(os.environ.get("HELSEIARBEID_SOAK_SECONDS", "8"))


class Servers:
    """Starts server processes on one database; stops every one of them on exit, always."""

    def __init__(self, database_url: str, log_dir: Path) -> None:
        self.database_url = database_url
        self.log_dir = log_dir
        self.started: list[Server] = []

    def start(self) -> Server:
        return self.start_many(1)[0]

    def start_many(self, count: int) -> list[Server]:
        """Start ``count`` servers side by side (each takes a second or two to come up)."""
        servers = []
        for _ in range(count):
            log = self.log_dir / f"server-{len(self.started)}.log"
            self.started.append(Server(self.database_url, log))
            servers.append(self.started[-1])
        for server in servers:
            server.wait_until_healthy()
        return servers

    def __enter__(self) -> Servers:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        for server in self.started:
            server.stop()
