"""Which enterprises a user sees in the company track — the one place the NAV-region rule is
applied (issue 15 §3). Every read of an enterprise, its programmes, sessions, figures and
reports goes through ``check_enterprise_access`` (one enterprise) or ``enterprise_condition``
(lists: the enterprise list, the planning view, the figures import).

- an enterprise contact: their own enterprise;
- an administrator: every enterprise (they manage the regions);
- a coordinator or a team member: the enterprises of the regions they work for
  (``regions.services.regions_of``); none when they work for none.

Anything else is answered as if it did not exist (404), never 403, so ids do not reveal which
enterprises other regions have.
"""

from __future__ import annotations

from dataclasses import dataclass

from piccolo.columns import Column
from piccolo.columns.combination import Where

from helseiarbeid.company_track.tables import Enterprise, EnterpriseContact
from helseiarbeid.core.errors import NotFound
from helseiarbeid.core.roles import Role
from helseiarbeid.core.users import CurrentUser
from helseiarbeid.regions import services as regions


@dataclass(frozen=True)
class EnterpriseScope:
    """``everything`` (administrator), else the regions, else one enterprise (a contact)."""

    everything: bool = False
    region_ids: frozenset[int] = frozenset()
    enterprise_id: int | None = None

    def condition(self, enterprise_id: Column, region_id: Column) -> Where | None:
        """A WHERE term on a query whose rows belong to an enterprise: ``enterprise_id`` and
        ``region_id`` are that enterprise's id and region columns (for example
        ``Programme.enterprise`` and ``Programme.enterprise._.region``). None: no filter."""
        if self.everything:
            return None
        if self.enterprise_id is not None:
            return enterprise_id == self.enterprise_id
        return region_id.is_in(sorted(self.region_ids) or [0])


async def enterprise_of(user: CurrentUser) -> int | None:
    """The enterprise an enterprise contact acts for (None: not linked)."""
    row = (
        await EnterpriseContact.select(EnterpriseContact.enterprise)
        .where(EnterpriseContact.user == user.id)
        .first()
    )
    return int(row["enterprise"]) if row else None


async def enterprise_scope(user: CurrentUser) -> EnterpriseScope:
    if user.role is Role.ADMIN:
        return EnterpriseScope(everything=True)
    if user.role is Role.ENTERPRISE_CONTACT:
        return EnterpriseScope(enterprise_id=await enterprise_of(user) or 0)
    return EnterpriseScope(region_ids=await regions.regions_of(user.id))


async def check_enterprise_access(user: CurrentUser, enterprise_id: int) -> None:
    """Raises ``NotFound`` unless the user sees the enterprise (see the module's rule)."""
    condition = (await enterprise_scope(user)).condition(Enterprise.id, Enterprise.region)
    query = Enterprise.exists().where(Enterprise.id == enterprise_id)
    if condition is not None:
        query = query.where(condition)
    if not await query:
        raise NotFound("Virksomheten finnes ikke.")


async def _move_enterprises(key: str, region_id: int) -> None:
    """Listener: the municipality ``key`` is now served by ``region_id``."""
    rows = await Enterprise.select(Enterprise.id, Enterprise.municipality)
    ids = [row["id"] for row in rows if regions.municipality_key(row["municipality"]) == key]
    if ids:
        await Enterprise.update({Enterprise.region: region_id}).where(Enterprise.id.is_in(ids))


regions.register_municipality_listener(_move_enterprises)
