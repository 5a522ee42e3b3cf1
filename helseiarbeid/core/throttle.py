"""Login throttling: too many failures for one account or from one address within a window."""

from __future__ import annotations

from datetime import timedelta

from helseiarbeid.core.clock import utcnow
from helseiarbeid.core.errors import TooManyAttempts
from helseiarbeid.core.tables import LoginAttempt
from helseiarbeid.core.users import normalise_email
from helseiarbeid.settings import get_settings


async def check_allowed(email: str, address: str) -> None:
    """Raise TooManyAttempts before the password is even checked."""
    settings = get_settings()
    window = timedelta(minutes=settings.login_window_minutes)
    since = utcnow() - window
    failures = LoginAttempt.succeeded == False  # noqa: E712
    recent = LoginAttempt.attempted_at >= since
    by_account = await LoginAttempt.count().where(
        (LoginAttempt.email == normalise_email(email)) & failures & recent
    )
    by_address = await LoginAttempt.count().where(
        (LoginAttempt.address == address) & failures & recent
    )
    if (
        by_account >= settings.login_max_failures_per_account
        or by_address >= settings.login_max_failures_per_address
    ):
        minutes = settings.login_window_minutes
        raise TooManyAttempts(
            f"For mange mislykkede innlogginger. Vent {minutes} minutter og prøv igjen.",
            retry_after_seconds=minutes * 60,
        )


async def note_attempt(email: str, address: str, *, succeeded: bool) -> None:
    await LoginAttempt.insert(
        LoginAttempt(
            email=normalise_email(email),
            address=address,
            succeeded=succeeded,
            attempted_at=utcnow(),
        )
    )
