"""The message log: every health message received and sent, as it came or left."""

from __future__ import annotations

from piccolo.columns import ForeignKey, Integer, OnDelete, Serial, Text, Timestamptz, Varchar
from piccolo.table import Table

from helseiarbeid.clinics.tables import Clinic
from helseiarbeid.core.tables import OutboxMessage
from helseiarbeid.referrals.tables import Referral


class HealthMessage(Table, tablename="health_message"):
    """One message in or out, with the application receipt (AppRec) that answered it.

    ``dedupe_key`` is "<direction>:<MsgId>", unique: a repeated message races on it and is
    answered with the stored AppRec (``apprec_xml``) byte for byte. It is null for a message
    whose id could not be read, and for a repeat of a known id with a different body.
    Rejected messages (AppRec status 2) are stored here and nowhere else.

    A sent message (``direction`` "out") is stored with the change that caused it, and its
    copy for delivery in the outbox (``outbox_message``), whose state is the delivery state;
    ``apprec_*`` hold the receipt that comes back for it.

    Through Norsk Helsenett's message server (``messaging.message_server``): ``server_id`` is
    the message's id there (a GUID; a received message's from GetMessages, a sent one's from
    PostMessage), ``apprec_sent_at`` when our AppRec for a received message was handed over
    (PostAppRec), so a poll after a crash never sends it twice. A copy made by «send igjen»
    for a rejected message ``replaces`` it (unique: one copy per message).
    """

    id: Serial  # added by Piccolo; declared for type checkers
    direction = Varchar(length=3, index=True)  # "in" | "out"
    dedupe_key = Varchar(length=140, null=True, default=None, unique=True)
    msg_id = Varchar(length=128, default="")
    msg_type = Varchar(length=64, default="")  # MsgInfo/Type, e.g. HENVISNING_NYTILSTAND
    standard = Varchar(length=32, default="")  # e.g. "Henvisning 2.0"
    serv_type = Varchar(length=1, default="")  # N, M or C
    document_id = Varchar(length=128, default="", index=True)
    sender_her_id = Varchar(length=16, default="")
    sender_name = Varchar(length=200, default="")
    receiver_her_id = Varchar(length=16, default="")
    receiver_name = Varchar(length=200, default="")
    body_sha256 = Varchar(length=64)
    raw_xml = Text()
    received_at = Timestamptz(index=True)
    apprec_status = Integer(null=True, default=None)  # 1 OK, 2 rejected, 3 OK with errors
    apprec_errors = Text(default="")  # JSON: [[code, Norwegian text], ...]
    apprec_xml = Text(default="")
    referral = ForeignKey(references=Referral, on_delete=OnDelete.set_null, null=True, index=True)
    outcome = Varchar(length=200, default="")  # what it did, in Norwegian, for the page
    outbox_message = ForeignKey(
        references=OutboxMessage, on_delete=OnDelete.set_null, null=True, index=True
    )
    # The clinic it belongs to (issue 15): the owner of the receiver HER-id, or the referral's
    # clinic for a sent one; None for a message no clinic's HER-id reached (E21).
    clinic = ForeignKey(references=Clinic, on_delete=OnDelete.restrict, null=True, index=True)
    server_id = Varchar(length=40, default="", index=True)
    apprec_sent_at = Timestamptz(null=True, default=None)
    replaces: ForeignKey[HealthMessage] = ForeignKey(
        references="self", on_delete=OnDelete.set_null, null=True, unique=True
    )
