"""Starting the message-server stand-in (tests/messaging/msh_standin.py) as a real process next
to the real OpenID provider (tests/oidc), and pointing the service's settings at both."""

from __future__ import annotations

import base64
import json
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest

from helseiarbeid.core import outbox
from helseiarbeid.messaging import message_server
from helseiarbeid.settings import get_settings
from tests.live_server import free_port
from tests.oidc.harness import RegisteredClient, provider_process

ROOT = Path(__file__).resolve().parents[2]
CLIENT_ID = "helseiarbeid-msh"


@dataclass
class StandIn:
    """The stand-in's process: its address, its state file; stop and start it again."""

    issuer: str
    directory: Path
    provider_log: Path | None = None
    port: int = field(default_factory=free_port)
    process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, *, die_on: tuple[str, str, int] | None = None) -> None:
        """Start the process (again: the same port and state); with ``die_on`` (method, path
        pattern, n) it ends by itself when the n-th such request arrives."""
        config = self.directory / "standin.json"
        config.write_text(
            json.dumps(
                {
                    "port": self.port,
                    "state": str(self.directory / "state.json"),
                    "issuer": self.issuer,
                    "die_on": die_on,
                }
            )
        )
        log = (self.directory / "standin.log").open("ab")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "tests.messaging.msh_standin", str(config)],
            cwd=ROOT,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and self.process.poll() is None:
            try:
                if httpx.get(f"{self.url}/_standin/state", timeout=1).status_code == 200:
                    return
            except httpx.TransportError:
                time.sleep(0.1)
        raise RuntimeError(f"the stand-in did not come up:\n{self.log()}")

    def wait_for_death(self, timeout: float = 60) -> None:
        assert self.process is not None
        self.process.wait(timeout=timeout)
        self.process = None

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)
        self.process = None

    def log(self) -> str:
        path = self.directory / "standin.log"
        return path.read_text() if path.exists() else ""

    def state(self) -> dict[str, Any]:
        if self.process is None:
            return json.loads((self.directory / "state.json").read_text())
        return httpx.get(f"{self.url}/_standin/state").json()

    def deliver(self, xml: bytes, *, receiver: int, sender: int, msg_id: str) -> str:
        """A GP's record system sends ``xml`` to ``receiver``; returns its server id."""
        body = {
            "receiverHerId": receiver,
            "senderHerId": sender,
            "businessDocumentId": msg_id,
            "document": base64.b64encode(xml).decode(),
        }
        return httpx.post(f"{self.url}/_standin/inbox", json=body).json()

    def answer(
        self, server_id: str, status: str, errors: list[dict[str, str]] | None = None
    ) -> None:
        """The receiver of a sent message answers with an AppRec (Ok / Rejected)."""
        body = {"id": server_id, "appRecStatus": status, "appRecErrorList": errors}
        assert httpx.post(f"{self.url}/_standin/receipt", json=body).status_code == 200

    def token_requests(self) -> int:
        """How many token requests the OpenID provider has served (with a nonce retry, two
        per token)."""
        assert self.provider_log is not None
        return self.provider_log.read_text().splitlines().count("request POST /token")

    def sent(self) -> list[dict[str, Any]]:
        """What the service posted, oldest first, each with its decoded ``xml``."""
        return [
            {**item, "server_id": key, "xml": base64.b64decode(item["document"])}
            for key, item in self.state()["sent"].items()
        ]


@contextmanager
def message_server_for_tests(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[StandIn]:
    """The provider (client credentials, private_key_jwt, DPoP) and the stand-in running, the
    service configured for them and the transport registered; afterwards the stand-in must
    have seen no request or answer outside the OpenAPI document."""
    client = RegisteredClient(CLIENT_ID)
    with provider_process([client], dpop_nonce=True) as provider:
        stand_in = StandIn(provider.issuer, tmp_path, provider.log)
        stand_in.start()
        monkeypatch.setenv("HELSEIARBEID_MSH_URL", stand_in.url)
        monkeypatch.setenv("HELSEIARBEID_HELSEID_ISSUER", provider.issuer)
        monkeypatch.setenv("HELSEIARBEID_HELSEID_CLIENT_ID", CLIENT_ID)
        private_jwk = json.dumps(client.key.as_dict(private=True))
        monkeypatch.setenv("HELSEIARBEID_HELSEID_PRIVATE_JWK", private_jwk)
        get_settings.cache_clear()
        message_server._CLIENT.clear()
        message_server.register()
        try:
            yield stand_in
            violations = stand_in.state()["violations"]
            assert violations == [], violations
        finally:
            stand_in.stop()
            outbox.TRANSPORTS.pop(message_server.CHANNEL, None)
            message_server._CLIENT.clear()
