"""Mail about a change to a session, queued in the outbox inside the change's transaction: to the
enterprise's contacts and the facilitators, or to the coordinators when a session is requested.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from helseiarbeid.company_track.schemas import SessionKind
from helseiarbeid.company_track.tables import (
    EnterpriseContact,
    ProgrammeSession,
    SessionFacilitator,
)
from helseiarbeid.core import outbox
from helseiarbeid.core.errors import NotFound
from helseiarbeid.core.roles import Role
from helseiarbeid.core.tables import User
from helseiarbeid.core.timefmt import format_datetime


@dataclass(frozen=True)
class Notice:
    session_id: int
    what: str
    title: str
    enterprise: str
    starts_at: datetime
    location: str
    reason: str
    recipients: tuple[str, ...]


async def _notice(session_id: int, what: str) -> Notice:
    session = await (
        ProgrammeSession.select(
            *ProgrammeSession.all_columns(),
            ProgrammeSession.programme._.enterprise._.id,
            ProgrammeSession.programme._.enterprise._.name,
        )
        .where(ProgrammeSession.id == session_id)
        .first()
    )
    if session is None:
        raise NotFound("Samlingen finnes ikke.")
    contacts = await EnterpriseContact.select(EnterpriseContact.user.email).where(
        EnterpriseContact.enterprise == session["programme.enterprise.id"]
    )
    facilitators = await SessionFacilitator.select(SessionFacilitator.facilitator.email).where(
        SessionFacilitator.session == session_id
    )
    coordinators = await User.select(User.email).where(
        (User.role == Role.COORDINATOR.value) & (User.is_active == True)  # noqa: E712
    )
    recipients = [c["user.email"] for c in contacts] + [
        f["facilitator.email"] for f in facilitators
    ]
    if what == "requested":
        recipients = [c["email"] for c in coordinators]
    return Notice(
        session_id=session_id,
        what=what,
        title=SessionKind(session["kind"]).label,
        enterprise=session["programme.enterprise.name"],
        starts_at=session["starts_at"],
        location=session["location"],
        reason=session["cancel_reason"],
        recipients=tuple(dict.fromkeys(recipients)),
    )


SUBJECTS = {
    "requested": "Ønske om samling",
    "confirmed": "Bekreftet",
    "rescheduled": "Flyttet",
    "cancelled": "Avlyst",
}


async def _notify(notice: Notice) -> None:
    """Queue the mail about a change of a session; call inside the change's transaction."""
    body = (
        f"{notice.title} for {notice.enterprise}\n"
        f"Tid: {format_datetime(notice.starts_at)}\n"
        f"Sted: {notice.location}\n"
    )
    if notice.what == "cancelled":
        body += f"Samlingen er avlyst. Begrunnelse: {notice.reason}\n"
    body += "\nSe programmet i HelseIArbeid.\n"
    await outbox.enqueue(
        "mail",
        notice.recipients,
        f"HelseIArbeid: {SUBJECTS[notice.what]} – {notice.title}, {notice.enterprise}",
        body,
    )
