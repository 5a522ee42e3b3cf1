"""Everything that leaves the service goes through one outbox, so an outage loses nothing.

A domain service calls :func:`enqueue` inside the write transaction of the change that causes
the message: the message is stored if and only if the change is. The worker (:func:`run`,
started with the app) delivers due messages through the channel's transport and retries with
backoff when the transport says the failure is transient; after ``MAX_ATTEMPTS`` tries, or at
once for a permanent failure, the message is marked failed and shown to the coordinator, who
can send it again (:func:`send_again`).

Several server processes may run workers on one database: a worker claims a batch by moving
its ``next_attempt_at`` forward by ``CLAIM_SECONDS`` inside a write transaction (row locks on
PostgreSQL, the single writer on SQLite), so no two workers send the same message at once. A
process killed mid-delivery leaves its claim to expire, and the message is sent again: at
least once, never lost.

Channels: ``mail`` (SMTP, HELSEIARBEID_SMTP_HOST; without a host, mail is off and nothing is
queued) and ``health_message`` (a health message's XML to a HER-id, stored by
``messaging.services``). A channel whose transport is not registered in :data:`TRANSPORTS`
is not claimed: its messages wait, due, until a transport for it is plugged in
(``messaging.message_server.register`` plugs in the Norsk Helsenett message-server client
when it is configured).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import smtplib
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.message import EmailMessage

from litestar.concurrency import sync_to_thread

from helseiarbeid.core.clock import utcnow
from helseiarbeid.core.database import for_update, insert_row, write_transaction
from helseiarbeid.core.errors import Conflict, NotFound
from helseiarbeid.core.tables import OutboxMessage
from helseiarbeid.settings import get_settings

log = logging.getLogger("helseiarbeid.outbox")

MAX_ATTEMPTS = 8
CLAIM_SECONDS = 120
BATCH = 20


class TransientError(Exception):
    """Delivery failed but may succeed later (server down, timeout, 4xx from SMTP)."""


class PermanentError(Exception):
    """Delivery will never succeed as the message stands (recipient refused, 5xx)."""


@dataclass(frozen=True)
class Outgoing:
    id: int
    channel: str
    recipients: tuple[str, ...]
    subject: str
    body: str


Transport = Callable[[Outgoing], Awaitable[None]]


def backoff(attempts: int) -> timedelta:
    """Wait after the ``attempts``-th failed try: 10 s, 20 s, 40 s … at most 30 minutes."""
    return timedelta(seconds=min(10 * 2 ** max(attempts - 1, 0), 1800))


async def enqueue(channel: str, recipients: tuple[str, ...], subject: str, body: str) -> int | None:
    """Store a message to send; call it inside the write transaction of the change. Returns
    the outbox row's id, or None when nothing was queued (mail off, no recipients)."""
    if channel == "mail" and not get_settings().smtp_host:
        return None
    if not recipients:
        return None
    now = utcnow()
    return await insert_row(
        OutboxMessage,
        {
            "channel": channel,
            "recipients": json.dumps(list(recipients)),
            "subject": subject[:300],
            "body": body,
            "created_at": now,
            "attempts": 0,
            "next_attempt_at": now,
            "last_error": "",
        },
    )


# ---------------------------------------------------------------------------------------------
# Transports


def _smtp_send(message: Outgoing) -> None:
    settings = get_settings()
    mail = EmailMessage()
    mail["From"] = settings.mail_from
    mail["To"] = ", ".join(message.recipients)
    mail["Subject"] = message.subject
    mail.set_content(message.body)
    try:
        with smtplib.SMTP(settings.smtp_host, settings.smtp_port, timeout=10) as smtp:
            smtp.send_message(mail)
    except smtplib.SMTPRecipientsRefused as error:
        raise PermanentError("e-posttjeneren avviste mottakeren") from error
    except smtplib.SMTPResponseException as error:
        if 500 <= error.smtp_code < 600:
            raise PermanentError(
                f"e-posttjeneren avviste e-posten (SMTP {error.smtp_code})"
            ) from error
        raise TransientError(
            f"e-posttjeneren ba om nytt forsøk (SMTP {error.smtp_code})"
        ) from error
    except (OSError, smtplib.SMTPException) as error:
        raise TransientError(f"e-posttjeneren svarer ikke ({type(error).__name__})") from error


async def smtp_transport(message: Outgoing) -> None:
    """Hand a mail to the SMTP server (HELSEIARBEID_SMTP_HOST/_PORT), in a worker thread."""
    await sync_to_thread(_smtp_send, message)


TRANSPORTS: dict[str, Transport] = {"mail": smtp_transport}


def has_transport(channel: str) -> bool:
    """Whether the channel's messages can leave: a transport is registered for it (else they
    wait in the outbox until one is)."""
    return channel in TRANSPORTS


# ---------------------------------------------------------------------------------------------
# The worker


async def _claim(now: datetime) -> list[Outgoing]:
    async with write_transaction():
        rows = await for_update(
            OutboxMessage.select(
                OutboxMessage.id,
                OutboxMessage.channel,
                OutboxMessage.recipients,
                OutboxMessage.subject,
                OutboxMessage.body,
            )
            .where(
                OutboxMessage.delivered_at.is_null()
                & OutboxMessage.failed_at.is_null()
                & (OutboxMessage.next_attempt_at <= now)
                & OutboxMessage.channel.is_in(list(TRANSPORTS))
            )
            .order_by(OutboxMessage.id)
            .limit(BATCH)
        )
        if rows:
            await OutboxMessage.update(
                {OutboxMessage.next_attempt_at: now + timedelta(seconds=CLAIM_SECONDS)}
            ).where(OutboxMessage.id.is_in([row["id"] for row in rows]))
    return [
        Outgoing(
            id=row["id"],
            channel=row["channel"],
            recipients=tuple(json.loads(row["recipients"])),
            subject=row["subject"],
            body=row["body"],
        )
        for row in rows
    ]


async def _settle(message: Outgoing, error: Exception | None) -> None:
    now = utcnow()
    async with write_transaction():
        if error is None:
            await OutboxMessage.update(
                {
                    OutboxMessage.delivered_at: now,
                    OutboxMessage.attempts: OutboxMessage.attempts + 1,
                }
            ).where(OutboxMessage.id == message.id)
            return
        row = (
            await OutboxMessage.select(OutboxMessage.attempts)
            .where(OutboxMessage.id == message.id)
            .first()
        )
        attempts = (row["attempts"] if row else 0) + 1
        give_up = isinstance(error, PermanentError) or attempts >= MAX_ATTEMPTS
        await OutboxMessage.update(
            {
                OutboxMessage.attempts: attempts,
                OutboxMessage.last_error: str(error)[:300],
                OutboxMessage.next_attempt_at: now + backoff(attempts),
                OutboxMessage.failed_at: now if give_up else None,
            }
        ).where(OutboxMessage.id == message.id)


async def deliver_due() -> int:
    """One pass: claim the due messages, deliver each, record the outcome; returns how many
    were delivered. Errors of one message never stop the others."""
    delivered = 0
    for message in await _claim(utcnow()):
        error: Exception | None = None
        try:
            await TRANSPORTS[message.channel](message)
        except (TransientError, PermanentError) as failure:
            error = failure
            log.warning("outbox message %d not delivered: %s", message.id, failure)
        else:
            delivered += 1
        await _settle(message, error)
    return delivered


async def run(stop: asyncio.Event) -> None:
    """The worker loop: a pass every HELSEIARBEID_OUTBOX_POLL_SECONDS until ``stop`` is set.

    A pass that fails (the database away) is logged and tried again at the next tick."""
    interval = get_settings().outbox_poll_seconds
    while not stop.is_set():
        try:
            await deliver_due()
        except Exception as error:  # the database may be away; try again next tick
            log.warning("outbox pass failed: %s", type(error).__name__)
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), interval)


# ---------------------------------------------------------------------------------------------
# For the coordinator


@dataclass(frozen=True)
class OutboxEntry:
    id: int
    channel: str
    recipients: str
    subject: str
    created_at: datetime
    attempts: int
    last_error: str
    failed_at: datetime | None
    next_attempt_at: datetime


async def undelivered(limit: int = 100) -> list[OutboxEntry]:
    """Messages not yet delivered, failed ones first, newest first; at most ``limit``."""
    rows = await (
        OutboxMessage.select(
            OutboxMessage.id,
            OutboxMessage.channel,
            OutboxMessage.recipients,
            OutboxMessage.subject,
            OutboxMessage.created_at,
            OutboxMessage.attempts,
            OutboxMessage.last_error,
            OutboxMessage.failed_at,
            OutboxMessage.next_attempt_at,
        )
        .where(OutboxMessage.delivered_at.is_null())
        .order_by(OutboxMessage.failed_at, ascending=False)
        .order_by(OutboxMessage.id, ascending=False)
        .limit(limit)
    )
    return [
        OutboxEntry(**{**row, "recipients": ", ".join(json.loads(row["recipients"]))})
        for row in rows
    ]


async def send_again(message_id: int) -> None:
    """Put a failed message back in the queue, due now, with its tries counted from zero.

    Raises NotFound for an unknown message, Conflict for one already delivered."""
    async with write_transaction():
        await requeue(message_id)


async def requeue(message_id: int) -> None:
    """:func:`send_again` inside the caller's write transaction (a domain that audits the
    resend with it). Raises NotFound or Conflict as send_again does."""
    row = await for_update(
        OutboxMessage.select(OutboxMessage.delivered_at).where(OutboxMessage.id == message_id)
    ).first()
    if row is None:
        raise NotFound("Fant ikke utsendelsen.")
    if row["delivered_at"] is not None:
        raise Conflict("Utsendelsen er allerede levert.")
    await OutboxMessage.update(
        {
            OutboxMessage.failed_at: None,
            OutboxMessage.attempts: 0,
            OutboxMessage.next_attempt_at: utcnow(),
        }
    ).where(OutboxMessage.id == message_id)
