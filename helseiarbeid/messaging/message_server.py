"""Norsk Helsenett's message server ("MSH API v2", ../shared/standards/nhn/msh-api-v2.json):
the transport health messages travel by, in and out (issue 13 §9–§11).

:class:`MessageServer` speaks the REST API by its operations — GetMessages,
GetBusinessDocument, PostAppRec, MarkMessageAsRead, PostMessage, GetApprecInfo — with a
HelseID access token (``core.helseid_client``: client credentials, private_key_jwt,
DPoP-bound) and a fresh DPoP proof per request (RFC 9449: ``htm``, ``htu``, ``iat``, ``jti``,
``ath``). A ``401`` with ``use_dpop_nonce`` is answered once more with the server's
``DPoP-Nonce``; a ``401`` ``invalid_token`` once more with a new token.

Errors are the outbox's: :class:`~helseiarbeid.core.outbox.TransientError` when the server or
HelseID is away, times out, or answers 5xx/429/401 (tried again with backoff),
:class:`~helseiarbeid.core.outbox.PermanentError` for 400/403/404 (the message will never go as
it stands; the coordinator sees the error text on «Meldinger»).

Three jobs use it:

- :func:`deliver` — the outbox transport of channel ``health_message``: PostMessage with the
  message's XML (base64), the server's id kept on the message. A message that already has a
  server id was posted before the worker could record the delivery, and is not posted again.
- :func:`poll_once` — GetMessages for our HER-ids; for each unread message not a receipt:
  GetBusinessDocument, ``services.receive`` (the same processing as POST /api/v1/messages),
  PostAppRec with its status and errors, MarkMessageAsRead. Each step is recorded on the
  message, so a poll interrupted anywhere repeats only what was not done: the same document
  again is answered from the log (dedupe on MsgId), an AppRec handed over is not sent again.
  Receipts (``isAppRec``) are marked read; what they say is read with GetApprecInfo.
- :func:`update_receipts` — GetApprecInfo for sent messages without a receipt yet (the last
  ``RECEIPT_DAYS`` days): the AppRec status and errors are recorded on the message; status 2
  (Rejected) shows the coordinator a failed delivery with the error text.

The worker (``helseiarbeid worker``) runs :func:`run_poller` beside the outbox when the
message server is configured (``Settings.message_server_on``). Run one poller per clinic:
two polling at once store a message once (the MsgId is unique) but may both hand over its
AppRec. Sending is safe from any number of processes (the outbox's claims).
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import json
import logging
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import httpx

from helseiarbeid.clinics import services as clinics
from helseiarbeid.core import dpop, outbox
from helseiarbeid.core.audit import Actor
from helseiarbeid.core.clock import utcnow
from helseiarbeid.core.helseid_client import TokenSource, TokenUnavailable
from helseiarbeid.core.outbox import PermanentError, TransientError
from helseiarbeid.messaging.services.receiving import receive
from helseiarbeid.messaging.tables import HealthMessage
from helseiarbeid.settings import Settings, get_settings

log = logging.getLogger("helseiarbeid.message_server")

API_VERSION = "2"
CHANNEL = "health_message"
HTTP_TIMEOUT_SECONDS = 15
MESSAGES_TO_FETCH = 50
RECEIPT_DAYS = 30
# Who acts when the poller receives a message (audit rows): the service itself, as messaging.
POLLER = Actor(user_id=None, role="messaging", client="message-server")
# AppRec 1.1 status (2.16.578.1.12.4.1.1.8258) and the API's AppRecStatus, both ways.
APPREC_STATUS = {1: "Ok", 2: "Rejected", 3: "OkErrorInMessagePart"}
APPREC_CODE = {name: code for code, name in APPREC_STATUS.items()}


@dataclass(frozen=True)
class PollResult:
    """What one poll did: messages received (processed and answered), receipts marked read."""

    received: int = 0
    receipts: int = 0


class MessageServer:
    """A client of the message server at ``settings.msh_url`` with HelseID tokens from
    ``tokens``. Every method raises TransientError or PermanentError (module doc)."""

    def __init__(self, settings: Settings, tokens: TokenSource) -> None:
        self.base_url = settings.msh_url
        self.source_system = settings.msh_source_system
        self.tokens = tokens
        self._nonce: str | None = None

    async def _request(
        self,
        method: str,
        path: str,
        *,
        params: list[tuple[str, str | int | float | bool | None]] | None = None,
        body: dict[str, Any] | None = None,
    ) -> httpx.Response:
        url = f"{self.base_url}{path}"
        for _ in range(3):
            try:
                token = await self.tokens.access_token()
            except TokenUnavailable as exc:
                error_type = TransientError if exc.transient else PermanentError
                raise error_type(exc.message) from exc
            proof = dpop.make_proof(
                self.tokens.dpop_key, method, url, access_token=token, nonce=self._nonce
            )
            headers = {
                "Authorization": f"DPoP {token}",
                "DPoP": proof,
                "api-version": API_VERSION,
                "nhn-source-system": self.source_system,
                "Accept": "application/json",
            }
            try:
                async with httpx.AsyncClient(timeout=HTTP_TIMEOUT_SECONDS) as http:
                    response = await http.request(
                        method, url, params=params, json=body, headers=headers
                    )
            except httpx.HTTPError as exc:
                raise TransientError(
                    f"meldingstjeneren svarer ikke ({type(exc).__name__})"
                ) from exc
            if response.headers.get("DPoP-Nonce"):
                self._nonce = response.headers["DPoP-Nonce"]
            if response.status_code != 401:
                break
            challenge = response.headers.get("WWW-Authenticate", "")
            if "use_dpop_nonce" in challenge:
                continue
            if "invalid_token" in challenge:
                self.tokens.forget()
                continue
            break
        if response.is_success:
            return response
        detail = _error_text(response)
        if response.status_code in (401, 429) or response.status_code >= 500:
            raise TransientError(f"meldingstjeneren svarte {response.status_code}{detail}")
        raise PermanentError(
            f"meldingstjeneren avviste forespørselen ({response.status_code}){detail}"
        )

    async def get_messages(self, receiver_her_ids: tuple[str, ...]) -> list[dict[str, Any]]:
        """GetMessages: unread messages for these HER-ids, with metadata, oldest first."""
        params: list[tuple[str, str | int | float | bool | None]] = [
            ("ReceiverHerIds", her_id) for her_id in receiver_her_ids
        ]
        params += [
            ("IncludeMetadata", "true"),
            ("MessagesToFetch", str(MESSAGES_TO_FETCH)),
            ("OrderBy", "Ascending"),
        ]
        answer = (await self._request("GET", "/Messages", params=params)).json()
        return [item for item in answer if isinstance(item, dict)]

    async def get_business_document(self, message_id: str) -> bytes:
        """GetBusinessDocument: the message's payload, decoded (always base64)."""
        answer = (await self._request("GET", f"/Messages/{message_id}/business-document")).json()
        if str(answer.get("contentTransferEncoding", "")).lower() != "base64":
            raise PermanentError("meldingstjeneren ga dokumentet i en ukjent koding")
        try:
            return base64.b64decode(answer["businessDocument"], validate=True)
        except (KeyError, ValueError) as exc:
            raise PermanentError("meldingstjeneren ga et dokument som ikke er base64") from exc

    async def post_app_rec(
        self, message_id: str, sender_her_id: str, status: int, errors: list[tuple[str, str]]
    ) -> str:
        """PostAppRec: our application receipt for a received message (the server builds the
        AppRec document from the status and the errors); returns the receipt's id."""
        body: dict[str, Any] = {"appRecStatus": APPREC_STATUS[status]}
        if errors:
            body["appRecErrorList"] = [
                {"errorCode": code, "details": text[:1000]} for code, text in errors
            ]
        response = await self._request(
            "POST", f"/Messages/{message_id}/apprec/{int(sender_her_id)}", body=body
        )
        return str(response.json())

    async def mark_as_read(self, message_id: str, her_id: str) -> None:
        """MarkMessageAsRead for the receiver ``her_id``."""
        await self._request("PUT", f"/Messages/{message_id}/read/{int(her_id)}")

    async def post_message(self, xml: bytes) -> str:
        """PostMessage: send a business document (UTF-8 XML); returns its id on the server."""
        body = {
            "businessDocument": base64.b64encode(xml).decode(),
            "contentType": "application/xml",
            "contentTransferEncoding": "base64",
        }
        return str((await self._request("POST", "/Messages", body=body)).json())

    async def get_apprec_info(self, message_id: str) -> list[dict[str, Any]]:
        """GetApprecInfo: the receipt(s) that came back for a sent message, per receiver."""
        answer = (await self._request("GET", f"/Messages/{message_id}/apprec")).json()
        return [item for item in answer if isinstance(item, dict)]


def _error_text(response: httpx.Response) -> str:
    try:
        answer = response.json()
    except ValueError:
        return ""
    if isinstance(answer, dict) and answer.get("error"):
        return f": {str(answer['error'])[:200]}"
    return ""


_CLIENT: dict[tuple[str, str, str], MessageServer] = {}


def client() -> MessageServer:
    """The process's client for the configured server (one token cache per process).
    Raises PermanentError when the message server is not configured."""
    settings = get_settings()
    if not settings.message_server_on:
        raise PermanentError("meldingstjeneren er ikke satt opp")
    key = (settings.msh_url, settings.helseid_issuer, settings.helseid_client_id)
    if key not in _CLIENT:
        tokens = TokenSource(
            issuer=settings.helseid_issuer,
            client_id=settings.helseid_client_id,
            private_jwk=settings.helseid_private_jwk,
            scope=settings.msh_scope,
            resource=settings.msh_audience,
        )
        _CLIENT[key] = MessageServer(settings, tokens)
    return _CLIENT[key]


# ---------------------------------------------------------------------------------------------
# Sending (the outbox transport)


async def deliver(message: outbox.Outgoing) -> None:
    """The outbox transport for ``health_message``: PostMessage, then keep the server's id on
    the message. A message with a server id already left (the worker stopped before it could
    record that), so it is not posted twice."""
    row = (
        await HealthMessage.select(HealthMessage.id, HealthMessage.server_id)
        .where((HealthMessage.outbox_message == message.id) & (HealthMessage.direction == "out"))
        .first()
    )
    if row is not None and row["server_id"]:
        return
    server_id = await client().post_message(message.body.encode())
    if row is not None:
        await HealthMessage.update({HealthMessage.server_id: server_id}).where(
            HealthMessage.id == row["id"]
        )
    log.info("health message %s posted to the message server", row["id"] if row else "?")


def register() -> bool:
    """Plug the transport into the outbox when the message server is configured; returns
    whether it did. Without it, health messages wait in the outbox, due."""
    if get_settings().message_server_on:
        outbox.TRANSPORTS[CHANNEL] = deliver
        return True
    outbox.TRANSPORTS.pop(CHANNEL, None)
    return False


# ---------------------------------------------------------------------------------------------
# Receiving


_RECEIVED_COLUMNS = (
    HealthMessage.id,
    HealthMessage.server_id,
    HealthMessage.apprec_status,
    HealthMessage.apprec_errors,
    HealthMessage.apprec_sent_at,
)


async def _receive_one(server: MessageServer, item: dict[str, Any]) -> None:
    server_id = str(item["id"])
    receiver = str(item.get("receiverHerId") or get_settings().her_ids[0])
    row = (
        await HealthMessage.select(*_RECEIVED_COLUMNS)
        .where((HealthMessage.direction == "in") & (HealthMessage.server_id == server_id))
        .first()
    )
    if row is None:
        answer = await receive(await server.get_business_document(server_id), POLLER)
        await HealthMessage.update({HealthMessage.server_id: server_id}).where(
            (HealthMessage.id == answer.message_id) & (HealthMessage.server_id == "")
        )
        row = (
            await HealthMessage.select(*_RECEIVED_COLUMNS)
            .where(HealthMessage.id == answer.message_id)
            .first()
        )
        if row is None:  # deleted meanwhile: nothing to answer from
            raise PermanentError("meldingen forsvant fra loggen under mottaket")
    # A document received before under another server id (sent twice) is answered again.
    ours = row["server_id"] == server_id
    if row["apprec_sent_at"] is None or not ours:
        errors = [(code, text) for code, text in json.loads(row["apprec_errors"] or "[]")]
        await server.post_app_rec(server_id, receiver, row["apprec_status"] or 2, errors)
        if ours:
            await HealthMessage.update({HealthMessage.apprec_sent_at: utcnow()}).where(
                HealthMessage.id == row["id"]
            )
    await server.mark_as_read(server_id, receiver)


async def poll_once() -> PollResult:
    """One poll of the message server (module doc). Raises TransientError or PermanentError
    when the server cannot be asked; a transient failure on one message stops the poll (the
    rest wait for the next, in order), a permanent one is logged and the others go on (that
    message stays unread and is tried again at the next poll)."""
    settings = get_settings()
    server = client()
    received = receipts = 0
    # The settings' HER-ids (the first clinic's) and every clinic's, each once.
    her_ids = tuple(dict.fromkeys((*settings.her_ids, *await clinics.all_her_ids())))
    for item in await server.get_messages(her_ids):
        if not item.get("id"):
            continue
        if item.get("isAppRec"):
            await server.mark_as_read(
                str(item["id"]), str(item.get("receiverHerId") or settings.her_ids[0])
            )
            receipts += 1
            continue
        try:
            await _receive_one(server, item)
        except PermanentError as error:  # this one cannot be fetched or answered; go on
            log.warning("message %s from the message server not received: %s", item["id"], error)
            continue
        received += 1
    await update_receipts()
    return PollResult(received, receipts)


async def update_receipts() -> int:
    """GetApprecInfo for sent messages posted in the last ``RECEIPT_DAYS`` days that have no
    receipt yet; records status and errors (AppRecError errorCode and details) on each.
    Returns how many receipts were recorded."""
    server = client()
    since = utcnow() - timedelta(days=RECEIPT_DAYS)
    rows = await HealthMessage.select(HealthMessage.id, HealthMessage.server_id).where(
        (HealthMessage.direction == "out")
        & (HealthMessage.server_id != "")
        & HealthMessage.apprec_status.is_null()
        & (HealthMessage.received_at >= since)
    )
    recorded = 0
    for row in rows:
        infos = await server.get_apprec_info(row["server_id"])
        statuses = [info for info in infos if info.get("appRecStatus") in APPREC_CODE]
        if not statuses:
            continue
        rejected = [info for info in statuses if info["appRecStatus"] == "Rejected"]
        worst = (rejected or statuses)[0]
        errors = [
            [str(error.get("errorCode") or "X99"), str(error.get("details") or "")[:300]]
            for info in statuses
            for error in info.get("appRecErrorList") or []
        ]
        await HealthMessage.update(
            {
                HealthMessage.apprec_status: APPREC_CODE[worst["appRecStatus"]],
                HealthMessage.apprec_errors: json.dumps(errors, ensure_ascii=False),
            }
        ).where(HealthMessage.id == row["id"])
        recorded += 1
    return recorded


async def run_poller(stop: asyncio.Event) -> None:
    """Poll every HELSEIARBEID_MSH_POLL_SECONDS until ``stop`` is set; a failed poll (server,
    HelseID or database away) is logged and tried again at the next tick."""
    interval = get_settings().msh_poll_seconds
    while not stop.is_set():
        try:
            result = await poll_once()
            if result.received or result.receipts:
                log.info(
                    "message server: %d received, %d receipts", result.received, result.receipts
                )
        except Exception as error:  # the server or the database may be away; next tick
            log.warning("message-server poll failed: %s", error)
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), interval)
