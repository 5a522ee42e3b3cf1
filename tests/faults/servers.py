"""Real `helseiarbeid serve` processes that a fault test may kill, and how long a soak runs."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from types import TracebackType

import httpx

# `make soak` sets 60; the normal suite keeps CI fast.
SOAK_SECONDS = float(os.environ.get("HELSEIARBEID_SOAK_SECONDS", "8"))


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class Server:
    """One server process. Its log goes to a file: a pipe nobody reads would fill and block it."""

    def __init__(self, database_url: str, log: Path) -> None:
        self.log = log
        self.base_url = f"http://127.0.0.1:{_free_port()}"
        port = self.base_url.rsplit(":", 1)[1]
        with log.open("ab") as log_file:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "helseiarbeid", "serve", "--port", port],
                env={**os.environ, "HELSEIARBEID_DATABASE_URL": database_url},
                stdout=subprocess.DEVNULL,
                stderr=log_file,
            )

    def wait_until_healthy(self, timeout: float = 30) -> None:
        deadline = time.monotonic() + timeout
        while self.process.poll() is None and time.monotonic() < deadline:
            try:
                if httpx.get(f"{self.base_url}/health", timeout=1).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            time.sleep(0.1)
        raise RuntimeError(f"the server did not come up:\n{self.log_tail()}")

    def kill(self) -> None:
        """SIGKILL: no shutdown hooks, no flushing; what the OOM killer or a power cut does."""
        os.kill(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process.poll() is not None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()

    def log_tail(self, lines: int = 20) -> str:
        return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])


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
