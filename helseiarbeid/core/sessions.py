"""Server-side login sessions: 30 minutes idle, 12 hours absolute (configurable)."""

from __future__ import annotations

from datetime import timedelta

from helseiarbeid.core.clock import utcnow
from helseiarbeid.core.tables import UserSession
from helseiarbeid.core.tokens import digest, new_secret
from helseiarbeid.core.users import USER_COLUMNS, CurrentUser
from helseiarbeid.settings import get_settings

SESSION_COOKIE = "hia_session"
# last_seen_at is written at most this often, so an active user does not write on every click.
_TOUCH_INTERVAL = timedelta(minutes=1)


async def start_session(user_id: int, login_provider: str = "") -> str:
    """A new session for the user; returns the cookie value (stored only as a digest).
    ``login_provider`` names the OpenID provider the login came through ("" for a password)."""
    secret = new_secret()
    now = utcnow()
    await UserSession.insert(
        UserSession(
            token_hash=digest(secret),
            user=user_id,
            created_at=now,
            last_seen_at=now,
            login_provider=login_provider,
        )
    )
    return secret


async def user_for_session(secret: str) -> CurrentUser | None:
    """The user of a live session, refreshing its idle timer; None if unknown or expired
    (an expired session is left for ``close_expired``)."""
    settings = get_settings()
    now = utcnow()
    columns = [getattr(UserSession.user, column._meta.name) for column in USER_COLUMNS]
    row = (
        await UserSession.select(
            UserSession.id, UserSession.created_at, UserSession.last_seen_at, *columns
        )
        .where(
            (UserSession.token_hash == digest(secret)) & (UserSession.user.is_active == True)  # noqa: E712
        )
        .first()
    )
    if row is None:
        return None
    idle_limit = row["last_seen_at"] + timedelta(minutes=settings.session_idle_minutes)
    absolute_limit = row["created_at"] + timedelta(minutes=settings.session_absolute_minutes)
    if now >= idle_limit or now >= absolute_limit:
        return None
    if now - row["last_seen_at"] >= _TOUCH_INTERVAL:
        await UserSession.update({UserSession.last_seen_at: now}).where(UserSession.id == row["id"])
    fields = {key.removeprefix("user."): value for key, value in row.items()}
    return CurrentUser.from_row(fields)


async def close_expired(secret: str) -> int | None:
    """Delete a session that ``user_for_session`` refused; returns whose it was (None if there
    was no such session), so a form posted just after it expired can be kept for that user."""
    rows = (
        await UserSession.delete()
        .where(UserSession.token_hash == digest(secret))
        .returning(UserSession.user)
    )
    return int(rows[0]["user"]) if rows else None


async def end_session(secret: str) -> str:
    """Delete the session; returns the provider its login came through ("" if none)."""
    rows = (
        await UserSession.delete()
        .where(UserSession.token_hash == digest(secret))
        .returning(UserSession.login_provider)
    )
    return str(rows[0]["login_provider"]) if rows else ""
