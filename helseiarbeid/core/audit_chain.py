"""Tamper evidence for the access log: every row is chained to the one before it.

Each ``audit_event`` row carries its place in the chain (``chain_seq``: 1, 2, 3 …), the
previous row's hash (``prev_hash``) and its own (``chain_hash``): SHA-256, in hex, over
:func:`canonical` — the row's fields and the previous hash, joined by U+001F. Changing a
field, deleting a row or slipping one in breaks the chain from that row on, and
:func:`verify` (``helseiarbeid audit verify``) names the first row where it breaks.

Writers extend the chain one at a time: each locks the one row of ``audit_chain_head`` (last
position and hash) until its transaction ends, so concurrent requests never fork the chain.
On PostgreSQL a ``BEFORE INSERT`` trigger does this for every insert, whoever makes it (the
referral submission's one-statement path included); its SQL is :data:`POSTGRES_CHAIN_SQL`,
and computes the same bytes as :func:`canonical`. On SQLite, which has no SHA-256 in SQL,
:func:`link` does it in Python inside the writer's IMMEDIATE transaction.

Source: issue 12 §2 (Normen fact sheet 15; the log must show if it was altered).
"""

from __future__ import annotations

import hashlib
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from helseiarbeid.core.tables import AuditChainHead, AuditEvent

SEPARATOR = "\x1f"
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
# Columns in canonical order (chain_seq first, prev_hash last).
FIELDS = (
    "chain_seq",
    "occurred_at",
    "actor",
    "actor_role",
    "action",
    "resource_type",
    "resource_id",
    "patient_id",
    "referral_id",
    "purpose",
    "client",
    "prev_hash",
)


def _text(name: str, value: Any) -> str:
    if value is None:
        return ""
    if name == "occurred_at":
        return str((value - _EPOCH) // timedelta(microseconds=1))
    return str(value)


def canonical(row: dict[str, Any]) -> bytes:
    """The bytes a row's hash is taken over: its FIELDS as text, joined by U+001F; the time as
    microseconds since 1970 (UTC), a missing value as empty text."""
    return SEPARATOR.join(_text(name, row[name]) for name in FIELDS).encode()


def row_hash(row: dict[str, Any]) -> str:
    return hashlib.sha256(canonical(row)).hexdigest()


# The same computation in PostgreSQL, for the BEFORE INSERT trigger (see the migration).
POSTGRES_CHAIN_SQL = """
CREATE FUNCTION audit_event_chain() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  head_seq integer;
  head_hash varchar(64);
BEGIN
  INSERT INTO audit_chain_head (id, seq, hash) VALUES (1, 1, '')
  ON CONFLICT (id) DO UPDATE SET seq = audit_chain_head.seq + 1
  RETURNING seq, hash INTO head_seq, head_hash;
  NEW.chain_seq := head_seq;
  NEW.prev_hash := head_hash;
  NEW.chain_hash := encode(sha256(convert_to(concat_ws(chr(31),
      NEW.chain_seq::text,
      floor(extract(epoch FROM NEW.occurred_at) * 1000000)::bigint::text,
      COALESCE(NEW.actor::text, ''), NEW.actor_role, NEW.action, NEW.resource_type,
      NEW.resource_id, COALESCE(NEW.patient_id::text, ''), COALESCE(NEW.referral_id::text, ''),
      NEW.purpose, NEW.client, NEW.prev_hash), 'UTF8')), 'hex');
  UPDATE audit_chain_head SET hash = NEW.chain_hash WHERE id = 1;
  RETURN NEW;
END $$
"""


async def link(values: dict[str, Any]) -> dict[str, Any]:
    """``values`` of a new row with its chain fields (SQLite; call inside the write
    transaction, whose lock keeps other writers out until it ends)."""
    rows = await AuditChainHead.raw(
        "INSERT INTO audit_chain_head (id, seq, hash) VALUES (1, 1, '') "
        "ON CONFLICT (id) DO UPDATE SET seq = audit_chain_head.seq + 1 RETURNING seq, hash"
    )
    linked = {**values, "chain_seq": rows[0]["seq"], "prev_hash": rows[0]["hash"]}
    linked["chain_hash"] = row_hash(linked)
    await AuditChainHead.raw(
        "UPDATE audit_chain_head SET hash = {} WHERE id = 1", linked["chain_hash"]
    )
    return linked


@dataclass(frozen=True)
class Verdict:
    """What :func:`verify` found: ``rows`` checked; ``problem`` names the first break, or None."""

    rows: int
    problem: str | None = None
    event_id: int | None = None


async def _in_chain_order(batch: int = 5000) -> AsyncIterator[dict[str, Any]]:
    columns = [AuditEvent.id, AuditEvent.chain_hash, *(getattr(AuditEvent, f) for f in FIELDS)]
    after = 0
    while True:
        rows = (
            await AuditEvent.select(*columns)
            .where((AuditEvent.chain_seq > after) | AuditEvent.chain_seq.is_null())
            .order_by(AuditEvent.chain_seq)
            .limit(batch)
        )
        for row in rows:
            yield row
        if len(rows) < batch or rows[-1]["chain_seq"] is None:
            return
        after = rows[-1]["chain_seq"]


async def verify() -> Verdict:
    """Walk the chain from the first row; the first row that was changed, removed or put in
    out of order is named (``event_id``) with what is wrong in Norwegian."""
    expected_seq, previous, count = 1, "", 0
    async for row in _in_chain_order():
        if row["chain_seq"] is None:
            return Verdict(count, "rad uten plass i kjeden (satt inn utenom loggen)", row["id"])
        if row["chain_seq"] != expected_seq:
            return Verdict(count, f"rad nr. {expected_seq} i kjeden mangler (slettet)", row["id"])
        if row["prev_hash"] != previous:
            return Verdict(
                count, "forrige rads hash stemmer ikke (rad fjernet eller flyttet)", row["id"]
            )
        if row_hash(row) != row["chain_hash"]:
            return Verdict(count, "raden er endret etter at den ble skrevet", row["id"])
        previous, expected_seq, count = row["chain_hash"], expected_seq + 1, count + 1
    head = await AuditChainHead.select(AuditChainHead.seq).where(AuditChainHead.id == 1).first()
    if head is not None and head["seq"] != count:
        return Verdict(count, f"kjeden slutter ved rad nr. {count}, men {head['seq']} er skrevet")
    return Verdict(count)
