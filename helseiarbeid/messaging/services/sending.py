"""Sending health messages to the referring GP's record system (issue 13 §6, §8, §9).

Called by ``clinic_track`` inside the write transaction of the change that causes the
message (the assessment; the report being sent), so the message exists exactly when the
change does. Each call builds the message (``messaging.outgoing``, validated against its XSD:
an invalid one raises SchemaError and the change is rolled back), logs it in
``health_message`` (direction "out") and queues it in the outbox (channel
``health_message``, recipient the GP office's HER-id) for the worker to deliver.

A message is sent only to a GP who can receive one: the GP has a HER-id (``app_user.her_id``)
and the GP's office HER-id is known from a message received from that GP (the referral's
own, else the latest one). Otherwise nothing is sent and the GP reads the decision and the
report in the web portal, as before.

:func:`send_again` puts a failed message on its way once more (see there).
"""

from __future__ import annotations

import hashlib
import uuid
from dataclasses import dataclass

from lxml import etree

from helseiarbeid.clinics import services as clinics
from helseiarbeid.core import audit, outbox
from helseiarbeid.core.audit import Actor, AuditAction
from helseiarbeid.core.clock import utcnow
from helseiarbeid.core.database import for_update, insert_row, write_transaction
from helseiarbeid.core.errors import Conflict, NotFound
from helseiarbeid.core.tables import OutboxMessage
from helseiarbeid.core.timefmt import to_oslo
from helseiarbeid.core.users import CurrentUser
from helseiarbeid.messaging import outgoing
from helseiarbeid.messaging.outgoing import ReferralStatus
from helseiarbeid.messaging.services._scope import visible_to
from helseiarbeid.messaging.standards import NS_MSGHEAD, SchemaError, SchemaSet, parse, validate
from helseiarbeid.messaging.tables import HealthMessage
from helseiarbeid.referrals import services as referrals
from helseiarbeid.settings import get_settings

CHANNEL = "health_message"
STANDARDS = {
    outgoing.TYPE_STATUS_ON_REFERRAL[0]: "Dialogmelding 1.1",
    outgoing.TYPE_EPIKRISE[0]: "Epikrise 1.2",
    outgoing.TYPE_HEALTH_DIALOGUE[0]: "Dialogmelding 1.1",
    outgoing.TYPE_ONWARD_REFERRAL[0]: "Henvisning 2.0",
}
# The outbox's subject (shown on «Utsendinger»; no health text).
SUBJECTS = {
    outgoing.TYPE_STATUS_ON_REFERRAL[0]: "Helsemelding til fastlege: status på henvisning",
    outgoing.TYPE_EPIKRISE[0]: "Helsemelding til fastlege: rapport (epikrise)",
    outgoing.TYPE_HEALTH_DIALOGUE[0]: "Helsemelding til fastlege: spørsmål fra teamet",
    outgoing.TYPE_ONWARD_REFERRAL[0]: "Helsemelding: henvisning videre",
}


@dataclass(frozen=True)
class _Route:
    addressee: referrals.Addressee
    to: outgoing.GpAddress
    refers_to: str  # the MsgId of the referral's own message, if it came as one


async def _own_msg_id(referral_id: int) -> str:
    """The MsgId of the message the referral came as ("" for one from the web form)."""
    own = (
        await HealthMessage.select(HealthMessage.msg_id)
        .where(
            (HealthMessage.direction == "in")
            & (HealthMessage.referral == referral_id)
            & (HealthMessage.serv_type == "N")
        )
        .first()
    )
    return own["msg_id"] if own else ""


async def _route(referral_id: int) -> _Route | None:
    """Where a message about the referral goes, or None when the GP cannot receive one (or
    the clinic has no HER-id to send from)."""
    clinic_her_ids = (await _clinic(referral_id)).her_ids
    addressee = await referrals.message_addressee(referral_id)
    if not clinic_her_ids or not addressee.gp_her_id:
        return None
    office = (
        await HealthMessage.select(HealthMessage.sender_her_id, HealthMessage.sender_name)
        .where(
            (HealthMessage.direction == "in")
            & (HealthMessage.referral.gp == addressee.gp_id)
            & (HealthMessage.sender_her_id != "")
        )
        .order_by(HealthMessage.id, ascending=False)
        .first()
    )
    if office is None:
        return None
    to = outgoing.GpAddress(
        office_name=office["sender_name"] or addressee.gp_office_name,
        office_her_id=office["sender_her_id"],
        gp_name=addressee.gp_name,
        gp_her_id=addressee.gp_her_id,
    )
    return _Route(addressee, to, await _own_msg_id(referral_id))


async def _clinic(referral_id: int) -> outgoing.Clinic:
    """The sender: the referral's clinic, its name and HER-ids (organisation first); where
    the clinic has none, the settings' (HELSEIARBEID_CLINIC_NAME, HELSEIARBEID_HER_IDS)."""
    settings = get_settings()
    clinic_id = await referrals.clinic_of(referral_id)
    her_ids = await clinics.clinic_her_ids(clinic_id)
    if not her_ids:
        return outgoing.Clinic(settings.clinic_name, settings.her_ids)
    return outgoing.Clinic(await clinics.clinic_name(clinic_id), her_ids)


def _patient(addressee: referrals.Addressee) -> outgoing.PatientRef:
    return outgoing.PatientRef(addressee.national_id, addressee.patient_name)


async def _store(actor: Actor, route: _Route, built: outgoing.Built, outcome: str) -> int:
    """Log the message (direction out) and queue it in the outbox; audited as the referral's."""
    now = utcnow()
    xml = built.xml.decode()
    outbox_id = await outbox.enqueue(
        CHANNEL, (route.to.office_her_id,), SUBJECTS[built.msg_type], xml
    )
    clinic = await _clinic(route.addressee.referral_id)
    message_id = await insert_row(
        HealthMessage,
        {
            "direction": "out",
            "dedupe_key": f"out:{built.msg_id}",
            "msg_id": built.msg_id,
            "msg_type": built.msg_type,
            "standard": STANDARDS[built.msg_type],
            "sender_her_id": clinic.her_ids[0],
            "sender_name": clinic.name[:200],
            "receiver_her_id": route.to.office_her_id,
            "receiver_name": (
                f"{route.to.gp_name}, {route.to.office_name}"
                if route.to.gp_name
                else route.to.office_name
            )[:200],
            "body_sha256": hashlib.sha256(built.xml).hexdigest(),
            "raw_xml": xml,
            "received_at": now,
            "referral": route.addressee.referral_id,
            "outcome": outcome[:200],
            "outbox_message": outbox_id,
            "clinic": await referrals.clinic_of(route.addressee.referral_id),
        },
    )
    await audit.record(
        actor,
        AuditAction.CREATE,
        "health_message",
        message_id,
        purpose="helsemelding til fastlege",
        patient_id=route.addressee.patient_id,
        referral_id=route.addressee.referral_id,
    )
    return message_id


async def send_referral_status(
    actor: Actor, referral_id: int, status: ReferralStatus, text: str
) -> int | None:
    """Status on the referral to the GP (Dialogmelding 1.1, ``DIALOG_STATUS_HENVISNING``,
    code system 2.16.578.1.12.4.1.1.9148); ``text`` is what the GP reads (the start deadline,
    the time and place, or the reason). Call inside the change's write transaction.

    Returns the health_message id, or None when the GP cannot receive messages.
    Raises SchemaError (a fault of this code) if the message is not valid.
    """
    route = await _route(referral_id)
    if route is None:
        return None
    built = outgoing.referral_status(
        clinic=await _clinic(referral_id),
        to=route.to,
        patient=_patient(route.addressee),
        status=status,
        text=text,
        refers_to=route.refers_to,
        now=utcnow(),
    )
    return await _store(actor, route, built, f"Status på henvisning: {status.value[1]}")


async def send_report(
    actor: Actor, referral_id: int, *, pdf: bytes, title: str, summary: str
) -> int | None:
    """The report to the GP as Epikrise 1.2 with ``pdf`` attached (base64, application/pdf);
    ``summary`` is the text shown with it. Call inside the change's write transaction.

    Returns the health_message id, or None when the GP cannot receive messages.
    Raises SchemaError (a fault of this code) if the message is not valid.
    """
    route = await _route(referral_id)
    if route is None:
        return None
    built = outgoing.report(
        clinic=await _clinic(referral_id),
        to=route.to,
        patient=_patient(route.addressee),
        summary=summary,
        pdf=pdf,
        title=title,
        started=route.addressee.received_at,
        now=utcnow(),
    )
    return await _store(actor, route, built, "Rapport til fastlege (epikrise med PDF)")


async def send_information_request(
    actor: Actor, referral_id: int, request_id: int, question: str
) -> int | None:
    """The team's question to the GP (Dialogmelding 1.1, ``DIALOG_HELSEFAGLIG``, a
    ``Foresporsel`` whose ``DokIdForesp`` is ``request_id``); the GP's answer comes back
    through ``receive`` and is attached to the open question. Registered with
    ``referrals.register_question_hook``, so it runs inside the question's transaction.

    Returns the health_message id, or None when the GP cannot receive messages.
    Raises SchemaError (a fault of this code) if the message is not valid.
    """
    route = await _route(referral_id)
    if route is None:
        return None
    built = outgoing.information_request(
        clinic=await _clinic(referral_id),
        to=route.to,
        patient=_patient(route.addressee),
        question=question,
        request_id=str(request_id),
        refers_to=route.refers_to,
        now=utcnow(),
    )
    return await _store(actor, route, built, "Spørsmål til fastlege (helsefaglig dialog)")


referrals.register_question_hook(send_information_request)


async def send_onward_referral(
    actor: Actor,
    referral_id: int,
    *,
    service_name: str,
    service_her_id: str,
    author_name: str,
    author_hpr: str,
    reason: str,
    letter: bytes,
    title: str,
) -> int | None:
    """An onward referral to a health service with a HER-id (Henvisning 2.0,
    ``HENVISNING_VIDERE``), signed by the clinician (HPR), the letter PDF attached. Call inside
    the onward referral's write transaction.

    Returns the health_message id, or None when the referral's clinic has no HER-ids or
    ``service_her_id`` is empty. Raises SchemaError (a fault of this code) if not valid.
    """
    clinic = await _clinic(referral_id)
    if not clinic.her_ids or not service_her_id:
        return None
    addressee = await referrals.message_addressee(referral_id)
    to = outgoing.GpAddress(service_name, service_her_id, "", "")
    route = _Route(addressee, to, await _own_msg_id(referral_id))
    built = outgoing.onward_referral(
        clinic=clinic,
        to=outgoing.ServiceAddress(service_name, service_her_id),
        patient=_patient(addressee),
        author=outgoing.Clinician(author_name, author_hpr),
        reason=reason,
        letter=letter,
        title=title,
        refers_to=route.refers_to,
        now=utcnow(),
    )
    return await _store(actor, route, built, f"Henvisning videre til {service_name}")


async def send_again(user: CurrentUser, actor: Actor, message_id: int) -> int:
    """«Send igjen» for a sent message that failed (issue 13 §12); returns the id of the
    message that will go. Coordinator or administrator; audited as an update of the message.

    - The outbox gave up on it (a permanent error, or ``outbox.MAX_ATTEMPTS`` tries): it never
      reached the message server, so the same message is queued again, due now.
    - The receiver's system rejected it (AppRec status 2): a copy with a new MsgId and GenDate
      (a receiver answers a known MsgId from its log) is stored and queued; it ``replaces`` the
      rejected one, which keeps its receipt. Only once per message.

    Raises NotFound (no such sent message, or another clinic's) or Conflict (it did not fail,
    or was sent again).
    """
    async with write_transaction():
        # The message row is locked on its own: PostgreSQL locks no row of an outer join.
        row = await for_update(
            HealthMessage.select(
                HealthMessage.id,
                HealthMessage.direction,
                HealthMessage.apprec_status,
                HealthMessage.outbox_message,
                HealthMessage.msg_type,
                HealthMessage.raw_xml,
                HealthMessage.receiver_her_id,
                HealthMessage.referral,
            ).where((HealthMessage.id == message_id) & visible_to(user))
        ).first()
        if row is None or row["direction"] != "out":
            raise NotFound("Fant ikke den sendte meldingen.")
        delivery = None
        if row["outbox_message"] is not None:
            delivery = (
                await OutboxMessage.select(OutboxMessage.failed_at)
                .where(OutboxMessage.id == row["outbox_message"])
                .first()
            )
        patient_id = (
            await referrals.patient_of(row["referral"]) if row["referral"] is not None else None
        )
        if delivery is not None and delivery["failed_at"] is not None:
            await outbox.requeue(row["outbox_message"])
            resent = message_id
        elif row["apprec_status"] == 2:
            if await HealthMessage.exists().where(HealthMessage.replaces == message_id):
                raise Conflict("Meldingen er allerede sendt på nytt.")
            resent = await _copy(row)
        else:
            raise Conflict("Meldingen har ikke feilet, og sendes ikke på nytt.")
        await audit.record(
            actor,
            AuditAction.UPDATE,
            "health_message",
            message_id,
            purpose="helsemelding sendt på nytt",
            patient_id=patient_id,
            referral_id=row["referral"],
        )
    return resent


async def _copy(row: dict[str, object]) -> int:
    """A rejected message again under a new MsgId and GenDate, validated, logged and queued."""
    root = parse(str(row["raw_xml"]).encode())
    ns = {"mh": NS_MSGHEAD}
    msg_id = str(uuid.uuid4())
    now = utcnow()
    info = root.find("mh:MsgInfo", ns)
    msg_id_element = info.find("mh:MsgId", ns) if info is not None else None
    gen_date = info.find("mh:GenDate", ns) if info is not None else None
    if msg_id_element is None or gen_date is None:
        raise SchemaError("a sent message without MsgInfo/MsgId or GenDate")
    msg_id_element.text = msg_id
    gen_date.text = to_oslo(now).replace(tzinfo=None, microsecond=0).isoformat()
    problems = validate(SchemaSet.MSGHEAD, root)
    if problems:
        raise SchemaError(f"resent message is not valid: {problems}")
    xml = etree.tostring(root, xml_declaration=True, encoding="UTF-8")
    msg_type = str(row["msg_type"])
    subject = SUBJECTS.get(msg_type, "Helsemelding til fastlege")
    outbox_id = await outbox.enqueue(CHANNEL, (str(row["receiver_her_id"]),), subject, xml.decode())
    original = await HealthMessage.select().where(HealthMessage.id == row["id"]).first()
    if original is None:
        raise NotFound("Fant ikke den sendte meldingen.")
    kept = {
        key: original[key]
        for key in (
            "msg_type",
            "standard",
            "sender_her_id",
            "sender_name",
            "receiver_her_id",
            "receiver_name",
            "referral",
            "outcome",
        )
    }
    return await insert_row(
        HealthMessage,
        {
            **kept,
            "direction": "out",
            "dedupe_key": f"out:{msg_id}",
            "msg_id": msg_id,
            "body_sha256": hashlib.sha256(xml).hexdigest(),
            "raw_xml": xml.decode(),
            "received_at": now,
            "outbox_message": outbox_id,
            "replaces": row["id"],
        },
    )
