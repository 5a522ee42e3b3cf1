"""A form posted after its user's session expired is not lost: it is kept on the server for a
few minutes and given back, filled in, to the same user after the new login (issue 10, item 13).

The browser gets a random ticket in an HttpOnly cookie (never in a URL); the table keeps only
the ticket's SHA-256, the user whose session expired, the page the form was on, and the posted
fields. A kept form is single use: it is deleted when it is given back, when another user logs
in with the ticket, and once it expires (every keep, login and take sweeps expired rows). The
posted text is never logged.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

import msgspec

from helseiarbeid.core.clock import utcnow
from helseiarbeid.core.tables import KeptForm
from helseiarbeid.core.tokens import digest, new_secret

KEPT_FORM_COOKIE = "hia_kept_form"
KEEP_FOR = timedelta(minutes=10)
# Fields that belong to the old page view or must never be stored, not to what the user wrote.
_NOT_KEPT = frozenset({"_csrf_token", "password"})
# Posts that are not page forms worth keeping (the login's steps, logging out, staying
# signed in).
NOT_KEPT_PATHS = frozenset({"/login", "/login/kode", "/login/totrinn", "/logout", "/okt/forleng"})


async def _sweep() -> None:
    await KeptForm.delete().where(KeptForm.expires_at <= utcnow())


@dataclass(frozen=True)
class Kept:
    """A form given back: where it was posted, and its fields (a field posted more than once
    keeps its last value)."""

    action: str
    fields: dict[str, str]

    @property
    def section(self) -> str:
        """The form's part of its page: the last segment of its action, as the case and
        programme pages name their forms ("/klinikk/henvisninger/7/triasje" -> "triasje")."""
        return self.action.rsplit("/", 1)[-1]


async def keep(user_id: int, path: str, action: str, fields: list[tuple[str, str]]) -> str:
    """Keep a posted form for the user whose session expired; returns the cookie's ticket.

    ``path`` is the page to give it back on, ``action`` where it was posted; a newer kept form
    replaces the user's older one.
    """
    await _sweep()
    await KeptForm.delete().where(KeptForm.user == user_id)
    ticket = new_secret()
    kept = [[name, value] for name, value in fields if name not in _NOT_KEPT]
    await KeptForm.insert(
        KeptForm(
            ticket_hash=digest(ticket),
            user=user_id,
            path=path,
            action=action,
            fields=msgspec.json.encode(kept).decode(),
            expires_at=utcnow() + KEEP_FOR,
        )
    )
    return ticket


async def page_after_login(ticket: str | None, user_id: int) -> str | None:
    """The page of the form kept under this ticket if it is this user's, with the form's
    section as fragment when the page holds several forms ("/klinikk/henvisninger/7#triasje");
    a form kept for someone else is deleted on the spot, so another user can never get it."""
    if not ticket:
        return None
    await _sweep()
    row = await (
        KeptForm.select(KeptForm.user, KeptForm.path, KeptForm.action)
        .where(KeptForm.ticket_hash == digest(ticket))
        .first()
    )
    if row is None:
        return None
    if row["user"] != user_id:
        await KeptForm.delete().where(KeptForm.ticket_hash == digest(ticket))
        return None
    page = str(row["path"])
    return page if row["action"] == page else f"{page}#{row['action'].rsplit('/', 1)[-1]}"


async def take(ticket: str | None, user_id: int, path: str) -> Kept | None:
    """The form kept for this user on this page, removing it (single use); None if none."""
    if not ticket:
        return None
    await _sweep()
    rows = (
        await KeptForm.delete()
        .where(
            (KeptForm.ticket_hash == digest(ticket))
            & (KeptForm.user == user_id)
            & (KeptForm.path == path)
        )
        .returning(KeptForm.action, KeptForm.fields)
    )
    if not rows:
        return None
    fields = {name: value for name, value in msgspec.json.decode(rows[0]["fields"])}
    return Kept(action=rows[0]["action"], fields=fields)
