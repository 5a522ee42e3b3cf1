"""A HelseID-like OpenID provider for the tests: `oidc-provider` from the npm registry, run with
Node from tests/oidc/provider.mjs on a free loopback port (see that file for the accounts).

``running_provider`` starts it with the given clients and stops it (``provider_process`` does
the same and also counts the requests it served); ``client_key`` makes a client's key pair
(ES256, as HelseID clients use for private_key_jwt and DPoP), ``signing_key`` one the provider
signs tokens with (RS256, as HelseID).
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
from joserfc.jwk import ECKey, RSAKey

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


def signing_key() -> RSAKey:
    """A new RS256 key pair with a key id, for the provider to sign tokens with."""
    key = RSAKey.generate_key(2048, parameters={"use": "sig", "alg": "RS256"})
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


@dataclass(frozen=True)
class ProviderProcess:
    """A running provider: its issuer URL and its request log."""

    issuer: str
    log: Path

    def requests(self, path: str) -> int:
        """How many requests for ``path`` (e.g. "/jwks") it has served so far."""
        return self.log.read_text().splitlines().count(f"request GET {path}")


@contextmanager
def provider_process(
    clients: list[RegisteredClient],
    *,
    port: int | None = None,
    signing_keys: list[RSAKey] | None = None,
    dpop_nonce: bool = False,
) -> Iterator[ProviderProcess]:
    """Start the provider with these clients on ``port`` (a free one when None), signing with
    ``signing_keys`` (the first signs; others are only published), with ``dpop_nonce`` asking
    for its DPoP nonce at the token endpoint; stop it afterwards."""
    node = shutil.which("node")
    if node is None or not PROVIDER_PACKAGE.exists():
        pytest.skip("Node or oidc-provider is missing: run `make test-tools` (npm ci)")
    port = port or free_port()
    with tempfile.TemporaryDirectory(prefix="helseiarbeid-oidc-") as directory:
        config = Path(directory) / "config.json"
        settings: dict[str, Any] = {
            "port": port,
            "clients": [c.registration() for c in clients],
            "dpop_nonce": dpop_nonce,
        }
        if signing_keys:
            settings["signing_keys"] = [key.as_dict(private=True) for key in signing_keys]
        config.write_text(json.dumps(settings))
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
            yield ProviderProcess(issuer, log)
        finally:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


@contextmanager
def running_provider(clients: list[RegisteredClient]) -> Iterator[str]:
    """Start the provider with these clients; yield its issuer URL; stop it."""
    with provider_process(clients) as provider:
        yield provider.issuer


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
