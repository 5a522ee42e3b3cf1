"""The company track's sessions as calendar items for the feeds and single-event downloads: who
attends, what the session is, and whether it is tentative, confirmed or cancelled. No individual
data.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from helseiarbeid.company_track.schemas import SessionKind
from helseiarbeid.company_track.services.programmes import _ends, _facilitator_names
from helseiarbeid.company_track.services.session_rules import session_row
from helseiarbeid.company_track.tables import ProgrammeSession, SessionFacilitator
from helseiarbeid.core.clock import utcnow
from helseiarbeid.core.errors import NotFound
from helseiarbeid.core.ical import CANCELLED_KEPT, FEED_PAST, CalendarItem
from helseiarbeid.core.users import CurrentUser

WHO_ATTENDS = {
    SessionKind.ANCHORING: "Ledelsen, tillitsvalgte og verneombud.",
    SessionKind.MODULE_1: "Alle ansatte.",
    SessionKind.MODULE_2: "Alle ansatte.",
    SessionKind.MODULE_3: "Alle ansatte.",
    SessionKind.EVALUATION: "Ledelsen, tillitsvalgte og verneombud.",
}
WHAT_IT_IS = {
    SessionKind.ANCHORING: "Forankringsmøte i HelseIArbeid: vi avtaler leveranser og konkrete "
    "resultatmål for virksomheten.",
    SessionKind.MODULE_1: "Modul 1 (1,5 timer): kunnskap om muskel- og skjelettplager, avsluttet "
    "med en IA-prosess og oppgaver til neste modul.",
    SessionKind.MODULE_2: "Modul 2 (1,5 timer): psykisk helse på jobb, avsluttet med en IA-prosess "
    "og oppgaver til neste modul.",
    SessionKind.MODULE_3: "Modul 3 (1,5 timer): smertemestring og arbeidsmiljø, avsluttet med en "
    "IA-prosess.",
    SessionKind.EVALUATION: "Evalueringsmøte i HelseIArbeid: vi ser på resultatmålene og "
    "planlegger videre arbeid.",
}
ICAL_STATUS = {"requested": "TENTATIVE", "confirmed": "CONFIRMED", "cancelled": "CANCELLED"}


def _calendar_condition(
    enterprise_id: int | None,
    facilitator_id: int | None,
    session_id: int | None,
    region_ids: frozenset[int] | None = None,
) -> Any:
    """Which sessions a calendar holds (``region_ids``: only those of enterprises in these NAV
    regions). Cancelled sessions stay for 30 days so that subscribed calendars remove them."""
    now = utcnow()
    condition: Any = (ProgrammeSession.starts_at >= now - FEED_PAST) & (
        ProgrammeSession.cancelled_at.is_null()
        | (ProgrammeSession.cancelled_at >= now - CANCELLED_KEPT)
    )
    if session_id is not None:
        condition = ProgrammeSession.id == session_id
    if enterprise_id is not None:
        condition &= ProgrammeSession.programme._.enterprise == enterprise_id
    if facilitator_id is not None:
        facilitated = SessionFacilitator.select(SessionFacilitator.session).where(
            SessionFacilitator.facilitator == facilitator_id
        )
        condition &= ProgrammeSession.id.is_in(facilitated)
    if region_ids is not None:
        condition &= ProgrammeSession.programme._.enterprise._.region.is_in(
            sorted(region_ids) or [0]
        )
    return condition


async def calendar_changed_since(
    since: datetime,
    *,
    enterprise_id: int | None = None,
    facilitator_id: int | None = None,
    region_ids: frozenset[int] | None = None,
) -> bool:
    """Whether a session of ``calendar_items`` with this filter has changed (or been added, or
    given this facilitator) since then: every such write moves ``updated_at``."""
    condition = _calendar_condition(enterprise_id, facilitator_id, None, region_ids)
    changed: bool = await ProgrammeSession.exists().where(
        condition & (ProgrammeSession.updated_at > since)
    )
    return changed


async def calendar_items(
    *,
    enterprise_id: int | None = None,
    facilitator_id: int | None = None,
    session_id: int | None = None,
    region_ids: frozenset[int] | None = None,
    base_url: str,
) -> list[CalendarItem]:
    """Sessions for a calendar: an enterprise's, a facilitator's, those of enterprises in
    ``region_ids``, or (no filter) all of them."""
    condition = _calendar_condition(enterprise_id, facilitator_id, session_id, region_ids)
    rows = await ProgrammeSession.select(
        *ProgrammeSession.all_columns(), ProgrammeSession.programme._.enterprise._.name
    ).where(condition)
    names = await _facilitator_names(ProgrammeSession.select(ProgrammeSession.id).where(condition))
    items = []
    for row in rows:
        kind = SessionKind(row["kind"])
        facilitators = ", ".join(sorted(names.get(row["id"], []))) or "ikke satt ennå"
        description = (
            f"{WHAT_IT_IS[kind]}\nHvem deltar: {WHO_ATTENDS[kind]}\n"
            f"Veiledere fra helsetjenesten og NAV: {facilitators}\n"
            f"Programmet i HelseIArbeid: {base_url}/program/{row['programme']}"
        )
        if row["cancel_reason"]:
            description = f"Avlyst: {row['cancel_reason']}\n" + description
        items.append(
            CalendarItem(
                uid=f"programme-session-{row['id']}@helseiarbeid",
                summary=f"HelseIArbeid: {kind.label} – {row['programme.enterprise.name']}",
                starts_at=row["starts_at"],
                ends_at=_ends(row),
                location=row["location"],
                description=description,
                status=ICAL_STATUS[row["state"]],
                sequence=row["sequence"],
                changed_at=row["updated_at"],
                url=f"{base_url}/program/{row['programme']}#samling-{row['id']}",
            )
        )
    return items


async def session_for_calendar(user: CurrentUser, session_id: int, base_url: str) -> CalendarItem:
    """One session, if the user may see it (an enterprise contact only its own)."""
    await session_row(user, session_id)
    items = await calendar_items(session_id=session_id, base_url=base_url)
    if not items:
        raise NotFound("Samlingen finnes ikke.")
    return items[0]
