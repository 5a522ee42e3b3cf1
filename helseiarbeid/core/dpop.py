"""DPoP proofs (RFC 9449): making them (a client of HelseID or of a message server) and checking
them (our JSON API), with the replay cache in the database so every worker shares it.

A proof is a JWT signed with the client's private key, header ``typ`` ``dpop+jwt`` carrying the
public ``jwk``; claims ``htm`` (method), ``htu`` (URL without query and fragment), ``iat``,
``jti`` and, with an access token, ``ath`` (its SHA-256, base64url). The key's RFC 7638
thumbprint is what an access token's ``cnf.jkt`` binds it to.

A resource server may require a ``nonce`` it issued (RFC 9449 § 8): ours are stateless, an HMAC
of the current time window under the secret key, so every worker and process issues and accepts
the same ones without sharing anything but the key.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from urllib.parse import urlsplit, urlunsplit

from joserfc import jws, jwt
from joserfc.errors import JoseError
from joserfc.jwk import ECKey, JWKRegistry, OKPKey, RSAKey

from helseiarbeid.core.clock import utcnow
from helseiarbeid.core.database import is_unique_violation
from helseiarbeid.core.tables import DpopProofSeen

# The asymmetric algorithms a proof may use (RFC 9449 § 4.2: never "none" or a MAC).
PROOF_ALGORITHMS = ("ES256", "ES384", "PS256", "RS256", "EdDSA", "Ed25519")
PROOF_TYPE = "dpop+jwt"
AnyPrivateKey = ECKey | RSAKey | OKPKey
# A server nonce is issued per window of this many seconds; the current and the previous
# window's are accepted, so a nonce lives between 5 and 10 minutes.
NONCE_WINDOW_SECONDS = 300


class InvalidProof(Exception):
    """The DPoP proof is missing, malformed or does not fit the request (``invalid_dpop_proof``).

    ``message`` is Norwegian, for the API client's developer."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class CheckedProof:
    """A proof whose signature and claims fit the request: its key's thumbprint and its jti."""

    jkt: str
    jti: str
    iat: datetime
    nonce: str | None = None


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def access_token_hash(access_token: str) -> str:
    """``ath``: base64url of the SHA-256 of the access token's ASCII (RFC 9449 § 4.2)."""
    return _b64(hashlib.sha256(access_token.encode("ascii")).digest())


def target_uri(url: str) -> str:
    """``htu`` as compared: the URL without query and fragment, scheme and host in lower case
    (RFC 9449 § 4.3, normalised per RFC 3986 § 6.2.2)."""
    parts = urlsplit(url)
    return urlunsplit((parts.scheme.lower(), parts.netloc.lower(), parts.path or "/", "", ""))


def make_proof(
    key: AnyPrivateKey,
    method: str,
    url: str,
    *,
    access_token: str | None = None,
    nonce: str | None = None,
    now: datetime | None = None,
) -> str:
    """A new DPoP proof for one request (``method`` as sent, ``url`` in full), signed with
    ``key`` (its ``alg`` parameter, ES256 when it has none); with ``access_token`` when it goes
    to a resource server, ``nonce`` when the server asked for one."""
    algorithm = str(key.get("alg") or "ES256")
    issued = now or utcnow()
    claims: dict[str, object] = {
        "htm": method.upper(),
        "htu": target_uri(url),
        "iat": int(issued.timestamp()),
        "jti": secrets.token_urlsafe(24),
    }
    if access_token is not None:
        claims["ath"] = access_token_hash(access_token)
    if nonce is not None:
        claims["nonce"] = nonce
    header = {"typ": PROOF_TYPE, "alg": algorithm, "jwk": key.as_dict(private=False)}
    return jwt.encode(header, claims, key, algorithms=[algorithm])


def verify_proof(
    proof: str,
    method: str,
    url: str,
    *,
    access_token: str | None,
    max_age: timedelta,
    skew: timedelta,
    now: datetime | None = None,
) -> CheckedProof:
    """Check a proof against the request per RFC 9449 § 4.3 (all but the replay cache, which
    ``remember`` does): one well-formed JWT, ``typ`` dpop+jwt, an asymmetric ``alg``, a public
    ``jwk`` that verifies the signature, ``htm``/``htu`` equal to the request's, ``iat`` within
    ``max_age`` before now (and at most ``skew`` ahead), a ``jti``, and with an access token an
    ``ath`` equal to its hash. Raises InvalidProof naming what is wrong."""
    try:
        compact = jws.extract_compact(proof.encode("ascii"))
        header = compact.headers()
    except (JoseError, ValueError, UnicodeError) as exc:
        raise InvalidProof("DPoP-beviset er ikke en gyldig JWT.") from exc
    if header.get("typ") != PROOF_TYPE:
        raise InvalidProof("DPoP-beviset må ha typ «dpop+jwt».")
    algorithm = header.get("alg")
    if algorithm not in PROOF_ALGORITHMS:
        raise InvalidProof("DPoP-beviset må være signert med en asymmetrisk algoritme.")
    public = header.get("jwk")
    if not isinstance(public, dict) or any(k in public for k in ("d", "p", "q", "k")):
        raise InvalidProof("DPoP-beviset må ha den offentlige nøkkelen i «jwk».")
    try:
        key = JWKRegistry.import_key(public)
        claims = jwt.decode(proof, key, algorithms=[algorithm]).claims
    except (JoseError, ValueError, TypeError) as exc:
        raise InvalidProof("Signaturen på DPoP-beviset stemmer ikke.") from exc
    if claims.get("htm") != method.upper():
        raise InvalidProof("DPoP-beviset gjelder en annen HTTP-metode (htm).")
    if not isinstance(claims.get("htu"), str) or target_uri(claims["htu"]) != target_uri(url):
        raise InvalidProof("DPoP-beviset gjelder en annen adresse (htu).")
    issued_at = claims.get("iat")
    if not isinstance(issued_at, int | float) or isinstance(issued_at, bool):
        raise InvalidProof("DPoP-beviset mangler tidspunkt (iat).")
    moment = now or utcnow()
    age = moment.timestamp() - issued_at
    if age > max_age.total_seconds() or -age > skew.total_seconds():
        raise InvalidProof("DPoP-beviset er for gammelt eller fra fremtiden (iat).")
    jti = claims.get("jti")
    if not isinstance(jti, str) or not 8 <= len(jti) <= 200:
        raise InvalidProof("DPoP-beviset mangler en unik jti.")
    if access_token is not None and claims.get("ath") != access_token_hash(access_token):
        raise InvalidProof("DPoP-beviset gjelder et annet tilgangstoken (ath).")
    nonce = claims.get("nonce")
    return CheckedProof(
        jkt=key.thumbprint(),
        jti=jti,
        iat=datetime.fromtimestamp(issued_at, moment.tzinfo),
        nonce=nonce if isinstance(nonce, str) else None,
    )


def _window_nonce(secret_key: str, window: int) -> str:
    mac = hmac.new(secret_key.encode(), f"dpop-nonce:{window}".encode(), hashlib.sha256)
    return _b64(mac.digest()[:18])


def _window(moment: datetime | None) -> int:
    return int((moment or utcnow()).timestamp()) // NONCE_WINDOW_SECONDS


def server_nonce(secret_key: str, now: datetime | None = None) -> str:
    """The ``DPoP-Nonce`` to hand out now (RFC 9449 § 8.1): 24 base64url characters, the
    HMAC-SHA-256 under ``secret_key`` of the current NONCE_WINDOW_SECONDS window."""
    return _window_nonce(secret_key, _window(now))


def nonce_is_current(nonce: str | None, secret_key: str, now: datetime | None = None) -> bool:
    """Whether ``nonce`` is the server nonce of the current or the previous window (so one
    handed out just before a window ends still works); compared in constant time."""
    if not nonce:
        return False
    window = _window(now)
    return any(
        hmac.compare_digest(nonce, _window_nonce(secret_key, w)) for w in (window, window - 1)
    )


async def remember(proof: CheckedProof, keep_for: timedelta) -> bool:
    """Record the proof's key and jti in the shared replay cache; False when it was already
    there (a replay). Entries live ``keep_for`` past the proof's iat — longer than a proof is
    accepted — and expired ones are removed on the way."""
    now = utcnow()
    digest = hashlib.sha256(f"{proof.jkt}:{proof.jti}".encode()).hexdigest()
    await DpopProofSeen.delete().where(DpopProofSeen.expires_at < now)
    try:
        await DpopProofSeen.insert(
            DpopProofSeen(proof_hash=digest, expires_at=max(proof.iat, now) + keep_for)
        )
    except Exception as error:
        if is_unique_violation(error):
            return False
        raise
    return True
