"""Users as identity providers know them: by HPR number (health personnel, HelseID) or by
national identity, which is stored only as a keyed hash (HMAC-SHA-256 with
HELSEIARBEID_PID_HASH_KEY), never in clear (DOMAIN.md: national IDs never in logs or lookups).
"""

from __future__ import annotations

import hashlib
import hmac

from helseiarbeid.core.clock import utcnow
from helseiarbeid.core.database import is_unique_violation, write_transaction
from helseiarbeid.core.identifiers import IdentifierError, validate_hpr_number
from helseiarbeid.core.roles import Role
from helseiarbeid.core.tables import User
from helseiarbeid.core.users import USER_COLUMNS, CurrentUser
from helseiarbeid.settings import get_settings


def pid_hash(pid: str) -> str:
    """The stored form of a national identity number: hex HMAC-SHA-256 under the pid key."""
    key = get_settings().pid_hash_key.encode()
    return hmac.new(key, pid.strip().encode(), hashlib.sha256).hexdigest()


async def active_user_by_hpr(hpr_number: str) -> CurrentUser | None:
    row = (
        await User.select(*USER_COLUMNS)
        .where((User.hpr_number == hpr_number) & (User.is_active == True))  # noqa: E712
        .first()
    )
    return CurrentUser.from_row(row) if row else None


async def active_user_by_pid(pid: str) -> CurrentUser | None:
    row = (
        await User.select(*USER_COLUMNS)
        .where((User.pid_hash == pid_hash(pid)) & (User.is_active == True))  # noqa: E712
        .first()
    )
    return CurrentUser.from_row(row) if row else None


async def link_pid(user_id: int, pid: str) -> None:
    """Store the user's national identity (hashed), so a provider's login finds them."""
    await User.update({User.pid_hash: pid_hash(pid)}).where(User.id == user_id)


async def gp_for_hpr(hpr_number: str, name: str, pid: str | None = None) -> CurrentUser:
    """The active user with this HPR number, or a new GP account for it (a GP's first login
    through HelseID, or their record system's first call). ``name`` is the provider's.

    Raises IdentifierError for an HPR number of the wrong shape. The new account has no
    password and an address under helseid.example (HelseID gives no e-mail address).
    """
    hpr_number = validate_hpr_number(hpr_number)
    existing = await active_user_by_hpr(hpr_number)
    if existing is not None:
        return existing
    try:
        async with write_transaction():
            await User.insert(
                User(
                    email=f"hpr-{hpr_number}@helseid.example",
                    name=name.strip()[:200] or f"Fastlege (HPR-nummer {hpr_number})",
                    role=Role.GP.value,
                    hpr_number=hpr_number,
                    pid_hash=pid_hash(pid) if pid else None,
                    created_at=utcnow(),
                )
            )
    except Exception as error:
        if not is_unique_violation(error):
            raise
    created = await active_user_by_hpr(hpr_number)
    if created is None:
        raise IdentifierError("Fant ingen aktiv bruker med dette HPR-nummeret.")
    return created
