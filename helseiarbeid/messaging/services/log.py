"""The message log as the «Meldinger» page shows it: received and sent messages with their
counterpart, referral, AppRec and (for sent ones) delivery state; one message read into its
fields, the read audited like reading the referral."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from helseiarbeid.core import audit, outbox
from helseiarbeid.core.audit import Actor, AuditAction
from helseiarbeid.core.database import write_transaction
from helseiarbeid.core.errors import NotFound
from helseiarbeid.core.users import CurrentUser
from helseiarbeid.messaging.outgoing import SentContent, describe_sent
from helseiarbeid.messaging.reading import (
    DIALOG_TYPES,
    ROOTS,
    ReceivedDialog,
    ReceivedReferral,
    read,
    read_dialog,
)
from helseiarbeid.messaging.services._scope import visible_to
from helseiarbeid.messaging.services.receiving import NO_RECEIPT_OUTCOME
from helseiarbeid.messaging.services.sending import CHANNEL
from helseiarbeid.messaging.standards import NotWellFormed, parse, validate
from helseiarbeid.messaging.tables import HealthMessage
from helseiarbeid.referrals import services as referrals


@dataclass(frozen=True)
class MessageSummary:
    """A row of the «Meldinger» page (no national IDs, no health text)."""

    id: int
    direction: str
    msg_type: str
    standard: str
    serv_type: str
    counterpart_name: str
    counterpart_her_id: str
    received_at: datetime
    apprec_status: int | None
    errors: list[tuple[str, str]]
    referral_id: int | None
    referral_reference: str
    outcome: str
    # A sent message's delivery: "venter" (in the outbox), "sendt" or "feilet"; "" if received.
    delivery: str
    delivery_error: str
    # Why a sent message is still waiting, for the page ("" when it is not waiting).
    waiting_because: str
    # A received message answered with no AppRec (its sender could not be read).
    no_receipt: bool
    # A sent message that failed (the outbox gave up, or the receiver rejected it) and has not
    # been sent again: the page offers «Send igjen».
    can_send_again: bool = False


@dataclass(frozen=True)
class MessageView:
    summary: MessageSummary
    message: ReceivedReferral | None  # a received message's head and referral; None when
    # unreadable or sent
    sent: SentContent | None  # a sent message read back; None for a received one
    dialog: ReceivedDialog | None = None  # a received Dialogmelding (the GP's answer)


def _delivery(row: dict[str, Any]) -> str:
    if row["direction"] != "out":
        return ""
    if row["outbox_message.delivered_at"] is not None:
        return "sendt"
    if row["outbox_message.failed_at"] is not None:
        return "feilet"
    return "venter"


NO_CONNECTION = (
    "Tilkoblingen til meldingstjeneren (Norsk Helsenett) er ikke satt opp ennå. Meldingen "
    "ligger trygt i utboksen og sendes når tilkoblingen er på plass; fastlegen ser det samme "
    "i portalen så lenge."
)
IN_THE_OUTBOX = "Meldingen ligger i utboksen og sendes i løpet av kort tid."


def _waiting_because(delivery: str) -> str:
    if delivery != "venter":
        return ""
    return IN_THE_OUTBOX if outbox.has_transport(CHANNEL) else NO_CONNECTION


def _summary(row: dict[str, Any], resent: frozenset[int] = frozenset()) -> MessageSummary:
    delivery = _delivery(row)
    return MessageSummary(
        id=row["id"],
        direction=row["direction"],
        msg_type=row["msg_type"],
        standard=row["standard"],
        serv_type=row["serv_type"],
        counterpart_name=row["sender_name"] if row["direction"] == "in" else row["receiver_name"],
        counterpart_her_id=(
            row["sender_her_id"] if row["direction"] == "in" else row["receiver_her_id"]
        ),
        received_at=row["received_at"],
        apprec_status=row["apprec_status"],
        errors=[(code, text) for code, text in json.loads(row["apprec_errors"] or "[]")],
        referral_id=row["referral"],
        referral_reference=row["referral.reference"] or "",
        outcome=row["outcome"],
        delivery=delivery,
        delivery_error=row["outbox_message.last_error"] or "",
        waiting_because=_waiting_because(delivery),
        no_receipt=row["direction"] == "in" and row["outcome"] == NO_RECEIPT_OUTCOME,
        can_send_again=delivery == "feilet"
        or (delivery == "sendt" and row["apprec_status"] == 2 and row["id"] not in resent),
    )


async def _resent(ids: list[int]) -> frozenset[int]:
    """Which of these sent messages have a «send igjen» copy."""
    if not ids:
        return frozenset()
    rows = await HealthMessage.select(HealthMessage.replaces).where(
        HealthMessage.replaces.is_in(ids)
    )
    return frozenset(row["replaces"] for row in rows)


_SUMMARY_COLUMNS = (
    HealthMessage.id,
    HealthMessage.direction,
    HealthMessage.msg_type,
    HealthMessage.standard,
    HealthMessage.serv_type,
    HealthMessage.sender_name,
    HealthMessage.sender_her_id,
    HealthMessage.receiver_name,
    HealthMessage.receiver_her_id,
    HealthMessage.received_at,
    HealthMessage.apprec_status,
    HealthMessage.apprec_errors,
    HealthMessage.referral,
    HealthMessage.referral.reference,
    HealthMessage.outcome,
    HealthMessage.outbox_message.delivered_at,
    HealthMessage.outbox_message.failed_at,
    HealthMessage.outbox_message.last_error,
)


async def list_messages(user: CurrentUser, *, limit: int = 100) -> list[MessageSummary]:
    """The latest messages ``user`` may see, newest first. No health data is shown, so
    nothing is audited."""
    rows = (
        await HealthMessage.select(*_SUMMARY_COLUMNS)
        .where(visible_to(user))
        .order_by(HealthMessage.id, ascending=False)
        .limit(limit)
    )
    resent = await _resent([row["id"] for row in rows if row["apprec_status"] == 2])
    return [_summary(row, resent) for row in rows]


async def read_message(user: CurrentUser, actor: Actor, message_id: int) -> MessageView:
    """One message, read into its fields for the page; the read is audited like reading the
    referral (with its patient and referral). 404 when there is no such message, or it is
    another clinic's (that attempt audited as refused)."""
    row = (
        await HealthMessage.select(*_SUMMARY_COLUMNS, HealthMessage.raw_xml)
        .where((HealthMessage.id == message_id) & visible_to(user))
        .first()
    )
    if row is None:
        if await HealthMessage.exists().where(HealthMessage.id == message_id):
            async with write_transaction():
                await audit.record(
                    actor,
                    AuditAction.REFUSED,
                    "health_message",
                    message_id,
                    purpose="melding fra en annen klinikk",
                )
        raise NotFound("Meldingen finnes ikke.")
    message = None
    sent = None
    dialog = None
    try:
        root = parse(row["raw_xml"].encode())
        kind = ROOTS.get(root.tag)
        if row["direction"] == "out":
            sent = describe_sent(root)
        elif kind is not None and not validate(kind[0], root):
            message = read(root)
            if row["msg_type"] in DIALOG_TYPES:
                dialog = read_dialog(root)
                message = dialog.head
    except NotWellFormed:
        message = None
    referral_id = row["referral"]
    patient_id = await referrals.patient_of(referral_id) if referral_id else None
    await audit.record(
        actor,
        AuditAction.READ,
        "health_message",
        message_id,
        purpose="helsemelding lest",
        patient_id=patient_id,
        referral_id=referral_id,
    )
    return MessageView(_summary(row, await _resent([message_id])), message, sent, dialog)
