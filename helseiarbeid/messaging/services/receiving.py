"""Receiving health messages: check, store, act on the referral, answer with an AppRec.

The checks, in order, each giving AppRec status 2 (rejected) with its code from 8221:
not well-formed (T01); not a kind this service reads (T10); no or a malformed MsgId (E10);
not valid against its schema (T02); a MsgHead type or ServType not supported (T10); no
receiver HER-id of this clinic (E21, setting HELSEIARBEID_HER_IDS); patient id missing (E30)
or not a valid fødselsnummer/D-number (E31); patient name missing (E32); the referring GP's
HPR number missing or malformed (E20); a change or cancellation of a referral not received
here (X99). A rejected message is kept in the log only.

A Dialogmelding 1.1 (``DIALOG_HELSEFAGLIG``) is taken as the GP's answer to a question the
team sent (``ConversationRef`` naming it): attached to the open question, or, when none is
open, kept as supplementary information with the team alerted; one that names no question
sent from here, comes from another office, or is about another patient is rejected
(X99, X99, E35); a question from the GP (``Foresporsel``) is not supported here (T10).

An AppRec goes back to the original message's sender: its ``Receiver`` is that sender's HER-id
(AppRec 1.1, ``Receiver/HCP/Inst/Id``, required). When the sender's HER-id cannot be read (the
XML is not well-formed, is no message this service knows, or names no sender HER-id), there is
no one to address a receipt to: an AppRec to a made-up HER-id would be a false address.
Then the message is logged as rejected with no AppRec, and the caller gets ``Answer`` with
``apprec_xml`` None and the errors (the API answers 422 saying why, with the 8221 codes, so
the message-server adapter can reject it through the message server, which knows the sender
from the envelope: msh-api-v2 ``POST /Messages/{id}/apprec/{appRecSenderHerId}``).
Error texts are Norwegian and never echo the message's values (they may be health data).

A valid new referral (ServType N) becomes a referral through ``referrals.services``; a part
that cannot be used (an attachment that does not decode) gives status 3. The same MsgId
again is answered with the stored AppRec and changes nothing; the unique ``dedupe_key`` is
the lock concurrent deliveries race on.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from lxml import etree

from helseiarbeid.clinics import services as clinics
from helseiarbeid.core import audit
from helseiarbeid.core.audit import Actor, AuditAction
from helseiarbeid.core.clock import utcnow
from helseiarbeid.core.database import insert_row, is_unique_violation, write_transaction
from helseiarbeid.core.identifiers import IdentifierError, validate_hpr_number, validate_national_id
from helseiarbeid.core.users import find_or_register_gp
from helseiarbeid.messaging import apprec
from helseiarbeid.messaging.reading import (
    DIALOG_TYPES,
    MSGHEAD_TYPES,
    ROOTS,
    ReceivedDialog,
    ReceivedReferral,
    msg_id_of,
    read,
    read_dialog,
)
from helseiarbeid.messaging.standards import NotWellFormed, parse, validate
from helseiarbeid.messaging.tables import HealthMessage
from helseiarbeid.referrals import services as referrals
from helseiarbeid.referrals.schemas import Complaint, Urgency
from helseiarbeid.settings import get_settings

# A MsgId is an identifier (a GUID in practice): 1–128 visible characters, no blanks.
_MSG_ID = re.compile(r"[A-Za-z0-9._:{}\-]{1,128}")
_HER_ID = re.compile(r"[1-9][0-9]{0,15}")  # a HER-id: a whole number (9051), no leading 0
_DATETIME = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)?")
SERV_TYPES = {"N": "Ny", "M": "Endring", "C": "Kansellering"}


NO_RECEIPT_OUTCOME = "Avvist uten kvittering: avsenderens HER-id kunne ikke leses"
NO_SENDER = (
    "Meldingen er avvist og logget, men avsenderens HER-id kunne ikke leses, så det er ingen å "
    "sende en applikasjonskvittering (AppRec) til."
)


@dataclass(frozen=True)
class Answer:
    """What the sender gets: the AppRec status and its XML, None when no AppRec could be
    addressed (the sender's HER-id could not be read, see the module); ``errors`` the 8221
    codes with their Norwegian text; ``replayed`` for a repeat."""

    status: int
    apprec_xml: bytes | None
    message_id: int
    errors: tuple[tuple[str, str], ...] = ()
    replayed: bool = False


class _Rejected(Exception):
    def __init__(self, *errors: tuple[str, str]) -> None:
        super().__init__(errors[0][1])
        self.errors = list(errors)


async def _clinic(clinic_id: int | None) -> apprec.Party:
    """The receiving clinic as the AppRec's sender: its name and first HER-id, else the
    settings' (HELSEIARBEID_CLINIC_NAME, HELSEIARBEID_HER_IDS)."""
    settings = get_settings()
    name = await clinics.clinic_name(clinic_id) or settings.clinic_name
    her_ids = await clinics.clinic_her_ids(clinic_id) or settings.her_ids
    return apprec.Party(name, her_ids[0] if her_ids else "")


async def receiving_clinic(receiver_her_ids: list[str]) -> int | None:
    """The clinic a message is for (issue 15 §2): the one owning a receiver HER-id
    (``clinic_her_id``); a HER-id only in HELSEIARBEID_HER_IDS reaches the first clinic (a
    single-clinic installation); None when no clinic has any of them (E21)."""
    found = await clinics.clinic_for_her_ids(receiver_her_ids)
    if found is None and set(get_settings().her_ids).intersection(receiver_her_ids):
        found = await clinics.default_clinic_id()
    return found


def _original(msg_type: str, issued: str, msg_id: str, now: datetime) -> apprec.Original:
    if not _DATETIME.fullmatch(issued):
        issued = now.replace(tzinfo=None, microsecond=0).isoformat()
    return apprec.Original(msg_type, issued, msg_id)


async def receive(raw: bytes, actor: Actor) -> Answer:
    """Process one message (the request body or a file) and answer with its AppRec."""
    now = utcnow()
    digest = hashlib.sha256(raw).hexdigest()
    try:
        root = parse(raw)
    except NotWellFormed as exc:
        return await _reject(raw, digest, now, actor, None, [("T01", str(exc))])
    msg_id = msg_id_of(root)
    try:
        if msg_id and (earlier := await _earlier(msg_id, digest)):
            return earlier
    except _DuplicateId:
        used = ("E10", "MsgId er allerede brukt for en annen melding.")
        return await _reject(raw, digest, now, actor, root, [used], msg_id=msg_id)
    try:
        message, clinic_id = await _check(root, msg_id)
    except _Rejected as rejected:
        return await _reject(raw, digest, now, actor, root, rejected.errors, msg_id=msg_id)
    for attempt in range(3):
        try:
            if isinstance(message, ReceivedDialog):
                return await _accept_dialog(raw, digest, now, actor, message, clinic_id)
            return await _accept(raw, digest, now, actor, message, clinic_id)
        except _Rejected as rejected:
            return await _reject(raw, digest, now, actor, root, rejected.errors, msg_id=msg_id)
        except Exception as error:
            if not is_unique_violation(error) or attempt == 2:
                raise
            # Another delivery of the same message won the race: answer as it was answered.
            # (Else another message registered the same GP or patient first: try again.)
            if earlier := await _earlier(msg_id, digest):
                return earlier
    raise AssertionError("unreachable")  # pragma: no cover


async def _earlier(msg_id: str, digest: str) -> Answer | None:
    """The stored answer to this MsgId; a different body under a known MsgId is refused."""
    row = (
        await HealthMessage.select(
            HealthMessage.id,
            HealthMessage.body_sha256,
            HealthMessage.apprec_xml,
            HealthMessage.apprec_status,
            HealthMessage.apprec_errors,
        )
        .where(HealthMessage.dedupe_key == f"in:{msg_id}")
        .first()
    )
    if row is None:
        return None
    if row["body_sha256"] != digest:
        raise _DuplicateId()
    return Answer(
        int(row["apprec_status"]),
        row["apprec_xml"].encode() or None,
        row["id"],
        tuple((code, text) for code, text in json.loads(row["apprec_errors"] or "[]")),
        replayed=True,
    )


class _DuplicateId(Exception):
    pass


async def _check(
    root: etree._Element, msg_id: str
) -> tuple[ReceivedReferral | ReceivedDialog, int]:
    """All checks before anything is stored (module docstring); the message and the clinic
    it is for; raises _Rejected."""
    kind = ROOTS.get(root.tag)
    if kind is None:
        raise _Rejected(("T10", f"Meldingstypen {etree.QName(root).localname!r} støttes ikke."))
    errors: list[tuple[str, str]] = []
    if not _MSG_ID.fullmatch(msg_id):
        errors.append(("E10", "MsgId mangler eller er ugyldig."))
    problems = validate(kind[0], root)
    if problems:
        errors.append(("T02", f"Meldingen følger ikke skjemaet ({kind[1]}): {problems[0]}"[:500]))
    if errors:
        raise _Rejected(*errors)
    message = read(root)
    if not _HER_ID.fullmatch(message.sender_her_id):
        raise _Rejected(("X99", "Avsenderens HER-id mangler eller er ugyldig."))
    dialog = None
    if message.standard == "Henvisning 2.0" and message.msg_type in DIALOG_TYPES:
        dialog = read_dialog(root)
        message = dialog.head
        if dialog.questions or not dialog.notes:
            raise _Rejected(
                ("T10", "Bare svar på spørsmål fra klinikken tas imot som dialogmelding.")
            )
    elif message.standard == "Henvisning 2.0" and message.msg_type not in MSGHEAD_TYPES:
        raise _Rejected(("T10", f"Meldingstypen {message.msg_type!r} støttes ikke her."))
    elif message.serv_type not in SERV_TYPES:
        raise _Rejected(("T10", f"Tjenestetypen {message.serv_type!r} støttes ikke."))
    clinic_id = await receiving_clinic(message.receiver_her_ids)
    if clinic_id is None:
        raise _Rejected(("E21", "Mottakerens HER-id tilhører ingen klinikk her."))
    if not message.patient_id:
        raise _Rejected(("E30", "Pasientens fødselsnummer mangler."))
    if message.patient_id_type not in {"FNR", "DNR"}:
        raise _Rejected(("E31", f"Pasientens id-type {message.patient_id_type!r} støttes ikke."))
    try:
        validate_national_id(message.patient_id)
    except IdentifierError as exc:
        raise _Rejected(("E31", str(exc))) from exc
    if not message.patient_name:
        raise _Rejected(("E32", "Pasientens navn mangler."))
    if dialog is not None:
        return dialog, clinic_id
    if message.serv_type == "N":
        try:
            validate_hpr_number(message.gp_hpr)
        except IdentifierError as exc:
            raise _Rejected(("E20", f"Henvisende leges HPR-nummer: {exc}")) from exc
    return message, clinic_id


def _referral_data(message: ReceivedReferral, national_id: str) -> referrals.MessageReferral:
    chapters = {code[:1].upper() for code, _ in message.diagnoses if code}
    if {"L", "P"} <= chapters:
        complaint = Complaint.BOTH
    elif "P" in chapters:
        complaint = Complaint.MENTAL
    else:
        complaint = Complaint.MUSCULOSKELETAL
    also = () if chapters & {"L", "P"} else ("complaint",)
    if not message.question:
        also = (*also, "question")
    return referrals.MessageReferral(
        national_id=national_id,
        patient_name=message.patient_name,
        patient_address=message.patient_address,
        patient_phone=message.patient_phone,
        complaint=complaint,
        description=message.description,
        question=message.question,
        history=message.history,
        medication=message.medication,
        urgency=Urgency.URGENT if message.urgent else Urgency.ROUTINE,
        urgency_reason=message.priority_text if message.urgent else "",
        also_to_complete=also,
    )


async def _original_referral(message: ReceivedReferral) -> int:
    """The referral a change or cancellation is about: the new referral whose DocumentId or
    MsgId the message names (its DocumentId, ConversationRef parent or conversation)."""
    names = [name for name in (message.document_id, *message.references) if name]
    row = (
        await HealthMessage.select(HealthMessage.referral)
        .where(
            (HealthMessage.direction == "in")
            & (HealthMessage.serv_type == "N")
            & HealthMessage.referral.is_not_null()
            & (HealthMessage.document_id.is_in(names) | HealthMessage.msg_id.is_in(names))
        )
        .order_by(HealthMessage.id, ascending=False)
        .first()
    )
    if row is None:
        raise _Rejected(("X99", "Fant ingen henvisning mottatt her som meldingen gjelder."))
    return int(row["referral"])


def _columns(message: ReceivedReferral | None, root: etree._Element | None) -> dict[str, Any]:
    if message is None:
        return {"msg_type": etree.QName(root).localname[:64] if root is not None else ""}
    return {
        "msg_type": message.msg_type[:64],
        "standard": message.standard,
        "serv_type": message.serv_type[:1],
        "document_id": message.document_id[:128],
        "sender_her_id": message.sender_her_id[:16],
        "sender_name": message.sender_name[:200],
        "receiver_her_id": (message.receiver_her_ids[-1] if message.receiver_her_ids else "")[:16],
        "receiver_name": message.receiver_name[:200],
    }


async def _accept(
    raw: bytes,
    digest: str,
    now: datetime,
    actor: Actor,
    message: ReceivedReferral,
    clinic_id: int,
) -> Answer:
    national_id = validate_national_id(message.patient_id)
    referral_id = None if message.serv_type == "N" else await _original_referral(message)
    if referral_id is not None:
        # A change or cancellation belongs to where the referral is now (it may have been
        # forwarded to another clinic since).
        clinic_id = await referrals.clinic_of(referral_id) or clinic_id
    errors: list[tuple[str, str]] = []
    patient_id: int | None = None
    # The log row is written last, with its AppRec, in the same transaction: a concurrent
    # delivery of the same MsgId fails on dedupe_key at that INSERT and rolls back whole
    # (``receive`` then answers with the AppRec stored by the one that won).
    async with write_transaction():
        if referral_id is None:
            gp = await find_or_register_gp(
                name=message.gp_name or message.sender_person_name,
                hpr_number=validate_hpr_number(message.gp_hpr),
                her_id=message.sender_person_her_id,
                workplace_name=message.sender_name,
                workplace_phone=message.gp_phone,
            )
            referral_id, reference, patient_id = await referrals.receive_referral(
                actor, gp, _referral_data(message, national_id), now, clinic_id=clinic_id
            )
            for attachment in message.attachments:
                if attachment.content is None:
                    errors.append(
                        ("X99", f"Vedlegget «{attachment.description}» {attachment.problem}.")
                    )
                else:
                    await referrals.store_document(
                        actor,
                        referral_id,
                        kind="attachment",
                        title=attachment.description[:200],
                        content=attachment.content,
                    )
            outcome = f"Ny henvisning {reference}"
        elif message.serv_type == "M":
            outcome = await referrals.change_from_message(
                actor,
                referral_id,
                description=message.description,
                history=message.history,
                medication=message.medication,
                question=message.question,
                comment=message.comment,
            )
        else:
            outcome = await referrals.cancel_from_message(
                actor, referral_id, comment=message.comment
            )
        status = 3 if errors else 1
        xml = await _apprec(message, status, errors, now, clinic_id)
        message_id = await insert_row(
            HealthMessage,
            {
                "direction": "in",
                "dedupe_key": f"in:{message.msg_id}",
                "msg_id": message.msg_id,
                **_columns(message, None),
                "body_sha256": digest,
                "raw_xml": raw.decode("utf-8", errors="replace"),
                "received_at": now,
                "apprec_status": status,
                "apprec_errors": json.dumps(errors, ensure_ascii=False),
                "apprec_xml": xml.decode(),
                "referral": referral_id,
                "outcome": outcome[:200],
                "clinic": clinic_id,
            },
        )
        await audit.record(
            actor,
            AuditAction.CREATE,
            "health_message",
            message_id,
            purpose="helsemelding mottatt",
            patient_id=patient_id
            if patient_id is not None
            else await referrals.patient_of(referral_id),
            referral_id=referral_id,
        )
    return Answer(status, xml, message_id, tuple(errors))


async def _apprec(
    message: ReceivedReferral,
    status: int,
    errors: list[tuple[str, str]],
    now: datetime,
    clinic_id: int,
) -> bytes:
    return apprec.build(
        sender=await _clinic(clinic_id),
        receiver=apprec.Party(message.sender_name, message.sender_her_id),
        status=status,
        errors=errors,
        original=_original(message.msg_type, message.issued, message.msg_id, now),
        now=now,
    )


async def _reject(
    raw: bytes,
    digest: str,
    now: datetime,
    actor: Actor,
    root: etree._Element | None,
    errors: list[tuple[str, str]],
    *,
    msg_id: str = "",
) -> Answer:
    """Log the rejected message (nothing else is stored) and answer with status 2: an AppRec
    to its sender, or none when the sender's HER-id cannot be read (module docstring)."""
    message = None
    if root is not None and not any(code in {"T02", "T10", "E10"} for code, _ in errors):
        message = read(root)
    clinic_id = await receiving_clinic(message.receiver_her_ids) if message else None
    sender = _sender_of(root)
    msg_type = (
        message.msg_type if message else (etree.QName(root).localname if root is not None else "")
    )
    xml = None
    if sender is not None:
        xml = apprec.build(
            sender=await _clinic(clinic_id),
            receiver=sender,
            status=2,
            errors=errors,
            original=_original(msg_type, message.issued if message else "", msg_id[:128], now),
            now=now,
        )
    usable_id = bool(_MSG_ID.fullmatch(msg_id)) and not any(code == "E10" for code, _ in errors)
    values = {
        "direction": "in",
        "dedupe_key": f"in:{msg_id}" if usable_id else None,
        "msg_id": msg_id[:128],
        **_columns(message, root),
        "body_sha256": digest,
        "raw_xml": raw.decode("utf-8", errors="replace"),
        "received_at": now,
        "apprec_status": 2,
        "apprec_errors": json.dumps(errors, ensure_ascii=False),
        "apprec_xml": xml.decode() if xml is not None else "",
        "outcome": "Avvist" if xml is not None else NO_RECEIPT_OUTCOME,
        "clinic": clinic_id,
    }
    try:
        async with write_transaction():
            message_id = await insert_row(HealthMessage, values)
            await audit.record(
                actor,
                AuditAction.CREATE,
                "health_message",
                message_id,
                purpose="helsemelding avvist",
            )
    except Exception as error:
        if not is_unique_violation(error) or not usable_id:
            raise
        earlier = await _earlier(msg_id, digest)
        if earlier is None:
            raise
        return earlier
    return Answer(2, xml, message_id, tuple(errors))


async def _asked_in(message: ReceivedDialog) -> tuple[int, str]:
    """The referral and the GP office's HER-id of the question this answer refers to: the
    ``DIALOG_HELSEFAGLIG`` sent from here whose MsgId is the answer's ``RefToParent`` (else
    its ``RefToConversation``). Raises _Rejected (X99) when it names none."""
    names = [name for name in (message.parent, message.conversation) if name]
    rows = await HealthMessage.select(
        HealthMessage.msg_id, HealthMessage.referral, HealthMessage.receiver_her_id
    ).where(
        (HealthMessage.direction == "out")
        & (HealthMessage.msg_type == "DIALOG_HELSEFAGLIG")
        & HealthMessage.referral.is_not_null()
        & HealthMessage.msg_id.is_in(names or [""])
    )
    by_id = {row["msg_id"]: row for row in rows}
    for name in names:
        if name in by_id:
            return int(by_id[name]["referral"]), str(by_id[name]["receiver_her_id"])
    raise _Rejected(
        ("X99", "Meldingen viser ikke til et spørsmål sendt herfra (ConversationRef ukjent).")
    )


async def _accept_dialog(
    raw: bytes,
    digest: str,
    now: datetime,
    actor: Actor,
    dialog: ReceivedDialog,
    clinic_id: int,
) -> Answer:
    """The GP's answer (Dialogmelding 1.1) to the team's question: attached to the open
    question as the web answer is (``referrals.answer_from_message``), or kept as
    supplementary information when none is open. Rejected (status 2) when it refers to no
    question sent from here (X99), comes from another office than the question went to
    (X99), or is about another patient (E35)."""
    message = dialog.head
    referral_id, office_her_id = await _asked_in(dialog)
    if office_her_id and message.sender_her_id != office_her_id:
        raise _Rejected(
            ("X99", "Svaret kommer fra en annen avsender enn spørsmålet ble sendt til.")
        )
    addressee = await referrals.message_addressee(referral_id)
    if validate_national_id(message.patient_id) != addressee.national_id:
        raise _Rejected(("E35", "Pasienten i svaret er ikke pasienten spørsmålet gjaldt."))
    # The answer belongs to where the referral is now (it may have been forwarded since).
    clinic_id = await referrals.clinic_of(referral_id) or clinic_id
    text = "\n\n".join(note for _, _, note in dialog.notes if note)
    async with write_transaction():  # the log row last, as in _accept
        outcome = await referrals.answer_from_message(actor, referral_id, text)
        xml = await _apprec(message, 1, [], now, clinic_id)
        message_id = await insert_row(
            HealthMessage,
            {
                "direction": "in",
                "dedupe_key": f"in:{message.msg_id}",
                "msg_id": message.msg_id,
                **_columns(message, None),
                "body_sha256": digest,
                "raw_xml": raw.decode("utf-8", errors="replace"),
                "received_at": now,
                "apprec_status": 1,
                "apprec_errors": "[]",
                "apprec_xml": xml.decode(),
                "referral": referral_id,
                "outcome": (outcome or "Svar fra fastlege")[:200],
                "clinic": clinic_id,
            },
        )
        await audit.record(
            actor,
            AuditAction.CREATE,
            "health_message",
            message_id,
            purpose="helsemelding mottatt",
            patient_id=addressee.patient_id,
            referral_id=referral_id,
        )
    return Answer(1, xml, message_id)


def _sender_of(root: etree._Element | None) -> apprec.Party | None:
    """The sender to address an AppRec to, read as far as the message allows (also from one
    that fails its schema); None when it has no readable HER-id."""
    if root is None or root.tag not in ROOTS:
        return None
    try:
        message = read(root)
    except Exception:  # a message too broken to read: no sender
        return None
    if not _HER_ID.fullmatch(message.sender_her_id):
        return None
    return apprec.Party(message.sender_name, message.sender_her_id)
