"""Password login: throttle first, then check the password, then start a session."""

from __future__ import annotations

from helseiarbeid.core import sessions, throttle
from helseiarbeid.core.errors import InvalidInput
from helseiarbeid.core.users import check_password, has_control_characters, normalise_email


async def log_in(email: str, password: str, address: str) -> tuple[str, int]:
    """Return a new session cookie value and the user's id, or raise InvalidInput /
    TooManyAttempts.

    An address no account can have (control or invisible characters such as NUL, or longer
    than the 254 characters of an e-mail address once normalised) is refused before the
    database is asked: PostgreSQL cannot even store a NUL in the attempt log.
    """
    if has_control_characters(email):
        message = "E-postadressen inneholder ugyldige tegn."
        raise InvalidInput({"email": message}, message=message)
    if len(email) > 254 or len(normalise_email(email)) > 254:
        message = "E-postadressen er for lang."
        raise InvalidInput({"email": message}, message=message)
    attempt = await throttle.reserve_attempt(email, address)
    user = await check_password(email, password)
    await throttle.settle_attempt(attempt, succeeded=user is not None)
    if user is None:
        raise InvalidInput(
            {"password": "Feil e-postadresse eller passord."},
            message="Feil e-postadresse eller passord.",
        )
    return await sessions.start_session(user.id), user.id
