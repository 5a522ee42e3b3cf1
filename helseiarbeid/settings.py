"""Typed settings, read once from the environment (prefix ``HELSEIARBEID_``)."""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import secrets
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DATABASE_URL = f"sqlite:///{PROJECT_ROOT / 'var' / 'helseiarbeid.sqlite'}"


def _env(name: str, default: str) -> str:
    return os.environ.get(f"HELSEIARBEID_{name}", default)


def _env_int(name: str, default: int) -> int:
    raw = _env(name, str(default))
    try:
        return int(raw)
    except ValueError as exc:
        raise SettingsError(f"HELSEIARBEID_{name} must be a whole number, got {raw!r}") from exc


def _env_bool(name: str, *, default: bool) -> bool:
    raw = _env(name, "true" if default else "false").strip().lower()
    if raw in {"1", "true", "yes", "on"}:
        return True
    if raw in {"0", "false", "no", "off", ""}:
        return False
    raise SettingsError(f"HELSEIARBEID_{name} must be true or false, got {raw!r}")


class SettingsError(ValueError):
    """A setting in the environment is malformed."""


# How a provider's person is matched to a user (core/oidc_login.py): "helseid" = by the HPR
# number for health personnel, else by national identity; "pid" = by national identity only
# (ID-porten, an organisation's own provider).
MATCH_RULES = ("helseid", "pid")


@dataclass(frozen=True)
class OidcProvider:
    """One OpenID Connect provider people log in with (HELSEIARBEID_OIDC_PROVIDERS).

    ``name`` appears in URLs (/login/oidc/<name>); ``private_jwk`` is the client's private key
    (JWK) for private_key_jwt; ``claims`` names the claims the match rule reads (HelseID's by
    default); a login needs ``security_level_claim`` to equal ``required_security_level``.
    """

    name: str
    display_name: str
    issuer: str
    client_id: str
    private_jwk: dict[str, object]
    scopes: str = "openid profile"
    match: str = "helseid"
    hpr_claim: str = "helseid://claims/hpr/hpr_number"
    hpr_details_claim: str = "helseid://claims/hpr/hpr_details"
    pid_claim: str = "helseid://claims/identity/pid"
    security_level_claim: str = "helseid://claims/identity/security_level"
    required_security_level: str = "4"


def _providers(raw: str) -> tuple[OidcProvider, ...]:
    """Parse HELSEIARBEID_OIDC_PROVIDERS: a JSON list of objects with OidcProvider's fields;
    ``private_jwk_file`` (a path to the JWK) may stand for ``private_jwk``."""
    if not raw.strip():
        return ()
    try:
        items = json.loads(raw)
        providers = []
        for item in items:
            if "private_jwk_file" in item:
                item = dict(item)
                item["private_jwk"] = json.loads(Path(item.pop("private_jwk_file")).read_text())
            provider = OidcProvider(**item)
            if provider.match not in MATCH_RULES or not provider.name.isidentifier():
                raise ValueError(f"bad name or match rule in {provider.name!r}")
            providers.append(provider)
    except (TypeError, ValueError, OSError) as exc:
        raise SettingsError(
            f"HELSEIARBEID_OIDC_PROVIDERS is not a valid provider list: {exc}"
        ) from exc
    return tuple(providers)


@dataclass(frozen=True)
class Settings:
    database_url: str = DEFAULT_DATABASE_URL
    secret_key: str = field(default_factory=lambda: secrets.token_urlsafe(32))
    debug: bool = False
    # Sessions (minutes): idle and absolute lifetime of a login.
    session_idle_minutes: int = 30
    session_absolute_minutes: int = 12 * 60
    # Login throttling: failures within the window before 429.
    login_window_minutes: int = 15
    login_max_failures_per_account: int = 5
    login_max_failures_per_address: int = 20
    # API tokens (days): the longest a token may live; a rotated one keeps working this long.
    api_token_max_days: int = 365
    api_token_rotation_grace_days: int = 7
    # Largest request body accepted, in bytes (referrals are small; 256 KiB is generous).
    max_body_bytes: int = 256 * 1024
    log_level: str = "INFO"
    # Company track: days between modules (so employees can do their tasks), travel time
    # around on-site sessions, and the working day sessions must fit in (Oslo time).
    module_gap_days: int = 7
    travel_buffer_minutes: int = 30
    working_day_start_hour: int = 8
    working_day_end_hour: int = 16
    # The team's internal target for assessing an urgent referral, in working days after
    # receipt (the legal deadline, 10 working days, applies to every referral).
    urgent_assessment_days: int = 3
    # Email notifications; nothing is sent when no host is set.
    smtp_host: str = ""
    smtp_port: int = 25
    mail_from: str = "helseiarbeid@localhost"
    # Seconds between the outbox worker's passes over messages waiting to be sent.
    outbox_poll_seconds: float = 5.0
    # Accept synthetic national IDs from the Tax Administration's test population (Tenor,
    # birth month + 80): on in demo and test environments, off in production.
    accept_synthetic_ids: bool = False
    # The clinic's HER-ids (organisation and its services, national address register):
    # health messages addressed to none of them are rejected (AppRec E21). Comma-separated.
    her_ids: tuple[str, ...] = ()
    # The clinic's name as it signs application receipts.
    clinic_name: str = "HelseIArbeid"
    # OpenID Connect providers for people (empty: local passwords only, as in the demo).
    oidc_providers: tuple[OidcProvider, ...] = ()
    # The key national identities are hashed with (HMAC-SHA-256) before they are stored.
    pid_hash_key: str = ""
    # Roles that may only log in through a provider once one is configured (not by password).
    provider_only_roles: frozenset[str] = frozenset()
    # HelseID access tokens on the JSON API: the issuer ("" = not accepted), our audience and
    # the prefix of our scopes ("nhn:helseiarbeid/" + "referrals.write").
    api_token_issuer: str = ""
    api_audience: str = ""
    api_scope_prefix: str = ""
    # Clock skew allowed on token exp/nbf and on a DPoP proof's iat, and a proof's lifetime.
    token_clock_skew_seconds: int = 30
    dpop_proof_max_age_seconds: int = 60
    # Require a server-issued nonce in every DPoP proof on the API (RFC 9449 § 8).
    dpop_nonce_required: bool = False
    # Norsk Helsenett's message server (REST API "MSH API v2"): its base URL ("" = off, then
    # health messages wait in the outbox and nothing is polled), seconds between polls for
    # unread messages, and the name and version we give it (header nhn-source-system).
    msh_url: str = ""
    msh_poll_seconds: float = 30.0
    msh_source_system: str = "HelseIArbeid, v1"
    # Our HelseID client for the message server: client credentials with a private_key_jwt
    # client assertion (the client's private JWK), a DPoP-bound token for ``msh_scope`` at the
    # resource ``msh_audience``.
    helseid_issuer: str = ""
    helseid_client_id: str = ""
    helseid_private_jwk: dict[str, object] = field(default_factory=dict)
    msh_scope: str = "nhn:msh/api"
    msh_audience: str = "nhn:msh"

    @property
    def message_server_on(self) -> bool:
        """Whether health messages go through the message server: its URL, our HelseID
        client (issuer, client id, key) and at least one HER-id are all set."""
        return bool(
            self.msh_url
            and self.helseid_issuer
            and self.helseid_client_id
            and self.helseid_private_jwk
            and self.her_ids
        )

    def oidc_provider(self, name: str) -> OidcProvider | None:
        return next((p for p in self.oidc_providers if p.name == name), None)


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """Settings from the environment. Cached: tests clear the cache after changing it."""
    secret_key = _env("SECRET_KEY", "") or _stable_dev_secret()
    return Settings(
        database_url=_env("DATABASE_URL", DEFAULT_DATABASE_URL),
        secret_key=secret_key,
        debug=_env("DEBUG", "false").lower() in {"1", "true", "yes"},
        session_idle_minutes=_env_int("SESSION_IDLE_MINUTES", 30),
        session_absolute_minutes=_env_int("SESSION_ABSOLUTE_MINUTES", 12 * 60),
        login_window_minutes=_env_int("LOGIN_WINDOW_MINUTES", 15),
        login_max_failures_per_account=_env_int("LOGIN_MAX_FAILURES_PER_ACCOUNT", 5),
        login_max_failures_per_address=_env_int("LOGIN_MAX_FAILURES_PER_ADDRESS", 20),
        api_token_max_days=_env_int("API_TOKEN_MAX_DAYS", 365),
        api_token_rotation_grace_days=_env_int("API_TOKEN_ROTATION_GRACE_DAYS", 7),
        max_body_bytes=_env_int("MAX_BODY_BYTES", 256 * 1024),
        log_level=_env("LOG_LEVEL", "INFO").upper(),
        module_gap_days=_env_int("MODULE_GAP_DAYS", 7),
        travel_buffer_minutes=_env_int("TRAVEL_BUFFER_MINUTES", 30),
        working_day_start_hour=_env_int("WORKING_DAY_START_HOUR", 8),
        working_day_end_hour=_env_int("WORKING_DAY_END_HOUR", 16),
        urgent_assessment_days=_env_int("URGENT_ASSESSMENT_DAYS", 3),
        smtp_host=_env("SMTP_HOST", ""),
        smtp_port=_env_int("SMTP_PORT", 25),
        mail_from=_env("MAIL_FROM", "helseiarbeid@localhost"),
        outbox_poll_seconds=float(_env("OUTBOX_POLL_SECONDS", "5")),
        accept_synthetic_ids=_env_bool("ACCEPT_SYNTHETIC_IDS", default=False),
        oidc_providers=_providers(_env("OIDC_PROVIDERS", "")),
        pid_hash_key=_env("PID_HASH_KEY", "") or _derived_key(secret_key, "pid-hash"),
        provider_only_roles=frozenset(
            role.strip() for role in _env("PROVIDER_ONLY_ROLES", "").split(",") if role.strip()
        ),
        api_token_issuer=_env("API_TOKEN_ISSUER", ""),
        api_audience=_env("API_AUDIENCE", ""),
        api_scope_prefix=_env("API_SCOPE_PREFIX", "") or _env("API_AUDIENCE", "") + "/",
        token_clock_skew_seconds=_env_int("TOKEN_CLOCK_SKEW_SECONDS", 30),
        dpop_proof_max_age_seconds=_env_int("DPOP_PROOF_MAX_AGE_SECONDS", 60),
        dpop_nonce_required=_env_bool("DPOP_NONCE_REQUIRED", default=False),
        her_ids=tuple(part.strip() for part in _env("HER_IDS", "").split(",") if part.strip()),
        clinic_name=_env("CLINIC_NAME", "HelseIArbeid"),
        msh_url=_env("MSH_URL", "").rstrip("/"),
        msh_poll_seconds=float(_env("MSH_POLL_SECONDS", "30")),
        msh_source_system=_env("MSH_SOURCE_SYSTEM", "HelseIArbeid, v1"),
        helseid_issuer=_env("HELSEID_ISSUER", "").rstrip("/"),
        helseid_client_id=_env("HELSEID_CLIENT_ID", ""),
        helseid_private_jwk=_private_jwk(
            _env("HELSEID_PRIVATE_JWK", ""), _env("HELSEID_PRIVATE_JWK_FILE", "")
        ),
        msh_scope=_env("MSH_SCOPE", "nhn:msh/api"),
        msh_audience=_env("MSH_AUDIENCE", "nhn:msh"),
    )


def _private_jwk(raw: str, path: str) -> dict[str, object]:
    """The HelseID client's private key: HELSEIARBEID_HELSEID_PRIVATE_JWK (the JWK as JSON) or
    HELSEIARBEID_HELSEID_PRIVATE_JWK_FILE (a path to it); empty when neither is set."""
    try:
        if path:
            raw = Path(path).read_text()
        if not raw.strip():
            return {}
        key = json.loads(raw)
    except (OSError, ValueError) as exc:
        raise SettingsError(f"HELSEIARBEID_HELSEID_PRIVATE_JWK is not a JWK: {exc}") from exc
    if not isinstance(key, dict) or "kty" not in key or "d" not in key:
        raise SettingsError("HELSEIARBEID_HELSEID_PRIVATE_JWK must be a private JWK (kty, d)")
    return key


def _derived_key(secret_key: str, purpose: str) -> str:
    """A key for one purpose derived from the secret key (HMAC-SHA-256), when none is set."""
    return hmac.new(secret_key.encode(), purpose.encode(), hashlib.sha256).hexdigest()


def _stable_dev_secret() -> str:
    """A per-checkout secret kept under var/, so a restart does not invalidate CSRF cookies.

    Production sets HELSEIARBEID_SECRET_KEY; this only serves `make run` on a laptop.
    """
    path = PROJECT_ROOT / "var" / "secret_key"
    try:
        return path.read_text().strip()
    except FileNotFoundError:
        path.parent.mkdir(parents=True, exist_ok=True)
        value = secrets.token_urlsafe(32)
        path.write_text(value)
        path.chmod(0o600)
        return value
