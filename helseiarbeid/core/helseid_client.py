"""Our own HelseID access token, for calling other services (Norsk Helsenett's message server).

The client-credentials grant (RFC 6749 § 4.4) authenticated with a ``private_key_jwt`` client
assertion (RFC 7523, ``core.oidc.client_assertion``), the token bound to a DPoP key (RFC 9449
§ 5): every token request carries a fresh DPoP proof (``htm`` POST, ``htu`` the token
endpoint). A provider that demands a nonce answers 400 ``use_dpop_nonce`` with a
``DPoP-Nonce`` header; the request is made once more with it (§ 8). The token is kept until
``REFRESH_MARGIN_SECONDS`` before it expires.

The DPoP key is an ES256 key made when the token source is created and never stored: a new
process gets a new key and a new token. Resource servers need the same key for the proofs
that go with the token, so :class:`TokenSource` hands out both.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass

import httpx
from joserfc.jwk import ECKey

from helseiarbeid.core import dpop, oidc

REFRESH_MARGIN_SECONDS = 60
DPOP_NONCE_HEADER = "DPoP-Nonce"


class TokenUnavailable(Exception):
    """No token could be had: the provider is away (``transient``) or refused us (not).

    ``message`` is Norwegian, for the coordinator's page; it never holds a secret."""

    def __init__(self, message: str, *, transient: bool) -> None:
        super().__init__(message)
        self.message = message
        self.transient = transient


@dataclass(frozen=True)
class AccessToken:
    value: str
    expires_at: float  # time.monotonic() seconds


class TokenSource:
    """DPoP-bound access tokens for one client, scope and resource, cached until near expiry.

    ``issuer`` is the provider's (its token endpoint is found by discovery); ``private_jwk``
    signs the client assertion; ``scope`` e.g. "nhn:msh/api"; ``resource`` (RFC 8707) the
    audience, e.g. "nhn:msh" (empty: not sent).
    """

    def __init__(
        self,
        *,
        issuer: str,
        client_id: str,
        private_jwk: dict[str, object],
        scope: str,
        resource: str = "",
    ) -> None:
        self.issuer = issuer
        self.client_id = client_id
        self.private_jwk = private_jwk
        self.scope = scope
        self.resource = resource
        self.dpop_key = ECKey.generate_key("P-256", parameters={"alg": "ES256"})
        self._token: AccessToken | None = None
        self._nonce: str | None = None
        self._lock = asyncio.Lock()

    def forget(self) -> None:
        """Drop the cached token (the resource server said it is no longer valid)."""
        self._token = None

    async def access_token(self) -> str:
        """A valid access token, from the cache or fetched. Raises TokenUnavailable."""
        async with self._lock:
            token = self._token
            if token is None or time.monotonic() >= token.expires_at - REFRESH_MARGIN_SECONDS:
                token = self._token = await self._fetch()
            return token.value

    async def _fetch(self) -> AccessToken:
        try:
            metadata = await oidc.discover(self.issuer)
        except oidc.ProviderUnavailable as exc:
            raise TokenUnavailable("HelseID svarer ikke.", transient=True) from exc
        form = {"grant_type": "client_credentials", "scope": self.scope}
        if self.resource:
            form["resource"] = self.resource
        for _ in range(2):
            body = {
                **form,
                "client_id": self.client_id,
                "client_assertion_type": "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
                "client_assertion": oidc.client_assertion(
                    self.client_id, self.private_jwk, metadata.issuer
                ),
            }
            proof = dpop.make_proof(
                self.dpop_key, "POST", metadata.token_endpoint, nonce=self._nonce
            )
            try:
                async with httpx.AsyncClient(timeout=oidc.HTTP_TIMEOUT_SECONDS) as http:
                    response = await http.post(
                        metadata.token_endpoint, data=body, headers={"DPoP": proof}
                    )
                answer = response.json()
            except (httpx.HTTPError, ValueError) as exc:
                raise TokenUnavailable("HelseID svarer ikke.", transient=True) from exc
            if response.headers.get(DPOP_NONCE_HEADER):
                self._nonce = response.headers[DPOP_NONCE_HEADER]
            error = answer.get("error") if isinstance(answer, dict) else None
            if response.status_code == 400 and error == "use_dpop_nonce":
                continue
            break
        if response.status_code >= 500:
            raise TokenUnavailable(
                f"HelseID svarte med feil {response.status_code}.", transient=True
            )
        if response.status_code != 200 or not isinstance(answer, dict):
            raise TokenUnavailable(
                f"HelseID avviste klienten ({error or response.status_code}).", transient=False
            )
        if not isinstance(answer.get("access_token"), str):
            raise TokenUnavailable("HelseID ga ikke noe token.", transient=False)
        if str(answer.get("token_type", "")).lower() != "dpop":
            raise TokenUnavailable("HelseID ga et token som ikke er DPoP-bundet.", transient=False)
        lifetime = answer.get("expires_in")
        seconds = float(lifetime) if isinstance(lifetime, int | float) else 300.0
        return AccessToken(str(answer["access_token"]), time.monotonic() + seconds)
