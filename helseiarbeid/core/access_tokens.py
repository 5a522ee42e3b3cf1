"""HelseID access tokens on the JSON API, bound to the caller's key by DPoP (issue 14 § 5–6).

A request carries ``Authorization: DPoP <token>`` and a ``DPoP`` proof header. Accepted when:

- the token is a JWT signed by a key in the issuer's JWKS, header ``typ`` ``at+jwt``
  (RFC 9068 § 2.1), ``iss`` exactly HELSEIARBEID_API_TOKEN_ISSUER, ``aud`` holding
  HELSEIARBEID_API_AUDIENCE, ``exp``/``nbf`` within HELSEIARBEID_TOKEN_CLOCK_SKEW_SECONDS;
- it is DPoP-bound (``cnf.jkt``, RFC 9449 § 6.1) and the proof (core/dpop.py) fits the request:
  ``htm``/``htu``, fresh ``iat``, ``ath`` = the token's hash, its key's thumbprint = ``cnf.jkt``,
  and its ``jti`` not seen before (the replay cache in the database);
- with HELSEIARBEID_DPOP_NONCE_REQUIRED, the proof carries a current server nonce
  (``dpop.nonce_is_current``; RFC 9449 § 8);
- it names a GP by HPR number (``helseid://claims/hpr/hpr_number``): the caller is that GP (a
  GP account is made on first use, as on a first login).

Failures are ``Refused``: 401 with ``WWW-Authenticate: DPoP error="invalid_token"`` (the token)
or ``error="invalid_dpop_proof"`` (the proof) per RFC 6750 § 3 and RFC 9449 § 7.1, or
``error="use_dpop_nonce"`` with a fresh nonce in ``DPoP-Nonce`` (§ 9) for the client to retry
with. The scope a
route needs is checked by the policy guard (core/policy.py, ``needs_scope``).
"""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from helseiarbeid.core import dpop
from helseiarbeid.core.external_identity import gp_for_hpr
from helseiarbeid.core.identifiers import IdentifierError
from helseiarbeid.core.oidc import ProviderUnavailable, TokenError, verify_jwt
from helseiarbeid.core.users import CurrentUser
from helseiarbeid.settings import get_settings

HPR_CLAIM = "helseid://claims/hpr/hpr_number"
ORGANISATION_CLAIM = "helseid://claims/client/claims/orgnr_parent"
ACCESS_TOKEN_TYPE = "at+jwt"  # noqa: S105 - a media type, not a secret
DPOP_ALGORITHMS = " ".join(dpop.PROOF_ALGORITHMS)


class Refused(Exception):
    """The request's credentials are refused. ``error`` is the RFC 6750/9449 error code,
    ``message`` Norwegian; ``challenge`` is the WWW-Authenticate value to answer with and
    ``nonce``, when set, the ``DPoP-Nonce`` header to send with it."""

    def __init__(
        self, error: str, message: str, status: int = 401, nonce: str | None = None
    ) -> None:
        super().__init__(message)
        self.error = error
        self.message = message
        self.status = status
        self.nonce = nonce

    @property
    def challenge(self) -> str:
        description = self.message.replace('"', "'")
        return (
            f'DPoP error="{self.error}", error_description="{description}", '
            f'algs="{DPOP_ALGORITHMS}"'
        )


@dataclass(frozen=True)
class SystemCaller:
    """A record system calling for a GP: the GP, the token's scopes, the organisation."""

    user: CurrentUser
    scopes: frozenset[str]
    organisation: str | None
    client_id: str | None


def accepted() -> bool:
    """True when HelseID access tokens are configured (issuer and audience set)."""
    settings = get_settings()
    return bool(settings.api_token_issuer and settings.api_audience)


def looks_dpop_bound(token: str) -> bool:
    """True when a token sent as a bearer token is a JWT with a ``cnf`` claim (read without
    verifying: it is refused either way, this only chooses the error)."""
    parts = token.split(".")
    if len(parts) != 3:
        return False
    try:
        claims = json.loads(base64.urlsafe_b64decode(parts[1] + "=" * (-len(parts[1]) % 4)))
    except ValueError:
        return False
    return isinstance(claims, dict) and "cnf" in claims


async def caller_for(token: str, proof: str | None, method: str, url: str) -> SystemCaller:
    """The caller behind a DPoP-bound HelseID access token and its proof for this request
    (``method``, full ``url``). Raises Refused (see the module doc)."""
    settings = get_settings()
    skew = timedelta(seconds=settings.token_clock_skew_seconds)
    try:
        _, claims = await verify_jwt(
            token,
            issuer=settings.api_token_issuer,
            audience=settings.api_audience,
            skew=skew,
            typ=ACCESS_TOKEN_TYPE,
        )
    except TokenError as exc:
        raise Refused("invalid_token", exc.message) from exc
    except ProviderUnavailable as exc:
        raise Refused("invalid_token", "Tokenet kan ikke kontrolleres akkurat nå.", 503) from exc
    confirmation = claims.get("cnf")
    jkt = confirmation.get("jkt") if isinstance(confirmation, dict) else None
    if not isinstance(jkt, str):
        raise Refused("invalid_token", "Tokenet er ikke bundet til en nøkkel (DPoP).")
    if not proof:
        raise Refused("invalid_dpop_proof", "DPoP-bevis mangler.")
    max_age = timedelta(seconds=settings.dpop_proof_max_age_seconds)
    try:
        checked = dpop.verify_proof(
            proof, method, url, access_token=token, max_age=max_age, skew=skew
        )
    except dpop.InvalidProof as exc:
        raise Refused("invalid_dpop_proof", exc.message) from exc
    if checked.jkt != jkt:
        raise Refused(
            "invalid_dpop_proof",
            "DPoP-beviset er signert med en annen nøkkel enn tokenet er bundet til.",
        )
    if settings.dpop_nonce_required and not dpop.nonce_is_current(
        checked.nonce, settings.secret_key
    ):
        raise Refused(
            "use_dpop_nonce",
            "DPoP-beviset må ha tjenestens nonce: send det på nytt med verdien i DPoP-Nonce.",
            nonce=dpop.server_nonce(settings.secret_key),
        )
    if not await dpop.remember(checked, max_age + skew):
        raise Refused("invalid_dpop_proof", "DPoP-beviset er brukt før.")
    hpr = claims.get(HPR_CLAIM)
    if not hpr:
        raise Refused("invalid_token", "Tokenet mangler HPR-nummeret til fastlegen.")
    try:
        user = await gp_for_hpr(str(hpr), "")
    except IdentifierError as exc:
        raise Refused("invalid_token", str(exc)) from exc
    organisation = claims.get(ORGANISATION_CLAIM)
    client_id = claims.get("client_id")
    return SystemCaller(
        user=user,
        scopes=frozenset(str(claims.get("scope", "")).split()),
        organisation=str(organisation) if organisation else None,
        client_id=str(client_id) if client_id else None,
    )


def has_scope(caller: SystemCaller, scope: str) -> bool:
    """Whether the token grants our scope ``scope`` (e.g. "referrals.write"), named with
    HELSEIARBEID_API_SCOPE_PREFIX as HelseID names it."""
    return get_settings().api_scope_prefix + scope in caller.scopes


def json_body(error: Refused) -> dict[str, Any]:
    return {"status_code": error.status, "detail": error.message, "error": error.error}
