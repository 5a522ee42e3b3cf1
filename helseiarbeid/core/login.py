"""Password login in two steps: throttle, password, then (where due) the second factor, and only
then a session (issue 12 §5).

1. :func:`log_in` checks the password. A user who needs no second factor gets a session at
   once; anyone else gets a *pending login*: a ticket (cookie ``hia_login``, path /login) that
   leads only to the code page, or, for a required role without an authenticator, to the
   enrolment page. A pending login is no session: the authentication middleware never sees
   it, so it reaches nothing but those pages, and it expires after ten minutes.
2. :func:`enter_code` / :func:`confirm_enrolment` check the code (counted by the same
   throttle as the password, per account and address) and end the pending login with
   :func:`complete_login`, which starts a new session: its id is new after the second factor.

Another way of logging in (HelseID at security level 4) calls
``complete_login(user_id, second_factor_done=True)`` directly.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import timedelta

from helseiarbeid.core import sessions, throttle, totp
from helseiarbeid.core.clock import utcnow
from helseiarbeid.core.database import write_transaction
from helseiarbeid.core.errors import InvalidInput, ServiceError
from helseiarbeid.core.tables import PendingLogin, User
from helseiarbeid.core.tokens import digest, new_secret
from helseiarbeid.core.users import check_password, has_control_characters, normalise_email
from helseiarbeid.settings import get_settings

PENDING_COOKIE = "hia_login"
PENDING_PATH = "/login"
PENDING_FOR = timedelta(minutes=10)
WRONG_CODE = "Koden stemmer ikke, eller er allerede brukt. Prøv neste kode fra appen."


class Stage(enum.StrEnum):
    CODE = "code"  # enrolled: asks for a code
    ENROL = "enrol"  # required but not enrolled: set up an authenticator first
    DONE = "done"  # no second factor due: signed in


class SecondFactorMissing(ServiceError):
    """A session was asked for without the second factor the user needs."""

    status_code = 403


@dataclass(frozen=True)
class LoginStep:
    """What a right password led to: a session cookie (``DONE``) or a pending login's ticket."""

    stage: Stage
    cookie: str
    user_id: int


@dataclass(frozen=True)
class Pending:
    """A pending login: whose, where to go after, and the stage it waits in."""

    user_id: int
    email: str
    next_path: str
    stage: Stage
    new_secret: str  # the authenticator being enrolled (ENROL only, else "")


async def second_factor_due(user_id: int, role: str) -> bool:
    """A password login of this user must pass a code: a required role, or anyone enrolled."""
    return totp.required_for(role) or await totp.is_enrolled(user_id)


async def complete_login(
    user_id: int, *, second_factor_done: bool, login_provider: str = ""
) -> str:
    """Start the user's session and return its cookie value. The one way a session starts:
    password login here, and HelseID (``oidc_login``, ``login_provider`` its name, so logging
    out can end the provider's session too).

    ``second_factor_done`` says the user has proved a second factor (a TOTP or recovery code
    here, or an identity provider at high assurance). Without it a user who needs one is
    refused with SecondFactorMissing (403): no path gives a session on the password alone."""
    if not second_factor_done:
        role = await User.select(User.role).where(User.id == user_id).first()
        if role is None or await second_factor_due(user_id, role["role"]):
            raise SecondFactorMissing("Innloggingen krever totrinnsbekreftelse.")
    return await sessions.start_session(user_id, login_provider=login_provider)


def _check_address(email: str) -> None:
    if has_control_characters(email):
        message = "E-postadressen inneholder ugyldige tegn."
        raise InvalidInput({"email": message}, message=message)
    if len(email) > 254 or len(normalise_email(email)) > 254:
        message = "E-postadressen er for lang."
        raise InvalidInput({"email": message}, message=message)


async def log_in(email: str, password: str, address: str, next_path: str = "/") -> LoginStep:
    """Check the password; raise InvalidInput / TooManyAttempts, or return the next step.

    An address no account can have (control or invisible characters such as NUL, or longer
    than the 254 characters of an e-mail address once normalised) is refused before the
    database is asked: PostgreSQL cannot even store a NUL in the attempt log. When an
    OpenID provider is configured, roles in HELSEIARBEID_PROVIDER_ONLY_ROLES are refused here
    (issue 14: clinical roles log in through HelseID; passwords stay for the break-glass admin).
    """
    _check_address(email)
    attempt = await throttle.reserve_attempt(email, address)
    user = await check_password(email, password)
    await throttle.settle_attempt(attempt, succeeded=user is not None)
    if user is None:
        raise InvalidInput(
            {"password": "Feil e-postadresse eller passord."},
            message="Feil e-postadresse eller passord.",
        )
    settings = get_settings()
    if settings.oidc_providers and user.role.value in settings.provider_only_roles:
        names = " eller ".join(provider.display_name for provider in settings.oidc_providers)
        message = f"{user.role.label} logger inn med {names}, ikke med passord."
        raise InvalidInput({"password": message}, message=message)
    if not await second_factor_due(user.id, user.role):
        cookie = await complete_login(user.id, second_factor_done=False)
        return LoginStep(Stage.DONE, cookie, user.id)
    ticket = new_secret()
    await PendingLogin.delete().where(PendingLogin.expires_at <= utcnow())
    await PendingLogin.insert(
        PendingLogin(
            ticket_hash=digest(ticket),
            user=user.id,
            next_path=next_path,
            expires_at=utcnow() + PENDING_FOR,
        )
    )
    stage = Stage.CODE if await totp.is_enrolled(user.id) else Stage.ENROL
    return LoginStep(stage, ticket, user.id)


async def pending(ticket: str | None) -> Pending | None:
    """The live pending login of this ticket, or None (unknown or expired). For an enrolment,
    the new authenticator's secret is made on first sight and kept until it is confirmed."""
    if not ticket:
        return None
    row = await (
        PendingLogin.select(
            PendingLogin.id,
            PendingLogin.user,
            PendingLogin.user.email,
            PendingLogin.next_path,
            PendingLogin.new_secret,
        )
        .where((PendingLogin.ticket_hash == digest(ticket)) & (PendingLogin.expires_at > utcnow()))
        .first()
    )
    if row is None:
        return None
    user_id = int(row["user"])
    stage = Stage.CODE if await totp.is_enrolled(user_id) else Stage.ENROL
    secret = ""
    if stage is Stage.ENROL:
        secret = (totp.unseal(row["new_secret"]) if row["new_secret"] else None) or ""
        if not secret:
            secret = totp.new_secret()
            await PendingLogin.update({PendingLogin.new_secret: totp.seal(secret)}).where(
                PendingLogin.id == row["id"]
            )
    return Pending(user_id, row["user.email"], row["next_path"], stage, secret)


async def _finish(ticket: str, user_id: int) -> str:
    """End the pending login and start the session (a new id: nothing carries over)."""
    async with write_transaction():
        await PendingLogin.delete().where(PendingLogin.ticket_hash == digest(ticket))
    return await complete_login(user_id, second_factor_done=True)


def _wrong_code(message: str = WRONG_CODE) -> InvalidInput:
    return InvalidInput({"code": message}, message=message)


async def enter_code(ticket: str, state: Pending, code: str, address: str) -> str:
    """Check a code (or recovery code) for a pending login at stage CODE; returns the new
    session's cookie value. A wrong code counts as a failed login for the account and address
    (TooManyAttempts after the same limit as passwords); raises InvalidInput on «code»."""
    if not code.strip():
        raise _wrong_code("Skriv inn koden fra autentiseringsappen.")
    attempt = await throttle.reserve_attempt(state.email, address)
    accepted = await totp.verify(state.user_id, code)
    await throttle.settle_attempt(attempt, succeeded=accepted)
    if not accepted:
        raise _wrong_code()
    return await _finish(ticket, state.user_id)


async def confirm_enrolment(
    ticket: str, state: Pending, code: str, address: str
) -> tuple[str, list[str]]:
    """Enrol the pending login's new authenticator with a code from it; returns the session
    cookie value and the recovery codes to show once. Throttled as :func:`enter_code`."""
    if not code.strip():
        raise _wrong_code("Skriv inn koden appen viser etter at du har lagt den til.")
    attempt = await throttle.reserve_attempt(state.email, address)
    try:
        codes = await totp.enrol(state.user_id, state.new_secret, code)
    except InvalidInput:
        await throttle.settle_attempt(attempt, succeeded=False)
        raise
    await throttle.settle_attempt(attempt, succeeded=True)
    return await _finish(ticket, state.user_id), codes
