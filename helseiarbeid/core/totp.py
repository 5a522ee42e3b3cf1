"""The second factor: time-based one-time codes (TOTP, RFC 6238) and single-use recovery codes.

Who needs one (issue 12 §5; Normen's demand for strong authentication to health data): the
clinic's staff and the administrator — coordinator, psychologist, physician, NAV counsellor,
admin — when they log in with a local password. A GP or an enterprise contact is not asked
unless an authenticator is enrolled for them. (A login through HelseID at security level 4
is strong on its own: see ``login.complete_login``.)

Codes: 6 digits, 30-second steps, SHA-1 (what every authenticator app does by default); the
step before and after now are accepted for clock drift, and a code of a step at or before the
last accepted one is refused, so a code seen over someone's shoulder cannot be used again.

Secrets are stored encrypted (AES-256-GCM, key derived from HELSEIARBEID_SECRET_KEY by
HMAC-SHA-256): a copy of the database alone does not give the codes. Changing the secret key
therefore makes every enrolled authenticator unreadable: the administrator resets them and
their users enrol again. Recovery codes: ten per enrolment, 60 random bits each, shown once,
stored as SHA-256 digests, each usable once.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime

import pyotp
import segno
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from markupsafe import escape

from helseiarbeid.core import audit
from helseiarbeid.core.audit import Actor, AuditAction
from helseiarbeid.core.clock import utcnow
from helseiarbeid.core.database import write_transaction
from helseiarbeid.core.errors import InvalidInput, NotFound
from helseiarbeid.core.roles import Role
from helseiarbeid.core.tables import PendingLogin, RecoveryCode, SecondFactor, User
from helseiarbeid.core.tokens import digest
from helseiarbeid.core.users import normalise_email
from helseiarbeid.settings import get_settings

REQUIRED_ROLES = frozenset(
    {
        Role.COORDINATOR,
        Role.PSYCHOLOGIST,
        Role.PHYSICIAN,
        Role.NAV_COUNSELLOR,
        Role.ADMIN,
        Role.STATISTICS,
    }
)
ISSUER = "HelseIArbeid"
STEP_SECONDS = 30
RECOVERY_CODES = 10
_RECOVERY_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"  # no 0/o, 1/l/i to misread
_RECOVERY_LENGTH = 12  # 12 characters of 31: about 59 bits
_KEY_LABEL = b"helseiarbeid second factor secrets v1"
_DEMO_LABEL = "helseiarbeid demo authenticator:"


def required_for(role: Role | str) -> bool:
    """Whether a password login in this role must pass a second factor."""
    return Role(role) in REQUIRED_ROLES


# --- secrets at rest ---------------------------------------------------------------------------


def _cipher() -> AESGCM:
    key = hmac.new(get_settings().secret_key.encode(), _KEY_LABEL, hashlib.sha256).digest()
    return AESGCM(key)


def seal(secret: str) -> str:
    """The base32 secret encrypted for storage: base64(nonce ‖ ciphertext ‖ tag)."""
    nonce = secrets.token_bytes(12)
    return base64.b64encode(nonce + _cipher().encrypt(nonce, secret.encode(), None)).decode()


def unseal(stored: str) -> str | None:
    """The secret back; None when it was sealed under another secret key (or altered)."""
    raw = base64.b64decode(stored)
    try:
        return _cipher().decrypt(raw[:12], raw[12:], None).decode()
    except InvalidTag:
        return None


# --- codes -------------------------------------------------------------------------------------


def new_secret() -> str:
    """A fresh 160-bit base32 secret (RFC 4226's recommended length)."""
    return pyotp.random_base32(32)


def demo_secret(email: str) -> str:
    """The fixed, published secret of a demo account: the same on every demo database, so the
    README and ``helseiarbeid totp-code`` can give its codes."""
    seed = hashlib.sha256((_DEMO_LABEL + normalise_email(email)).encode()).digest()[:20]
    return base64.b32encode(seed).decode()


def _step(moment: datetime) -> int:
    return int(moment.timestamp()) // STEP_SECONDS


def _matching_step(secret: str, code: str, now: datetime) -> int | None:
    """The time step (now ±1) whose code this is, or None."""
    totp = pyotp.TOTP(secret, interval=STEP_SECONDS)
    current = _step(now)
    for step in (current, current - 1, current + 1):
        if hmac.compare_digest(totp.generate_otp(step), code):
            return step
    return None


def _clean_code(code: str) -> str:
    return "".join(code.split()).replace("-", "").lower()


def provisioning_uri(secret: str, email: str) -> str:
    """The otpauth:// URI an authenticator app reads from the QR code (Key Uri Format)."""
    return pyotp.TOTP(secret, interval=STEP_SECONDS).provisioning_uri(
        name=normalise_email(email), issuer_name=ISSUER
    )


def qr_svg(uri: str, label: str) -> str:
    """The URI as an inline SVG QR code (no script, no data: URI), with ``label`` (escaped
    here) as its accessible name: markup for the page as it is."""
    svg = segno.make(uri, error="m").svg_inline(scale=5, border=4, dark="#000", light="#fff")
    return svg.replace("<svg ", f'<svg role="img" aria-label="{escape(label)}" ', 1)


def grouped(secret: str) -> str:
    """The secret in groups of four, for typing it into an app by hand."""
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


# --- enrolment and checks ----------------------------------------------------------------------


async def is_enrolled(user_id: int) -> bool:
    return await SecondFactor.exists().where(SecondFactor.user == user_id)


async def has_demo_authenticator(user_id: int) -> bool:
    """Whether the user's authenticator is a demo account's published one (``enrol_demo``)."""
    return await SecondFactor.exists().where(
        (SecondFactor.user == user_id) & (SecondFactor.demo == True)  # noqa: E712
    )


async def enrolled_users() -> set[int]:
    """Ids of the users with an authenticator (the administrator's user list)."""
    return {row["user"] for row in await SecondFactor.select(SecondFactor.user)}


def _new_recovery_code() -> str:
    chars = "".join(secrets.choice(_RECOVERY_ALPHABET) for _ in range(_RECOVERY_LENGTH))
    return "-".join(chars[i : i + 4] for i in range(0, _RECOVERY_LENGTH, 4))


async def _store(user_id: int, secret: str, *, step: int | None, demo: bool) -> list[str]:
    """Replace the user's authenticator and recovery codes (inside the caller's transaction)."""
    await SecondFactor.delete().where(SecondFactor.user == user_id)
    await RecoveryCode.delete().where(RecoveryCode.user == user_id)
    await SecondFactor.insert(
        SecondFactor(
            user=user_id, secret=seal(secret), enrolled_at=utcnow(), last_used_step=step, demo=demo
        )
    )
    codes = [] if demo else [_new_recovery_code() for _ in range(RECOVERY_CODES)]
    if codes:
        await RecoveryCode.insert(
            *[RecoveryCode(user=user_id, code_hash=digest(_clean_code(c))) for c in codes]
        )
    return codes


async def enrol(user_id: int, secret: str, code: str) -> list[str]:
    """Enrol the authenticator holding ``secret`` once it shows a right ``code``; returns the
    new recovery codes (to show once). Raises InvalidInput naming the field «code»."""
    step = _matching_step(secret, _clean_code(code), utcnow())
    if step is None:
        message = "Koden stemmer ikke. Skriv inn de seks sifrene appen viser nå."
        raise InvalidInput({"code": message}, message=message)
    async with write_transaction():
        return await _store(user_id, secret, step=step, demo=False)


async def enrol_demo(user_id: int, email: str) -> None:
    """Enrol the account's published demo secret (seed-demo and the tests' cast only)."""
    async with write_transaction():
        await _store(user_id, demo_secret(email), step=None, demo=True)


async def verify(user_id: int, code: str) -> bool:
    """Whether ``code`` is a fresh code of the user's authenticator or an unused recovery code;
    a code accepted here is spent (atomically: of two requests with the same code, one wins)."""
    cleaned = _clean_code(code)
    if len(cleaned) == 6 and cleaned.isdigit():
        row = await SecondFactor.select(SecondFactor.secret).where(SecondFactor.user == user_id)
        secret = unseal(row[0]["secret"]) if row else None
        step = _matching_step(secret, cleaned, utcnow()) if secret else None
        if step is None:
            return False
        spent = (
            await SecondFactor.update({SecondFactor.last_used_step: step})
            .where(
                (SecondFactor.user == user_id)
                & (SecondFactor.last_used_step.is_null() | (SecondFactor.last_used_step < step))
            )
            .returning(SecondFactor.id)
        )
        return bool(spent)
    used = (
        await RecoveryCode.update({RecoveryCode.used_at: utcnow()})
        .where(
            (RecoveryCode.user == user_id)
            & (RecoveryCode.code_hash == digest(cleaned))
            & RecoveryCode.used_at.is_null()
        )
        .returning(RecoveryCode.id)
    )
    return bool(used)


async def recovery_codes_left(user_id: int) -> int:
    return int(
        await RecoveryCode.count().where(
            (RecoveryCode.user == user_id) & RecoveryCode.used_at.is_null()
        )
    )


async def reset(user_id: int, actor: Actor) -> None:
    """The administrator removes a user's authenticator and recovery codes (a lost phone); the
    user enrols a new one at the next login. Audited. Raises NotFound for an unknown user."""
    async with write_transaction():
        if not await User.exists().where(User.id == user_id):
            raise NotFound(f"Fant ingen bruker med id {user_id}.")
        await SecondFactor.delete().where(SecondFactor.user == user_id)
        await RecoveryCode.delete().where(RecoveryCode.user == user_id)
        await PendingLogin.delete().where(PendingLogin.user == user_id)
        await audit.record(
            actor,
            AuditAction.UPDATE,
            "second_factor",
            user_id,
            purpose="Totrinnsinnlogging nullstilt av administrator",
        )


@dataclass(frozen=True)
class DemoCode:
    code: str
    seconds_left: int  # how long it stays valid, at least


async def demo_code(email: str) -> DemoCode:
    """The next code a demo account will accept (``helseiarbeid totp-code``).

    Only for an account enrolled with its published demo secret, and only where demo data is
    allowed (HELSEIARBEID_ACCEPT_SYNTHETIC_IDS): anything else raises NotFound, so the command
    can never print a real user's code. When this and the next step's codes are spent, waits
    for the next step (at most 30 seconds)."""
    if not get_settings().accept_synthetic_ids:
        raise NotFound("Koder skrives bare ut i demo- og testmiljø (ACCEPT_SYNTHETIC_IDS).")
    row = await (
        SecondFactor.select(SecondFactor.secret, SecondFactor.last_used_step)
        .where(
            (SecondFactor.user.email == normalise_email(email)) & (SecondFactor.demo == True)  # noqa: E712
        )
        .first()
    )
    secret = unseal(row["secret"]) if row else None
    if row is None or secret is None:
        raise NotFound(f"{email} er ingen demokonto med demo-autentisering.")
    now = utcnow().timestamp()
    current = int(now) // STEP_SECONDS
    step = max(current, (row["last_used_step"] or 0) + 1)
    if step > current + 1:
        await asyncio.sleep((current + 1) * STEP_SECONDS - now + 0.05)
    left = (step + 2) * STEP_SECONDS - int(utcnow().timestamp())
    return DemoCode(pyotp.TOTP(secret, interval=STEP_SECONDS).generate_otp(step), left)
