"""Password login: throttle first, then check the password, then start a session."""

from __future__ import annotations

from helseiarbeid.core import sessions, throttle
from helseiarbeid.core.errors import InvalidInput
from helseiarbeid.core.users import check_password, has_control_characters, normalise_email
from helseiarbeid.settings import get_settings


async def log_in(email: str, password: str, address: str) -> tuple[str, int]:
    """Return a new session cookie value and the user's id, or raise InvalidInput /
    TooManyAttempts.

    An address no account can have (control or invisible characters such as NUL, or longer
    than the 254 characters of an e-mail address once normalised) is refused before the
    database is asked: PostgreSQL cannot even store a NUL in the attempt log. When an
    OpenID provider is configured, roles in HELSEIARBEID_PROVIDER_ONLY_ROLES are refused here
    (issue 14: clinical roles log in through HelseID; passwords stay for the break-glass admin).
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
    settings = get_settings()
    if settings.oidc_providers and user.role.value in settings.provider_only_roles:
        names = " eller ".join(provider.display_name for provider in settings.oidc_providers)
        message = f"{user.role.label} logger inn med {names}, ikke med passord."
        raise InvalidInput({"password": message}, message=message)
    return await sessions.start_session(user.id), user.id
