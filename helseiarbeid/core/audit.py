"""The access log for health data (pasientjournalforskriften § 14, Normen fact sheet 15).

``record`` is the one function every health-data path calls, inside the same transaction as
the read or write it describes. There is no update or delete here, and the database refuses
both. ``search`` and ``patient_report`` answer the privacy officer and the patient.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from helseiarbeid.core import audit_chain
from helseiarbeid.core.clock import utcnow
from helseiarbeid.core.database import insert_row, is_sqlite, write_transaction
from helseiarbeid.core.labels import ACTION_LABELS
from helseiarbeid.core.tables import AuditEvent


class AuditAction(enum.StrEnum):
    READ = "read"
    CREATE = "create"
    UPDATE = "update"
    EXPORT = "export"
    # Asked for health data it may not see (e.g. another GP's referral): refused, and logged.
    REFUSED = "refused"

    @property
    def label(self) -> str:
        return ACTION_LABELS[self.value]


@dataclass(frozen=True)
class Actor:
    """Who acts: a signed-in user, an API client, or the system itself (user_id None)."""

    user_id: int | None
    role: str
    client: str = "web"


SYSTEM = Actor(user_id=None, role="system", client="system")


async def record(
    actor: Actor,
    action: AuditAction,
    resource_type: str,
    resource_id: str | int = "",
    *,
    purpose: str,
    patient_id: int | None = None,
    referral_id: int | None = None,
) -> None:
    await _insert(
        {
            "occurred_at": utcnow(),
            "actor": actor.user_id,
            "actor_role": actor.role,
            "action": action.value,
            "resource_type": resource_type,
            "resource_id": str(resource_id),
            "patient_id": patient_id,
            "referral_id": referral_id,
            "purpose": purpose,
            "client": actor.client,
        }
    )


async def _insert(*rows: dict[str, Any]) -> None:
    """Insert audit rows, each linked into the hash chain (core/audit_chain.py): by the
    database's trigger on PostgreSQL, here on SQLite, inside a write transaction."""
    if not is_sqlite():
        if len(rows) == 1:
            await insert_row(AuditEvent, rows[0])
        else:
            await AuditEvent.insert(*[AuditEvent(**row) for row in rows])
        return
    async with write_transaction():  # joins the caller's transaction when there is one
        for row in rows:
            await insert_row(AuditEvent, await audit_chain.link(row))


async def record_many(
    actor: Actor,
    action: AuditAction,
    resource_type: str,
    accesses: list[tuple[int, int]],
    *,
    purpose: str,
) -> None:
    """One row per (referral_id, patient_id) shown, e.g. in a list; a single INSERT."""
    if not accesses:
        return
    now = utcnow()
    await _insert(
        *[
            {
                "occurred_at": now,
                "actor": actor.user_id,
                "actor_role": actor.role,
                "action": action.value,
                "resource_type": resource_type,
                "resource_id": str(referral_id),
                "patient_id": patient_id,
                "referral_id": referral_id,
                "purpose": purpose,
                "client": actor.client,
            }
            for referral_id, patient_id in accesses
        ]
    )


@dataclass(frozen=True)
class AuditFilter:
    actor_id: int | None = None
    action: AuditAction | None = None
    patient_id: int | None = None
    referral_id: int | None = None
    since: datetime | None = None
    until: datetime | None = None


@dataclass(frozen=True)
class AuditRow:
    id: int
    occurred_at: datetime
    actor_name: str
    actor_role: str
    action: str
    resource_type: str
    resource_id: str
    patient_id: int | None
    referral_id: int | None
    purpose: str
    client: str


def _row(raw: dict[str, Any]) -> AuditRow:
    return AuditRow(
        id=raw["id"],
        occurred_at=raw["occurred_at"],
        actor_name=raw["actor.name"] or "Systemet",
        actor_role=raw["actor_role"],
        action=raw["action"],
        resource_type=raw["resource_type"],
        resource_id=raw["resource_id"],
        patient_id=raw["patient_id"],
        referral_id=raw["referral_id"],
        purpose=raw["purpose"],
        client=raw["client"],
    )


async def search(filters: AuditFilter, *, limit: int = 50, offset: int = 0) -> list[AuditRow]:
    """Newest first; one query (the actor's name is joined, not fetched per row)."""
    query = AuditEvent.select(
        *AuditEvent.all_columns(exclude=[AuditEvent.actor]), AuditEvent.actor.name
    )
    if filters.actor_id is not None:
        query = query.where(AuditEvent.actor == filters.actor_id)
    if filters.action is not None:
        query = query.where(AuditEvent.action == filters.action.value)
    if filters.patient_id is not None:
        query = query.where(AuditEvent.patient_id == filters.patient_id)
    if filters.referral_id is not None:
        query = query.where(AuditEvent.referral_id == filters.referral_id)
    if filters.since is not None:
        query = query.where(AuditEvent.occurred_at >= filters.since)
    if filters.until is not None:
        query = query.where(AuditEvent.occurred_at < filters.until)
    rows = await query.order_by(AuditEvent.id, ascending=False).limit(limit).offset(offset)
    return [_row(raw) for raw in rows]


@dataclass(frozen=True)
class AccessSummary:
    """One person's accesses to one referral of a patient (or to the patient as such when
    ``referral_id`` is None): a row of the answer to "who has seen me"."""

    actor_id: int | None
    actor_name: str
    actor_role: str
    referral_id: int | None
    resource_types: tuple[str, ...]
    first_access: datetime
    last_access: datetime
    accesses: int


async def patient_report(patient_id: int, requested_by: Actor) -> list[AccessSummary]:
    """Who has read or changed this patient's data, per person and referral, newest first.

    Looking at the access log of a patient is itself an access to that patient and is recorded.
    """
    rows = await (
        AuditEvent.select(
            AuditEvent.actor,
            AuditEvent.actor.name,
            AuditEvent.actor_role,
            AuditEvent.referral_id,
            AuditEvent.resource_type,
            AuditEvent.occurred_at,
        )
        .where(AuditEvent.patient_id == patient_id)
        .order_by(AuditEvent.occurred_at)
    )
    summaries: dict[tuple[int | None, str, int | None], AccessSummary] = {}
    for raw in rows:
        key = (raw["actor"], raw["actor_role"], raw["referral_id"])
        seen = summaries.get(key)
        resources = seen.resource_types if seen else ()
        summaries[key] = AccessSummary(
            actor_id=raw["actor"],
            actor_name=raw["actor.name"] or "Systemet",
            actor_role=raw["actor_role"],
            referral_id=raw["referral_id"],
            resource_types=resources
            + (() if raw["resource_type"] in resources else (raw["resource_type"],)),
            first_access=seen.first_access if seen else raw["occurred_at"],
            last_access=raw["occurred_at"],
            accesses=(seen.accesses if seen else 0) + 1,
        )
    await record(
        requested_by,
        AuditAction.READ,
        "access_log",
        patient_id,
        purpose="innsyn i logg over hvem som har sett pasientens opplysninger",
        patient_id=patient_id,
    )
    return sorted(summaries.values(), key=lambda s: s.last_access, reverse=True)
