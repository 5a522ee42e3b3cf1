"""OpenID Connect plumbing shared by people's logins and API tokens: a provider's discovery
document and signing keys (cached; keys fetched again when a token names an unknown ``kid``),
JWT verification with joserfc, and ``private_key_jwt`` client assertions (RFC 7523, OpenID
Connect Core § 9).
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import httpx
from joserfc import jws, jwt
from joserfc.errors import InvalidKeyIdError, JoseError
from joserfc.jwk import JWKRegistry, KeySet
from joserfc.jwt import JWTClaimsRegistry

from helseiarbeid.core.clock import utcnow

# Signing algorithms accepted on ID tokens and access tokens (HelseID signs with RS256).
TOKEN_ALGORITHMS = ("RS256", "PS256", "ES256")
# A discovery document is used this long before it is fetched again.
METADATA_TTL_SECONDS = 3600
# Keys are fetched again for an unknown kid at most this often (a forged kid cannot make us
# hammer the provider).
KEY_REFETCH_SECONDS = 30
HTTP_TIMEOUT_SECONDS = 10


class TokenError(Exception):
    """A token that cannot be trusted: bad signature, unknown key, wrong claims. ``message`` is
    Norwegian."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class ProviderUnavailable(Exception):
    """The provider's discovery document or keys could not be fetched."""


@dataclass(frozen=True)
class ProviderMetadata:
    """The parts of a provider's discovery document the service uses (OpenID Connect
    Discovery 1.0 § 3)."""

    issuer: str
    authorization_endpoint: str
    token_endpoint: str
    jwks_uri: str
    end_session_endpoint: str | None


@dataclass
class _Cached:
    """A provider's metadata and keys with when each was fetched (the service's clock)."""

    metadata: ProviderMetadata
    fetched: datetime
    keys: KeySet | None = None
    keys_fetched: datetime | None = None


def _seconds_since(moment: datetime) -> float:
    return (utcnow() - moment).total_seconds()


_cache: dict[str, _Cached] = {}


async def _get_json(url: str) -> dict[str, Any]:
    try:
        async with httpx.AsyncClient(timeout=HTTP_TIMEOUT_SECONDS) as http:
            response = await http.get(url, headers={"Accept": "application/json"})
            response.raise_for_status()
            body = response.json()
    except (httpx.HTTPError, ValueError) as exc:
        raise ProviderUnavailable(f"{url}: {exc}") from exc
    if not isinstance(body, dict):
        raise ProviderUnavailable(f"{url}: not a JSON object")
    return body


async def _entry(issuer: str) -> _Cached:
    entry = _cache.get(issuer)
    if entry is not None and 0 <= _seconds_since(entry.fetched) < METADATA_TTL_SECONDS:
        return entry
    document = await _get_json(issuer.rstrip("/") + "/.well-known/openid-configuration")
    if document.get("issuer") != issuer:
        raise ProviderUnavailable(f"the discovery document of {issuer} names another issuer")
    try:
        metadata = ProviderMetadata(
            issuer=issuer,
            authorization_endpoint=str(document["authorization_endpoint"]),
            token_endpoint=str(document["token_endpoint"]),
            jwks_uri=str(document["jwks_uri"]),
            end_session_endpoint=document.get("end_session_endpoint"),
        )
    except KeyError as exc:
        raise ProviderUnavailable(f"{issuer}: discovery lacks {exc}") from exc
    entry = _Cached(metadata=metadata, fetched=utcnow())
    _cache[issuer] = entry
    return entry


async def discover(issuer: str) -> ProviderMetadata:
    """The provider's endpoints, from its discovery document (cached an hour). Raises
    ProviderUnavailable when it cannot be fetched or names another issuer."""
    return (await _entry(issuer)).metadata


async def _signing_key(issuer: str, kid: str | None) -> Any:
    entry = await _entry(issuer)
    if entry.keys is not None and entry.keys_fetched is not None:
        try:
            return entry.keys.get_by_kid(kid)
        except InvalidKeyIdError:
            if _seconds_since(entry.keys_fetched) < KEY_REFETCH_SECONDS:
                raise TokenError("Tokenet er signert med en ukjent nøkkel.") from None
    try:
        entry.keys = KeySet.import_key_set(await _get_json(entry.metadata.jwks_uri))  # type: ignore[arg-type]
    except (JoseError, ValueError, TypeError) as exc:
        raise ProviderUnavailable(f"{issuer}: unreadable JWKS") from exc
    entry.keys_fetched = utcnow()
    try:
        return entry.keys.get_by_kid(kid)
    except InvalidKeyIdError:
        raise TokenError("Tokenet er signert med en ukjent nøkkel.") from None


async def verify_jwt(
    token: str,
    *,
    issuer: str,
    audience: str,
    skew: timedelta,
    typ: str | None = None,
    now: datetime | None = None,
) -> tuple[dict[str, Any], dict[str, Any]]:
    """Header and claims of a JWT signed by the issuer's key (from its JWKS), with ``iss``
    equal to ``issuer``, ``aud`` holding ``audience``, ``exp`` in the future and ``nbf``/``iat``
    not in it (each with ``skew``), and with ``typ`` when given (``at+jwt``, RFC 9068 § 2.1).

    Raises TokenError (Norwegian message) or ProviderUnavailable."""
    try:
        header = jws.extract_compact(token.encode("ascii")).headers()
    except (JoseError, ValueError, UnicodeError) as exc:
        raise TokenError("Tokenet er ikke en gyldig JWT.") from exc
    if header.get("alg") not in TOKEN_ALGORITHMS:
        raise TokenError("Tokenet er signert med en algoritme som ikke godtas.")
    if typ is not None and str(header.get("typ", "")).lower() not in {typ, f"application/{typ}"}:
        raise TokenError(f"Tokenet må ha typ «{typ}».")
    key = await _signing_key(issuer, header.get("kid"))
    try:
        claims = jwt.decode(token, key, algorithms=TOKEN_ALGORITHMS).claims
    except (JoseError, ValueError) as exc:
        raise TokenError("Signaturen på tokenet stemmer ikke.") from exc
    moment = int((now or utcnow()).timestamp())
    registry = JWTClaimsRegistry(
        now=moment,
        leeway=int(skew.total_seconds()),
        iss={"essential": True, "value": issuer},
        aud={"essential": True, "value": audience},
        exp={"essential": True},
    )
    try:
        registry.validate(claims)
    except JoseError as exc:
        raise TokenError(_claim_message(exc)) from exc
    return header, claims


def _claim_message(error: JoseError) -> str:
    text = str(error)
    if "exp" in text or "expired" in text.lower():
        return "Tokenet er utløpt."
    if "aud" in text:
        return "Tokenet er utstedt til en annen mottaker (aud)."
    if "iss" in text:
        return "Tokenet er utstedt av en annen utsteder (iss)."
    if "nbf" in text or "iat" in text:
        return "Tokenet er ikke gyldig ennå."
    return "Tokenet har ugyldige opplysninger."


def client_assertion(client_id: str, private_jwk: dict[str, object], audience: str) -> str:
    """A ``private_key_jwt`` client assertion (RFC 7523 § 3): iss = sub = client id, aud = the
    provider's issuer, a fresh jti, valid 60 seconds, signed with the client's private key."""
    key = JWKRegistry.import_key(private_jwk)  # type: ignore[arg-type]
    algorithm = str(
        private_jwk.get("alg") or ("ES256" if private_jwk.get("kty") == "EC" else "RS256")
    )
    now = int(utcnow().timestamp())
    claims = {
        "iss": client_id,
        "sub": client_id,
        "aud": audience,
        "jti": secrets.token_urlsafe(24),
        "iat": now,
        "nbf": now,
        "exp": now + 60,
    }
    header: dict[str, object] = {"alg": algorithm}
    if private_jwk.get("kid"):
        header["kid"] = private_jwk["kid"]
    return jwt.encode(header, claims, key, algorithms=[algorithm])


async def token_request(
    provider_issuer: str, client_id: str, private_jwk: dict[str, object], form: dict[str, str]
) -> dict[str, Any]:
    """POST to the provider's token endpoint with ``form`` and a private_key_jwt client
    assertion; the JSON answer. Raises TokenError when the provider refuses (its ``error``)."""
    metadata = await discover(provider_issuer)
    body = {
        **form,
        "client_id": client_id,
        "client_assertion_type": "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
        "client_assertion": client_assertion(client_id, private_jwk, metadata.issuer),
    }
    try:
        async with httpx.AsyncClient(timeout=HTTP_TIMEOUT_SECONDS) as http:
            response = await http.post(metadata.token_endpoint, data=body)
        answer = response.json()
    except (httpx.HTTPError, ValueError) as exc:
        raise ProviderUnavailable(f"{metadata.token_endpoint}: {exc}") from exc
    if response.status_code != 200 or not isinstance(answer, dict):
        error = answer.get("error", response.status_code) if isinstance(answer, dict) else ""
        raise TokenError(f"Innloggingstjenesten avviste forespørselen ({error}).")
    return answer
