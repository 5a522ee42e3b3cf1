"""A HelseID-like OpenID provider for the tests: `oidc-provider` from the npm registry, run with
Node from tests/oidc/provider.mjs on a free loopback port (see that file for the accounts).

``running_provider`` starts it with the given clients and stops it; ``client_key`` makes a
client's key pair (ES256, as HelseID clients use for private_key_jwt and DPoP).
"""

from __future__ import annotations

import json
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
from joserfc.jwk import ECKey

from tests.live_server import free_port

ROOT = Path(__file__).resolve().parents[2]
PROVIDER_SCRIPT = Path(__file__).with_name("provider.mjs")
PROVIDER_PACKAGE = ROOT / "node_modules" / "oidc-provider"
API_AUDIENCE = "nhn:helseiarbeid"
SCOPE_PREFIX = "nhn:helseiarbeid/"


def client_key() -> ECKey:
    """A new ES256 key pair with a key id."""
    key = ECKey.generate_key("P-256", parameters={"use": "sig", "alg": "ES256"})
    key.ensure_kid()
    return key


@dataclass
class RegisteredClient:
    client_id: str
    key: ECKey = field(default_factory=client_key)
    claims: dict[str, str] = field(default_factory=dict)
    token_ttl: int = 300

    def registration(self) -> dict[str, Any]:
        return {
            "client_id": self.client_id,
            "jwks": {"keys": [self.key.as_dict(private=False)]},
            "claims": self.claims,
            "token_ttl": self.token_ttl,
        }


@contextmanager
def running_provider(clients: list[RegisteredClient]) -> Iterator[str]:
    """Start the provider with these clients; yield its issuer URL; stop it."""
    node = shutil.which("node")
    if node is None or not PROVIDER_PACKAGE.exists():
        pytest.skip("Node or oidc-provider is missing: run `make test-tools` (npm ci)")
    port = free_port()
    with tempfile.TemporaryDirectory(prefix="helseiarbeid-oidc-") as directory:
        config = Path(directory) / "config.json"
        config.write_text(
            json.dumps({"port": port, "clients": [c.registration() for c in clients]})
        )
        log = Path(directory) / "provider.log"
        with log.open("wb") as log_file:
            process = subprocess.Popen(
                [node, str(PROVIDER_SCRIPT), str(config)],
                cwd=ROOT,
                stdout=log_file,
                stderr=subprocess.STDOUT,
            )
        issuer = f"http://127.0.0.1:{port}"
        try:
            _wait_until_up(issuer, process, log)
            yield issuer
        finally:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def _wait_until_up(issuer: str, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 30
    while process.poll() is None and time.monotonic() < deadline:
        try:
            discovery = httpx.get(f"{issuer}/.well-known/openid-configuration", timeout=1)
            if discovery.status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.1)
    raise RuntimeError(f"the OpenID provider did not come up:\n{log.read_text()}")
