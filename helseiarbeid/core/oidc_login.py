"""Logging people in through an OpenID Connect provider (HelseID first): authorization code
flow with PKCE (RFC 7636, S256), ``state`` and ``nonce``, ``private_key_jwt`` client
authentication, and the ID token validated against the provider's discovery document and
JWKS (OpenID Connect Core 1.0 § 3.1.3.7).

    begin(provider, next)   -> (authorization URL, flow cookie value)
    finish(provider, flow cookie, code, state) -> (session cookie value, user id)
    logout_url(provider, base URL) -> the provider's end-session URL, if it offers one

Who may log in (issue 14): ``security_level`` must be the provider's required level (4 for
HelseID); with the "helseid" rule, a person with an HPR number is the active user with that
number, and a doctor (``hpr_details`` lists an approval as «LE») with an unknown HPR number
gets a GP account; anyone else is matched by
national identity (stored hashed, core/external_identity.py) and must have been created by an
admin first. Every login and refusal is written to the access log.

A provider login stands on its own: it is not asked for a password's second factor (the
provider's level-4 login is already two-factor).
"""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
from datetime import timedelta
from typing import Any
from urllib.parse import urlencode

from helseiarbeid.core import audit, login
from helseiarbeid.core.audit import Actor, AuditAction
from helseiarbeid.core.clock import utcnow
from helseiarbeid.core.database import write_transaction
from helseiarbeid.core.external_identity import active_user_by_hpr, active_user_by_pid, gp_for_hpr
from helseiarbeid.core.identifiers import IdentifierError
from helseiarbeid.core.oidc import (
    ProviderUnavailable,
    TokenError,
    discover,
    token_request,
    verify_jwt,
)
from helseiarbeid.core.tables import OidcLoginState
from helseiarbeid.core.tokens import digest
from helseiarbeid.core.users import CurrentUser
from helseiarbeid.settings import OidcProvider, get_settings

FLOW_COOKIE = "hia_oidc_flow"
FLOW_LIFETIME = timedelta(minutes=10)
CALLBACK_PATH = "/login/oidc/{name}/callback"
AUDIT_CLIENT = "oidc"
# The Health Personnel Register's profession code for a doctor (lege; HPR's kodeverk
# «Kategori helsepersonell», 9060): only doctors get a GP account on their first login.
DOCTOR = "LE"


class LoginRefused(Exception):
    """The provider's login cannot give a session here. ``message`` is Norwegian, for the
    person; ``status`` the HTTP status of the page that says so."""

    def __init__(self, message: str, status: int = 403) -> None:
        super().__init__(message)
        self.message = message
        self.status = status


def callback_url(base_url: str, provider: OidcProvider) -> str:
    return base_url.rstrip("/") + CALLBACK_PATH.format(name=provider.name)


def _challenge(verifier: str) -> str:
    return (
        base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    )


async def begin(provider: OidcProvider, base_url: str, next_path: str) -> tuple[str, str]:
    """Start a login: store state, nonce and PKCE verifier under a new flow cookie; return the
    provider's authorization URL and the cookie value. Raises ProviderUnavailable."""
    metadata = await discover(provider.issuer)
    flow, state, nonce = (secrets.token_urlsafe(32) for _ in range(3))
    verifier = secrets.token_urlsafe(64)
    now = utcnow()
    async with write_transaction():
        await OidcLoginState.delete().where(OidcLoginState.expires_at < now)
        await OidcLoginState.insert(
            OidcLoginState(
                flow_hash=digest(flow),
                provider=provider.name,
                state=state,
                nonce=nonce,
                code_verifier=verifier,
                next_path=next_path,
                expires_at=now + FLOW_LIFETIME,
            )
        )
    query = urlencode(
        {
            "response_type": "code",
            "client_id": provider.client_id,
            "redirect_uri": callback_url(base_url, provider),
            "scope": provider.scopes,
            "state": state,
            "nonce": nonce,
            "code_challenge": _challenge(verifier),
            "code_challenge_method": "S256",
        }
    )
    return f"{metadata.authorization_endpoint}?{query}", flow


async def _take_flow(flow: str | None, provider: OidcProvider, state: str) -> dict[str, Any]:
    """The stored login under way for this browser, deleted as it is read (used once)."""
    if not flow:
        raise LoginRefused("Innloggingen ble ikke startet i denne nettleseren. Prøv igjen.", 400)
    rows = (
        await OidcLoginState.delete()
        .where(
            (OidcLoginState.flow_hash == digest(flow)) & (OidcLoginState.provider == provider.name)
        )
        .returning(
            OidcLoginState.state,
            OidcLoginState.nonce,
            OidcLoginState.code_verifier,
            OidcLoginState.next_path,
            OidcLoginState.expires_at,
        )
    )
    if not rows or rows[0]["expires_at"] <= utcnow():
        raise LoginRefused(
            "Innloggingen tok for lang tid eller er allerede brukt. Prøv igjen.", 400
        )
    if not secrets.compare_digest(rows[0]["state"], state):
        raise LoginRefused(
            "Svaret fra innloggingstjenesten hører ikke til denne innloggingen.", 400
        )
    return dict(rows[0])


def is_doctor(details: object) -> bool:
    """Whether HelseID's ``hpr_details`` claim lists an approval as a doctor. Its shape:
    ``{"hpr_number": 1234567, "approvals": [{"profession": "LE", "authorization": {"value",
    "description"}, "requisition_rights": [...], "specialities": [...]}]}``, as an object or
    as that object's JSON text; anything else is no approval."""
    if isinstance(details, str):
        try:
            details = json.loads(details)
        except ValueError:
            return False
    approvals = details.get("approvals") if isinstance(details, dict) else None
    return isinstance(approvals, list) and any(
        isinstance(approval, dict) and approval.get("profession") == DOCTOR
        for approval in approvals
    )


async def _person(provider: OidcProvider, claims: dict[str, Any]) -> CurrentUser:
    """The user the ID token's claims name, by the provider's match rule (see module doc)."""
    level = str(claims.get(provider.security_level_claim, ""))
    if level != provider.required_security_level:
        raise LoginRefused(
            f"Du logget inn med sikkerhetsnivå {level or 'ukjent'}. Tjenesten krever "
            f"sikkerhetsnivå {provider.required_security_level}: logg inn med BankID eller "
            "Buypass."
        )
    pid = claims.get(provider.pid_claim)
    hpr = claims.get(provider.hpr_claim) if provider.match == "helseid" else None
    if hpr:
        user = await active_user_by_hpr(str(hpr))
        if user is not None:
            return user
    if pid:
        user = await active_user_by_pid(str(pid))
        if user is not None:
            return user
    if hpr:
        # The team's clinicians are created by an admin, so an HPR number nobody has is a GP's
        # first visit: a doctor gets a GP account, other health personnel need an admin.
        if not is_doctor(claims.get(provider.hpr_details_claim)):
            raise LoginRefused(
                "HPR-nummeret ditt er ikke registrert som lege, og bare fastleger får bruker "
                "ved første innlogging. Be administratoren i teamet om å opprette en bruker."
            )
        try:
            return await gp_for_hpr(str(hpr), str(claims.get("name", "")), str(pid or "") or None)
        except IdentifierError as exc:
            raise LoginRefused(exc.args[0]) from exc
    raise LoginRefused(
        "Du har ingen bruker i HelseIArbeid. Be administratoren i teamet om å opprette en."
    )


async def finish(
    provider: OidcProvider, base_url: str, flow: str | None, code: str, state: str
) -> tuple[str, int, str]:
    """Complete a login: check the flow and state, exchange the code (private_key_jwt, PKCE
    verifier), validate the ID token (signature from JWKS, iss, aud = client id, exp, nonce),
    match the person and start a session. Returns the session cookie value, the user id and
    the page to go to. Raises LoginRefused (logged) or ProviderUnavailable."""
    stored = await _take_flow(flow, provider, state)
    try:
        answer = await token_request(
            provider.issuer,
            provider.client_id,
            provider.private_jwk,
            {
                "grant_type": "authorization_code",
                "code": code,
                "redirect_uri": callback_url(base_url, provider),
                "code_verifier": stored["code_verifier"],
            },
        )
        id_token = answer.get("id_token")
        if not isinstance(id_token, str):
            raise TokenError("Innloggingstjenesten sendte ikke et ID-token.")
        _, claims = await verify_jwt(
            id_token,
            issuer=provider.issuer,
            audience=provider.client_id,
            skew=timedelta(seconds=get_settings().token_clock_skew_seconds),
        )
    except TokenError as exc:
        await _log_refusal(None, provider)
        raise LoginRefused(f"Innloggingen kunne ikke bekreftes: {exc.message}", 400) from exc
    if not secrets.compare_digest(str(claims.get("nonce", "")), stored["nonce"]):
        await _log_refusal(None, provider)
        raise LoginRefused(
            "Svaret fra innloggingstjenesten hører ikke til denne innloggingen.", 400
        )
    try:
        user = await _person(provider, claims)
    except LoginRefused:
        await _log_refusal(None, provider)
        raise
    # HelseID at security level 4 is two factors (the BankID or Buypass it asked for).
    cookie = await login.complete_login(
        user.id, second_factor_done=True, login_provider=provider.name
    )
    async with write_transaction():
        await audit.record(
            Actor(user.id, user.role.value, AUDIT_CLIENT),
            AuditAction.CREATE,
            "login",
            provider.name,
            purpose=f"Innlogging gjennom {provider.display_name}",
        )
    return cookie, user.id, str(stored["next_path"])


async def _log_refusal(user: CurrentUser | None, provider: OidcProvider) -> None:
    actor = (
        Actor(user.id, user.role.value, AUDIT_CLIENT)
        if user
        else Actor(None, "anonymous", AUDIT_CLIENT)
    )
    async with write_transaction():
        await audit.record(
            actor,
            AuditAction.REFUSED,
            "login",
            provider.name,
            purpose=f"Innlogging gjennom {provider.display_name} avvist",
        )


async def logout_url(provider: OidcProvider, base_url: str) -> str | None:
    """The provider's end-session URL (OpenID Connect RP-Initiated Logout 1.0) with our
    client id and the login page to come back to; None when the provider offers none or
    cannot be reached (the local session is ended either way)."""
    try:
        metadata = await discover(provider.issuer)
    except ProviderUnavailable:
        return None
    if not metadata.end_session_endpoint:
        return None
    query = urlencode(
        {
            "client_id": provider.client_id,
            "post_logout_redirect_uri": base_url.rstrip("/") + "/login?logged_out=1",
        }
    )
    return f"{metadata.end_session_endpoint}?{query}"
