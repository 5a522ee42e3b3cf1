"""The app served by real `helseiarbeid serve` processes, as a user starts it, on free loopback
ports: one for a test (``serve``), or several that a fault test may kill (``Server``)."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx


def free_port() -> int:
    """A TCP port on loopback that nothing listens on now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class Server:
    """One server process. Its log goes to a file: a pipe nobody reads would fill and block it."""

    def __init__(self, database_url: str, log: Path) -> None:
        self.log = log
        self.base_url = f"http://127.0.0.1:{free_port()}"
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


@contextmanager
def serve(database_url: str) -> Iterator[str]:
    """Start `helseiarbeid serve` against the database; yield its base URL; stop it."""
    with tempfile.TemporaryDirectory(prefix="helseiarbeid-server-") as directory:
        server = Server(database_url, Path(directory) / "server.log")
        try:
            server.wait_until_healthy()
            yield server.base_url
        finally:
            server.stop()
