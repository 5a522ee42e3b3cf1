"""Receiving health messages: check, store, act on the referral, answer with an AppRec.

The checks, in order, each giving AppRec status 2 (rejected) with its code from 8221:
not well-formed (T01); not a kind this service reads (T10); no or a malformed MsgId (E10);
not valid against its schema (T02); a MsgHead type or ServType not supported (T10); no
receiver HER-id of this clinic (E21, setting HELSEIARBEID_HER_IDS); patient id missing (E30)
or not a valid fødselsnummer/D-number (E31); patient name missing (E32); the referring GP's
HPR number missing or malformed (E20); a change or cancellation of a referral not received
here (X99). A rejected message is kept in the log only.

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
from helseiarbeid.messaging.reading import MSGHEAD_TYPES, ROOTS, ReceivedReferral, msg_id_of, read
from helseiarbeid.messaging.standards import NotWellFormed, parse, validate
from helseiarbeid.messaging.tables import HealthMessage
from helseiarbeid.referrals import services as referrals
from helseiarbeid.referrals.schemas import Complaint, Urgency
from helseiarbeid.settings import get_settings

# A MsgId is an identifier (a GUID in practice): 1–128 visible characters, no blanks.
_MSG_ID = re.compile(r"[A-Za-z0-9._:{}\-]{1,128}")
_DATETIME = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)?")
SERV_TYPES = {"N": "Ny", "M": "Endring", "C": "Kansellering"}


@dataclass(frozen=True)
class Answer:
    """What the sender gets: the AppRec status and its XML; ``replayed`` for a repeat."""

    status: int
    apprec_xml: bytes
    message_id: int
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
        return await _reject(
            raw, digest, now, actor, None, [("T01", f"Ikke velformet XML: {exc}"[:300])]
        )
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
        )
        .where(HealthMessage.dedupe_key == f"in:{msg_id}")
        .first()
    )
    if row is None:
        return None
    if row["body_sha256"] != digest:
        raise _DuplicateId()
    return Answer(int(row["apprec_status"]), row["apprec_xml"].encode(), row["id"], replayed=True)


class _DuplicateId(Exception):
    pass


async def _check(root: etree._Element, msg_id: str) -> tuple[ReceivedReferral, int]:
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
        errors.append(("T02", f"Ikke gyldig etter skjemaet: {problems[0]}"[:500]))
    if errors:
        raise _Rejected(*errors)
    message = read(root)
    if message.standard == "Henvisning 2.0" and message.msg_type not in MSGHEAD_TYPES:
        raise _Rejected(("T10", f"Meldingstypen {message.msg_type!r} støttes ikke her."))
    if message.serv_type not in SERV_TYPES:
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
    async with write_transaction():
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
                "clinic": clinic_id,
            },
        )
        if referral_id is None:
            gp = await find_or_register_gp(
                name=message.gp_name or message.sender_person_name,
                hpr_number=validate_hpr_number(message.gp_hpr),
                her_id=message.sender_person_her_id,
                workplace_name=message.sender_name,
                workplace_phone=message.gp_phone,
            )
            referral_id, reference = await referrals.receive_referral(
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
        await HealthMessage.update(
            {
                HealthMessage.apprec_status: status,
                HealthMessage.apprec_errors: json.dumps(errors, ensure_ascii=False),
                HealthMessage.apprec_xml: xml.decode(),
                HealthMessage.referral: referral_id,
                HealthMessage.outcome: outcome[:200],
            }
        ).where(HealthMessage.id == message_id)
        await audit.record(
            actor,
            AuditAction.CREATE,
            "health_message",
            message_id,
            purpose="helsemelding mottatt",
            patient_id=await referrals.patient_of(referral_id),
            referral_id=referral_id,
        )
    return Answer(status, xml, message_id)


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
    """Log the rejected message (nothing else is stored) and answer with status 2."""
    message = None
    if root is not None and not any(code in {"T02", "T10", "E10"} for code, _ in errors):
        message = read(root)
    clinic_id = await receiving_clinic(message.receiver_her_ids) if message else None
    sender = apprec.Party(
        message.sender_name if message else "", message.sender_her_id if message else ""
    )
    msg_type = (
        message.msg_type if message else (etree.QName(root).localname if root is not None else "")
    )
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
        "apprec_xml": xml.decode(),
        "outcome": "Avvist",
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
    return Answer(2, xml, message_id)
