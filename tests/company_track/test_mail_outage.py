"""The mail server goes down and comes back while a real server process books sessions.

The SMTP server is a separate process (aiosmtpd's command line, which prints each message it
receives), stopped before the bookings and started again on the same port afterwards. Every
booking succeeds meanwhile; once the mail server answers, the server's outbox worker delivers
each mail exactly once, without anyone pressing a button.
"""

from __future__ import annotations

import asyncio
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest

from tests.cast import Cast, bearer
from tests.company_track.conftest import Company, working_day_at
from tests.faults.servers import Servers
from tests.live_server import free_port

BOOKINGS = 3
DELIVERY_DEADLINE_SECONDS = 30


class MailServer:
    """``python -m aiosmtpd`` on a fixed port; what it receives goes to a file."""

    def __init__(self, port: int, log: Path) -> None:
        self.port = port
        self.log = log
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        with self.log.open("ab") as out:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "aiosmtpd", "-n", "-l", f"127.0.0.1:{self.port}"],
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            with socket.socket() as probe:
                if probe.connect_ex(("127.0.0.1", self.port)) == 0:
                    return
            time.sleep(0.05)
        raise RuntimeError("the mail server did not start")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)

    def subjects(self) -> list[str]:
        return [
            line.split("Subject:", 1)[1].strip()
            for line in self.log.read_text(errors="replace").splitlines()
            if line.startswith("Subject:")
        ]


async def _wait_for(condition: Callable[[], bool]) -> None:
    deadline = time.monotonic() + DELIVERY_DEADLINE_SECONDS
    while not condition() and time.monotonic() < deadline:  # noqa: ASYNC110 - a file to watch
        await asyncio.sleep(0.2)


async def test_mail_booked_during_an_smtp_outage_arrives_once_when_it_is_back(
    company: Company, cast: Cast, tmp_path: Path, database: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    mail = MailServer(free_port(), tmp_path / "smtp.log")
    monkeypatch.setenv("HELSEIARBEID_SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("HELSEIARBEID_SMTP_PORT", str(mail.port))
    monkeypatch.setenv("HELSEIARBEID_OUTBOX_POLL_SECONDS", "0.2")
    programme_id = await company.programme()
    headers = await bearer(cast["kari"])
    try:
        mail.start()
        mail.stop()  # down before the first booking
        with Servers(database, tmp_path) as servers:
            server = servers.start()
            async with httpx.AsyncClient(base_url=server.base_url, timeout=30) as http:
                kinds = ["anchoring", "module_1", "module_2"][:BOOKINGS]
                for day, kind in enumerate(kinds):
                    response = await http.post(
                        f"/api/v1/programmes/{programme_id}/sessions",
                        json={
                            "kind": kind,
                            "starts_at": working_day_at(7 + 8 * day, 10).isoformat(),
                            "facilitator_ids": company.pair(),
                        },
                        headers=headers,
                    )
                    assert response.status_code == 201, response.text
                await asyncio.sleep(1)  # the worker has tried and failed meanwhile
                assert mail.subjects() == []
                mail.start()
                await _wait_for(lambda: len(mail.subjects()) >= BOOKINGS)
                await asyncio.sleep(1)  # nothing more may come
            assert server.process.poll() is None, server.log_tail()
    finally:
        mail.stop()
    subjects = mail.subjects()
    assert len(subjects) == BOOKINGS, subjects
    assert len(set(subjects)) == BOOKINGS, "a mail was sent twice"
