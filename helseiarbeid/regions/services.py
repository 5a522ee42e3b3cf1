"""NAV regions: which region serves a municipality, who works for which region, and the
changes an administrator makes (page and CLI alike).

An enterprise belongs to a region through its municipality (``region_for_municipality``); a
municipality no region lists belongs to the default region, so every enterprise has one. The
company track stores the answer on the enterprise and registers a listener here
(``register_municipality_listener``) that moves its enterprises when a municipality changes
region, inside the same transaction — this package imports no company-track code.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from helseiarbeid.core.clock import utcnow
from helseiarbeid.core.database import is_unique_violation, write_transaction
from helseiarbeid.core.errors import Conflict, InvalidInput, NotFound
from helseiarbeid.core.roles import CLINIC_STAFF
from helseiarbeid.core.tables import User
from helseiarbeid.regions.tables import NavRegion, RegionMembership, RegionMunicipality

# Coordinators and the team (psychologists, physicians, NAV counsellors) work for regions.
MEMBER_ROLES = CLINIC_STAFF

MunicipalityListener = Callable[[str, int], Awaitable[None]]
_LISTENERS: list[MunicipalityListener] = []


def register_municipality_listener(listener: MunicipalityListener) -> None:
    """``listener(municipality_key, region_id)`` runs inside the write transaction whenever a
    municipality is given to a region or taken off one (then the default region's id)."""
    if listener not in _LISTENERS:
        _LISTENERS.append(listener)


def municipality_key(name: str) -> str:
    """The name as compared: NFC, single spaces, case folded («Bodø », «BODØ» → «bodø»)."""
    return " ".join(unicodedata.normalize("NFC", name).split()).casefold()


@dataclass(frozen=True)
class Member:
    user_id: int
    name: str
    role: str


@dataclass(frozen=True)
class Region:
    id: int
    name: str
    is_default: bool
    municipalities: list[str] = field(default_factory=list)
    members: list[Member] = field(default_factory=list)


async def default_region_id() -> int:
    row = await NavRegion.select(NavRegion.id).where(NavRegion.is_default == True).first()  # noqa: E712
    if row is None:
        raise NotFound("Ingen standardregion er satt opp (kjør migreringene).")
    return int(row["id"])


async def region_for_municipality(name: str) -> int:
    """The id of the region serving the municipality, else the default region's."""
    row = (
        await RegionMunicipality.select(RegionMunicipality.region)
        .where(RegionMunicipality.key == municipality_key(name))
        .first()
    )
    return int(row["region"]) if row else await default_region_id()


async def regions_of(user_id: int) -> frozenset[int]:
    """The ids of the regions the user works for (empty: none)."""
    rows = await RegionMembership.select(RegionMembership.region).where(
        RegionMembership.user == user_id
    )
    return frozenset(int(row["region"]) for row in rows)


async def members_of(region_ids: frozenset[int]) -> frozenset[int]:
    """The user ids of everyone working for any of the regions."""
    if not region_ids:
        return frozenset()
    rows = await RegionMembership.select(RegionMembership.user).where(
        RegionMembership.region.is_in(sorted(region_ids))
    )
    return frozenset(int(row["user"]) for row in rows)


async def region_names() -> dict[int, str]:
    """Every region's name by id, in name order."""
    rows = await NavRegion.select(NavRegion.id, NavRegion.name).order_by(NavRegion.name)
    return {int(row["id"]): row["name"] for row in rows}


async def list_regions() -> list[Region]:
    """Every region with its municipalities (by name) and members (by name)."""
    regions = await NavRegion.select().order_by(NavRegion.name)
    places = await RegionMunicipality.select().order_by(RegionMunicipality.name)
    members = await RegionMembership.select(
        RegionMembership.region,
        RegionMembership.user,
        RegionMembership.user.name,
        RegionMembership.user.role,
    ).order_by(RegionMembership.user.name)
    return [
        Region(
            id=r["id"],
            name=r["name"],
            is_default=bool(r["is_default"]),
            municipalities=[p["name"] for p in places if p["region"] == r["id"]],
            members=[
                Member(m["user"], m["user.name"], m["user.role"])
                for m in members
                if m["region"] == r["id"]
            ],
        )
        for r in regions
    ]


async def create_region(name: str) -> int:
    """A new region; raises ``InvalidInput`` (name empty or too long) or ``Conflict``."""
    clean = " ".join(name.split())
    if not clean:
        raise InvalidInput({"name": "Skriv regionens navn."})
    if len(clean) > 100:
        raise InvalidInput({"name": "Navnet kan være høyst 100 tegn."})
    try:
        async with write_transaction():
            if await NavRegion.exists().where(NavRegion.name == clean):
                raise Conflict(f"Regionen {clean} finnes allerede.")
            rows = await NavRegion.insert(
                NavRegion(name=clean, is_default=False, created_at=utcnow())
            )
    except Exception as error:
        if is_unique_violation(error):
            raise Conflict(f"Regionen {clean} finnes allerede.") from error
        raise
    return int(rows[0]["id"])


async def _region_exists(region_id: int) -> None:
    if not await NavRegion.exists().where(NavRegion.id == region_id):
        raise InvalidInput({"region": "Regionen finnes ikke."})


async def assign_municipality(name: str, region_id: int) -> None:
    """The municipality is served by the region from now on (moved if another served it);
    its enterprises move with it (the listeners)."""
    clean = " ".join(unicodedata.normalize("NFC", name).split())
    if not clean:
        raise InvalidInput({"municipality": "Skriv kommunens navn."})
    if len(clean) > 100:
        raise InvalidInput({"municipality": "Kommunenavnet kan være høyst 100 tegn."})
    key = municipality_key(clean)
    async with write_transaction():
        await _region_exists(region_id)
        if await RegionMunicipality.exists().where(RegionMunicipality.key == key):
            await RegionMunicipality.update(
                {RegionMunicipality.region: region_id, RegionMunicipality.name: clean}
            ).where(RegionMunicipality.key == key)
        else:
            await RegionMunicipality.insert(
                RegionMunicipality(key=key, name=clean, region=region_id)
            )
        for listener in _LISTENERS:
            await listener(key, region_id)


async def remove_municipality(name: str) -> None:
    """No region lists the municipality any more: its enterprises go to the default region."""
    key = municipality_key(name)
    async with write_transaction():
        if not await RegionMunicipality.exists().where(RegionMunicipality.key == key):
            raise NotFound(f"Ingen region har kommunen {name.strip()}.")
        await RegionMunicipality.delete().where(RegionMunicipality.key == key)
        default = await default_region_id()
        for listener in _LISTENERS:
            await listener(key, default)


async def add_member(user_id: int, region_id: int) -> None:
    """The user works for the region (again: no change). Only coordinators and the team."""
    async with write_transaction():
        await _region_exists(region_id)
        row = await User.select(User.role).where(User.id == user_id).first()
        if row is None:
            raise InvalidInput({"user": "Brukeren finnes ikke."})
        if row["role"] not in {role.value for role in MEMBER_ROLES}:
            raise InvalidInput(
                {"user": "Bare koordinatorer og teamets fagfolk kan arbeide for en region."}
            )
        if await RegionMembership.exists().where(
            (RegionMembership.user == user_id) & (RegionMembership.region == region_id)
        ):
            return
        await RegionMembership.insert(RegionMembership(user=user_id, region=region_id))


async def remove_member(user_id: int, region_id: int) -> None:
    async with write_transaction():
        await RegionMembership.delete().where(
            (RegionMembership.user == user_id) & (RegionMembership.region == region_id)
        )


async def region_id_by_name(name: str) -> int:
    """For the CLI: the region with exactly this name; raises ``NotFound``."""
    row = await NavRegion.select(NavRegion.id).where(NavRegion.name == name.strip()).first()
    if row is None:
        raise NotFound(f"Ingen region heter {name.strip()}.")
    return int(row["id"])
