"""Login throttling: too many failures for one account from one address, or from one address
in all, within a window (settings HELSEIARBEID_LOGIN_MAX_FAILURES_PER_ACCOUNT, _PER_ADDRESS,
HELSEIARBEID_LOGIN_WINDOW_MINUTES).

Counting per account *and address* means nobody can lock a GP out by knowing the e-mail
address: a guesser from elsewhere is stopped without stopping the GP.

A login first *reserves* its attempt — counted as a failure until it succeeds — in a write
transaction that holds one lock while it counts and inserts (an advisory lock on PostgreSQL,
the IMMEDIATE transaction on SQLite). So parallel guesses are counted one after the other and
no more than the limit ever reach the password check (OWASP ASVS 2.2.1).
"""

from __future__ import annotations

from datetime import timedelta

from helseiarbeid.core.clock import utcnow
from helseiarbeid.core.database import insert_row, is_sqlite, write_transaction
from helseiarbeid.core.errors import TooManyAttempts
from helseiarbeid.core.tables import LoginAttempt
from helseiarbeid.core.users import normalise_email
from helseiarbeid.settings import get_settings

# The advisory lock key under which login attempts are counted and reserved (PostgreSQL).
_LOCK_KEY = 0x4C4F47494E  # "LOGIN"


async def reserve_attempt(email: str, address: str) -> int:
    """Count the recent failures and, below the limits, record this attempt as failed until
    :func:`settle_attempt` says otherwise; returns its id.

    Raises TooManyAttempts (429, with Retry-After) before the password is even checked."""
    settings = get_settings()
    since = utcnow() - timedelta(minutes=settings.login_window_minutes)
    failures = (LoginAttempt.succeeded == False) & (LoginAttempt.attempted_at >= since)  # noqa: E712
    account = normalise_email(email)
    async with write_transaction():
        if not is_sqlite():
            await LoginAttempt.raw("SELECT pg_advisory_xact_lock({})", _LOCK_KEY)
        by_account = await LoginAttempt.count().where(
            (LoginAttempt.email == account) & (LoginAttempt.address == address) & failures
        )
        by_address = await LoginAttempt.count().where((LoginAttempt.address == address) & failures)
        if (
            by_account >= settings.login_max_failures_per_account
            or by_address >= settings.login_max_failures_per_address
        ):
            minutes = settings.login_window_minutes
            raise TooManyAttempts(
                f"For mange mislykkede innlogginger. Vent {minutes} minutter og prøv igjen.",
                retry_after_seconds=minutes * 60,
            )
        return await insert_row(
            LoginAttempt,
            {"email": account, "address": address, "succeeded": False, "attempted_at": utcnow()},
        )


async def settle_attempt(attempt_id: int, *, succeeded: bool) -> None:
    """Record how a reserved attempt ended (a failure needs nothing more)."""
    if succeeded:
        await LoginAttempt.update({LoginAttempt.succeeded: True}).where(
            LoginAttempt.id == attempt_id
        )
