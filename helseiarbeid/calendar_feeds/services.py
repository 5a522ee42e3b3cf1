"""Calendar feeds: secret subscription URLs, and the feeds behind them.

A feed needs no login (calendar clients cannot log in), so its URL is the credential: 192 bits
of randomness, stored only as a SHA-256 and compared in constant time.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections import OrderedDict
from dataclasses import dataclass
from datetime import datetime, timedelta

from helseiarbeid.calendar_feeds.schemas import FeedKind, FeedOut
from helseiarbeid.calendar_feeds.tables import CalendarEventLines, CalendarFeed
from helseiarbeid.clinic_track import services as clinic
from helseiarbeid.clinics import services as clinics
from helseiarbeid.company_track import services as company
from helseiarbeid.core.clock import today_in_oslo, utcnow
from helseiarbeid.core.database import write_transaction
from helseiarbeid.core.errors import InvalidInput, NotFound
from helseiarbeid.core.ical import (
    CalendarItem,
    assemble,
    calendar,
    event_digest,
    event_lines,
    leaves_feed_at,
    ordered,
)
from helseiarbeid.core.roles import CLINIC_STAFF, TEAM_ROLES, Role
from helseiarbeid.core.users import CurrentUser
from helseiarbeid.regions import services as regions


def kinds_for(role: Role) -> list[FeedKind]:
    if role is Role.ENTERPRISE_CONTACT:
        return [FeedKind.ENTERPRISE]
    if role in TEAM_ROLES:
        return [FeedKind.STAFF, FeedKind.CLINIC]
    if role in CLINIC_STAFF:
        return [FeedKind.CLINIC]
    return []


def feed_url(base_url: str, token: str) -> str:
    return f"{base_url}/calendar/{token}.ics"


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def _out(row: dict[str, object], url: str | None = None) -> FeedOut:
    return FeedOut(
        id=int(str(row["id"])),
        kind=FeedKind(str(row["kind"])),
        name=str(row["name"]),
        created_at=row["created_at"],  # type: ignore[arg-type]
        url=url,
    )


async def create_feed(user: CurrentUser, kind: FeedKind, name: str, base_url: str) -> FeedOut:
    if kind not in kinds_for(user.role):
        allowed = ", ".join(k.value for k in kinds_for(user.role)) or "ingen"
        raise InvalidInput(
            {"kind": f"Du kan ikke abonnere på denne kalenderen. Tillatt: {allowed}."}
        )
    if kind is FeedKind.ENTERPRISE and await company.enterprise_of(user) is None:
        raise InvalidInput({"kind": "Du er ikke knyttet til en virksomhet."})
    lookup_key = secrets.token_hex(8)
    secret = secrets.token_urlsafe(24)
    async with write_transaction():
        rows = await CalendarFeed.insert(
            CalendarFeed(
                owner=user.id,
                kind=kind.value,
                name=(name.strip() or kind.label)[:100],
                lookup_key=lookup_key,
                secret_hash=_digest(secret),
                created_at=utcnow(),
            )
        ).returning(*CalendarFeed.all_columns())
    return _out(rows[0], feed_url(base_url, f"{lookup_key}.{secret}"))


async def list_feeds(user: CurrentUser) -> list[FeedOut]:
    rows = await (
        CalendarFeed.select()
        .where((CalendarFeed.owner == user.id) & CalendarFeed.revoked_at.is_null())
        .order_by(CalendarFeed.id)
    )
    return [_out(row) for row in rows]


async def revoke_feed(user: CurrentUser, feed_id: int) -> dict[str, object]:
    async with write_transaction():
        rows = await (
            CalendarFeed.update({CalendarFeed.revoked_at: utcnow()})
            .where(
                (CalendarFeed.id == feed_id)
                & (CalendarFeed.owner == user.id)
                & CalendarFeed.revoked_at.is_null()
            )
            .returning(*CalendarFeed.all_columns())
        )
    if not rows:
        raise NotFound("Kalenderadressen finnes ikke.")
    return dict(rows[0])


async def rotate_feed(user: CurrentUser, feed_id: int, base_url: str) -> FeedOut:
    """A new secret URL for the same calendar; the old one stops working at once."""
    old = await revoke_feed(user, feed_id)
    return await create_feed(user, FeedKind(str(old["kind"])), str(old["name"]), base_url)


@dataclass(frozen=True)
class Feed:
    id: int
    kind: FeedKind
    owner_id: int
    owner_name: str


async def resolve(token: str) -> Feed | None:
    """The live feed behind a token, or None for a malformed, unknown or revoked one."""
    lookup_key, _, secret = token.partition(".")
    if not lookup_key or not secret or len(token) > 100:
        return None
    row = (
        await CalendarFeed.select(
            CalendarFeed.id,
            CalendarFeed.kind,
            CalendarFeed.owner,
            CalendarFeed.secret_hash,
            CalendarFeed.revoked_at,
            CalendarFeed.owner.is_active,
            CalendarFeed.owner.role,
            CalendarFeed.owner.name,
        )
        .where(CalendarFeed.lookup_key == lookup_key)
        .first()
    )
    if row is None or row["revoked_at"] is not None:
        return None
    if not hmac.compare_digest(row["secret_hash"], _digest(secret)):
        return None
    # A feed dies with its owner's access: deactivated, or moved to a role without this kind.
    if not row["owner.is_active"] or FeedKind(row["kind"]) not in kinds_for(
        Role(row["owner.role"])
    ):
        return None
    return Feed(
        id=row["id"],
        kind=FeedKind(row["kind"]),
        owner_id=row["owner"],
        owner_name=row["owner.name"],
    )


@dataclass(frozen=True)
class Validators:
    etag: str
    last_modified: datetime | None


@dataclass(frozen=True)
class Rendered:
    body: bytes
    validators: Validators


@dataclass(frozen=True)
class _Built:
    """What a feed was built from, for answering revalidations without building it again."""

    base_url: str
    owner_name: str
    enterprise_id: int | None
    built_at: datetime
    valid_until: datetime | None  # when the first item drops out by age alone
    validators: Validators


# A change is stamped with its transaction's clock but visible only at commit; a change that
# committed just after a build may carry an earlier time. Looking this far back covers it.
SETTLE = timedelta(seconds=60)
_BUILT_SIZE = 4096
_built: OrderedDict[int, _Built] = OrderedDict()


def _contact(feed: Feed) -> CurrentUser:
    return CurrentUser(
        id=feed.owner_id,
        email="",
        name=feed.owner_name,
        role=Role.ENTERPRISE_CONTACT,
        hpr_number=None,
        workplace_name="",
        workplace_address="",
        workplace_phone="",
    )


async def _changed_since(feed: Feed, enterprise_id: int | None, since: datetime) -> bool:
    if feed.kind is FeedKind.ENTERPRISE:
        return enterprise_id is not None and await company.calendar_changed_since(
            since, enterprise_id=enterprise_id
        )
    staff_id = feed.owner_id if feed.kind is FeedKind.STAFF else None
    team = None if staff_id is not None else await clinics.clinic_ids_of(feed.owner_id)
    areas = None if staff_id is not None else await regions.regions_of(feed.owner_id)
    return await company.calendar_changed_since(
        since, facilitator_id=staff_id, region_ids=areas
    ) or await clinic.calendar_changed_since(since, staff_id=staff_id, clinic_ids=team)


async def unchanged_validators(feed: Feed, base_url: str) -> Validators | None:
    """The validators of the feed as last built, if nothing in it can have changed since:
    a revalidating client gets its 304 from a few indexed queries, without a build.
    (Names of enterprises and people are not editable in the service.)"""
    built = _built.get(feed.id)
    if built is None or (built.base_url, built.owner_name) != (base_url, feed.owner_name):
        return None
    if built.valid_until is not None and utcnow() >= built.valid_until:
        return None
    enterprise_id = None
    if feed.kind is FeedKind.ENTERPRISE:
        enterprise_id = await company.enterprise_of(_contact(feed))
        if enterprise_id != built.enterprise_id:
            return None
    if await _changed_since(feed, enterprise_id, built.built_at - SETTLE):
        return None
    _built.move_to_end(feed.id)
    return built.validators


# Digests per query: far below both engines' limits on parameters (32,766 and 32,767).
_LOOKUP_BATCH = 5_000
# An event no feed has used for this long is deleted (a changed event is a new row).
UNUSED_KEPT = timedelta(days=7)


async def _events(items: list[CalendarItem]) -> list[bytes]:
    """Each item's event lines, in feed order: read from ``calendar_event_lines`` where any
    process has written them before, written by icalendar (and stored) where not.

    A build writes only when it has something new: events never seen, or events last marked
    as used before today (then rows unused for ``UNUSED_KEPT`` are pruned as well).
    """
    in_order = ordered(items)
    digests = [event_digest(item) for item in in_order]
    stored: dict[str, bytes] = {}
    stale: list[str] = []
    today = today_in_oslo()
    unique = list(dict.fromkeys(digests))
    for start in range(0, len(unique), _LOOKUP_BATCH):
        rows = await CalendarEventLines.select(
            CalendarEventLines.digest, CalendarEventLines.lines, CalendarEventLines.used_on
        ).where(CalendarEventLines.digest.is_in(unique[start : start + _LOOKUP_BATCH]))
        for row in rows:
            stored[row["digest"]] = row["lines"].encode()
            if str(row["used_on"]) < today.isoformat():  # SQLite may return the date as text
                stale.append(row["digest"])
    new = {
        digest: event_lines(item)
        for digest, item in zip(digests, in_order, strict=True)
        if digest not in stored
    }
    if new or stale:
        async with write_transaction():
            fresh = [
                CalendarEventLines(digest=digest, lines=lines.decode(), used_on=today)
                for digest, lines in new.items()
            ]
            # Three parameters a row: batches stay far below the engines' limits.
            for start in range(0, len(fresh), _LOOKUP_BATCH // 5):
                await CalendarEventLines.insert(
                    *fresh[start : start + _LOOKUP_BATCH // 5]
                ).on_conflict(action="DO NOTHING")
            if stale:
                for start in range(0, len(stale), _LOOKUP_BATCH):
                    await CalendarEventLines.update({CalendarEventLines.used_on: today}).where(
                        CalendarEventLines.digest.is_in(stale[start : start + _LOOKUP_BATCH])
                    )
                await CalendarEventLines.delete().where(
                    CalendarEventLines.used_on < today - UNUSED_KEPT
                )
        stored.update(new)
    return [stored[digest] for digest in digests]


async def render_feed(feed: Feed, base_url: str) -> Rendered:
    """Build the feed, and remember what it was built from."""
    built_at = utcnow()
    items: list[CalendarItem] = []
    enterprise_id = None
    if feed.kind is FeedKind.ENTERPRISE:
        contact = _contact(feed)
        enterprise_id = await company.enterprise_of(contact)
        name = "HelseIArbeid"
        if enterprise_id is not None:
            items = await company.calendar_items(enterprise_id=enterprise_id, base_url=base_url)
            enterprise = await company.get_enterprise(contact, enterprise_id)
            name = f"HelseIArbeid – {enterprise.name}"
    elif feed.kind is FeedKind.STAFF:
        items = await company.calendar_items(facilitator_id=feed.owner_id, base_url=base_url)
        items += await clinic.calendar_items(staff_id=feed.owner_id, base_url=base_url)
        name = f"HelseIArbeid – {feed.owner_name}"
    else:
        # The team feed: the sessions in the NAV regions and the consultations of the clinics
        # its owner works for (issue 15).
        items = await company.calendar_items(
            region_ids=await regions.regions_of(feed.owner_id), base_url=base_url
        )
        items += await clinic.calendar_items(
            staff_id=None, base_url=base_url, clinic_ids=await clinics.clinic_ids_of(feed.owner_id)
        )
        name = "HelseIArbeid – klinikken"
    body = assemble(name, await _events(items))
    validators = Validators(
        etag=f'"{hashlib.sha256(body).hexdigest()[:40]}"',
        last_modified=max((item.changed_at for item in items), default=None),
    )
    _built[feed.id] = _Built(
        base_url=base_url,
        owner_name=feed.owner_name,
        enterprise_id=enterprise_id,
        built_at=built_at,
        valid_until=min((leaves_feed_at(item) for item in items), default=None),
        validators=validators,
    )
    _built.move_to_end(feed.id)
    while len(_built) > _BUILT_SIZE:
        _built.popitem(last=False)
    return Rendered(body=body, validators=validators)


def single_event(item: CalendarItem) -> bytes:
    return calendar("HelseIArbeid", [item])
