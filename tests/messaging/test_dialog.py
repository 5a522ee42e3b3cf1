"""Issue 13 §7: the team's request for more information goes to the GP's record system as
Dialogmelding 1.1 (``DIALOG_HELSEFAGLIG``), and the GP's answer, a Dialogmelding 1.1 naming our
message in ``ConversationRef``, comes back through ``POST /api/v1/messages``, gets an AppRec
and is attached to the open question exactly as the web answer is."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import httpx
import pytest
from lxml import etree

from helseiarbeid.core.tables import AuditEvent, OutboxMessage
from helseiarbeid.messaging import outgoing
from helseiarbeid.messaging.standards import NS_DIALOG_11, NS_MSGHEAD, SchemaSet, validate
from helseiarbeid.messaging.tables import HealthMessage
from helseiarbeid.referrals.tables import InformationRequest, Referral, StatusChange
from helseiarbeid.settings import get_settings
from tests.cast import Cast, bearer
from tests.clinic_track.conftest import Pathway
from tests.messaging import gp_record_system
from tests.messaging.conftest import (
    NEW_20,
    error_codes,
    example,
    original_id,
    post_message,
    status_of,
)
from tests.messaging.shared_xsd import shared_problems
from tests.referrals.factories import referral_body

NS = {"mh": NS_MSGHEAD, "d": NS_DIALOG_11}
QUESTION = "Har pasienten prøvd fysioterapi, og med hvilken effekt?"
ANSWER = "Ja, 10 timer høsten 2025 uten varig bedring.\nSe også epikrise fra legevakt."
# The Henvisning 2.0 example: St Olavs (59 / 90998) receives from Kattskinnet legesenter
# (91096), Dr. August September (HER-id 91100), about Line Danser.
CLINIC = outgoing.Clinic("HelseIArbeid", ("59", "90998"))
OFFICE = outgoing.Clinic("Kattskinnet legesenter", ("91096",))
GP = outgoing.GpAddress("Kattskinnet legesenter", "91096", "August September", "91100")
PATIENT = outgoing.PatientRef("13116900216", "Line Danser")
ORIGINAL_MSG_ID = "76665c90-3198-11e8-b566-0800200c9a66"
NOW = datetime(2026, 12, 9, 9, 30, tzinfo=UTC)


def test_the_question_is_a_valid_dialogmelding_against_the_published_xsd() -> None:
    built = outgoing.information_request(
        clinic=CLINIC,
        to=GP,
        patient=PATIENT,
        question=QUESTION,
        request_id="17",
        refers_to=ORIGINAL_MSG_ID,
        now=NOW,
    )
    assert shared_problems(SchemaSet.MSGHEAD, built.xml) == []
    root = etree.fromstring(built.xml)
    assert root.find("mh:MsgInfo/mh:Type", NS).get("V") == "DIALOG_HELSEFAGLIG"  # type: ignore[union-attr]
    assert root.findtext("mh:MsgInfo/mh:ConversationRef/mh:RefToParent", "", NS) == ORIGINAL_MSG_ID
    request = root.find(".//d:Dialogmelding/d:Foresporsel", NS)
    assert request is not None
    kind = request.find("d:TypeForesp", NS)
    assert (kind.get("V"), kind.get("S")) == ("1", "2.16.578.1.12.4.1.1.8129")  # type: ignore[union-attr]
    assert request.findtext("d:Sporsmal", "", NS) == QUESTION
    assert request.findtext("d:DokIdForesp", "", NS) == "17"
    office = root.find("mh:MsgInfo/mh:Receiver/mh:Organisation", NS)
    assert office.findtext("mh:Ident/mh:Id", "", NS) == "91096"  # type: ignore[union-attr]
    assert office.findtext("mh:HealthcareProfessional/mh:Ident/mh:Id", "", NS) == "91100"  # type: ignore[union-attr]


def test_the_gp_side_answer_is_valid_against_the_published_xsd() -> None:
    built = _answer_xml("a-question-id")
    assert shared_problems(SchemaSet.MSGHEAD, built) == []


def _answer_xml(
    refers_to: str,
    *,
    text: str = ANSWER,
    office: outgoing.Clinic = OFFICE,
    to: outgoing.Clinic = CLINIC,
    patient: outgoing.PatientRef = PATIENT,
) -> bytes:
    return gp_record_system.answer_to_request(
        sender=office,
        clinician=GP,
        to=to,
        patient=patient,
        answer=text,
        request_id="",
        refers_to=refers_to,
        conversation=ORIGINAL_MSG_ID,
        now=NOW,
    ).xml


async def _referral_asked(client: httpx.AsyncClient, cast: Cast) -> tuple[Pathway, str]:
    """A referral received as the directorate's example, and the team's question about it;
    returns the pathway and the MsgId of the question sent."""
    await post_message(client, cast, example(NEW_20))
    referral = await Referral.select(Referral.id).first()
    assert referral is not None
    pathway = Pathway(client, cast, referral["id"])
    asked = await pathway.post(
        "frida", "/assessment", {"decision": "more_information", "reason": QUESTION}
    )
    assert asked.status_code == 201, asked.text
    [sent] = await HealthMessage.select().where(
        (HealthMessage.direction == "out") & (HealthMessage.msg_type == "DIALOG_HELSEFAGLIG")
    )
    return pathway, str(sent["msg_id"])


async def test_asking_queues_the_question_with_the_request(
    client: httpx.AsyncClient, cast: Cast
) -> None:
    pathway, msg_id = await _referral_asked(client, cast)
    sent = (
        await HealthMessage.select(
            *HealthMessage.all_columns(),
            HealthMessage.outbox_message.channel,
            HealthMessage.outbox_message.recipients,
            HealthMessage.outbox_message.body,
        )
        .where(HealthMessage.msg_id == msg_id)
        .first()
    )
    assert sent is not None
    assert sent["referral"] == pathway.id
    assert sent["standard"] == "Dialogmelding 1.1"
    assert sent["outbox_message.channel"] == "health_message"
    assert json.loads(str(sent["outbox_message.recipients"])) == ["91096"]
    assert sent["outbox_message.body"] == sent["raw_xml"]
    xml = str(sent["raw_xml"]).encode()
    assert validate(SchemaSet.MSGHEAD, etree.fromstring(xml)) == []
    assert shared_problems(SchemaSet.MSGHEAD, xml) == []
    root = etree.fromstring(xml)
    [request] = await InformationRequest.select().where(InformationRequest.referral == pathway.id)
    assert root.findtext(".//d:Foresporsel/d:DokIdForesp", "", NS) == str(request["id"])
    assert root.findtext(".//d:Foresporsel/d:Sporsmal", "", NS) == QUESTION
    # The question refers to the referral's own message: the GP's system files it there.
    assert root.findtext("mh:MsgInfo/mh:ConversationRef/mh:RefToParent", "", NS) == ORIGINAL_MSG_ID


async def test_the_answer_message_is_attached_to_the_open_question(
    client: httpx.AsyncClient, cast: Cast
) -> None:
    pathway, question_id = await _referral_asked(client, cast)
    body = _answer_xml(question_id)
    apprec, first = await post_message(client, cast, body)
    assert status_of(apprec) == "1"
    assert original_id(apprec) == etree.fromstring(body).findtext("mh:MsgInfo/mh:MsgId", "", NS)

    [request] = await InformationRequest.select().where(InformationRequest.referral == pathway.id)
    referral = await Referral.select(Referral.gp).where(Referral.id == pathway.id).first()
    assert referral is not None
    assert request["answer"] == ANSWER
    assert request["answered_at"] is not None
    assert request["answered_by"] == referral["gp"]  # the referring GP, as on the web
    history = [
        row["reason"]
        for row in await StatusChange.select(StatusChange.reason)
        .where(StatusChange.referral == pathway.id)
        .order_by(StatusChange.id)
    ]
    assert history[-1] == "Svar fra fastlege"
    audited = await AuditEvent.select(AuditEvent.purpose, AuditEvent.resource_type).where(
        AuditEvent.referral_id == pathway.id
    )
    purposes = {(row["resource_type"], row["purpose"]) for row in audited}
    assert ("referral_information", "fastlege svarer på spørsmål fra teamet") in purposes
    assert ("health_message", "helsemelding mottatt") in purposes
    # The case page and the assessors' list show it as the web answer.
    case = await pathway.client.get(
        f"/api/v1/referrals/{pathway.id}", headers=await pathway.headers("frida")
    )
    assert case.status_code == 200, case.text
    [shown] = case.json()["information_requests"]
    assert shown["answer"] == ANSWER
    logged = await HealthMessage.select().where(HealthMessage.direction == "in")
    answer_row = next(row for row in logged if row["msg_type"] == "DIALOG_HELSEFAGLIG")
    assert answer_row["referral"] == pathway.id
    assert answer_row["apprec_status"] == 1
    assert answer_row["standard"] == "Dialogmelding 1.1"

    # The same message again: the same AppRec, nothing new.
    _, again = await post_message(client, cast, body)
    assert again.content == first.content
    assert await HealthMessage.count().where(HealthMessage.direction == "in") == 2


async def test_an_answer_with_no_open_question_is_kept_and_the_team_alerted(
    client: httpx.AsyncClient, cast: Cast, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HELSEIARBEID_SMTP_HOST", "127.0.0.1")
    get_settings.cache_clear()
    pathway, question_id = await _referral_asked(client, cast)
    first, _ = await post_message(client, cast, _answer_xml(question_id))
    assert status_of(first) == "1"
    mails_before = await OutboxMessage.count().where(OutboxMessage.channel == "mail")

    late, _ = await post_message(client, cast, _answer_xml(question_id, text="Et tillegg."))
    assert status_of(late) == "1"
    [request] = await InformationRequest.select().where(InformationRequest.referral == pathway.id)
    assert request["answer"] == ANSWER  # the first answer stays
    history = [
        row["reason"]
        for row in await StatusChange.select(StatusChange.reason)
        .where(StatusChange.referral == pathway.id)
        .order_by(StatusChange.id)
    ]
    assert history[-1].startswith("Tilleggsopplysninger fra fastlege")
    assert await OutboxMessage.count().where(OutboxMessage.channel == "mail") == mails_before + 1
    row = (
        await HealthMessage.select(HealthMessage.outcome)
        .where(HealthMessage.direction == "in")
        .order_by(HealthMessage.id, ascending=False)
        .first()
    )
    assert row is not None
    assert "tilleggsopplysninger" in str(row["outcome"])


@pytest.mark.parametrize(
    ("case", "code"),
    [
        ("unknown conversation", "X99"),
        ("another receiver", "E21"),
        ("another office", "X99"),
        ("another patient", "E35"),
    ],
)
async def test_a_bad_answer_is_rejected_with_the_right_code(
    client: httpx.AsyncClient, cast: Cast, case: str, code: str
) -> None:
    pathway, question_id = await _referral_asked(client, cast)
    if case == "unknown conversation":
        body = gp_record_system.answer_to_request(
            sender=OFFICE,
            clinician=GP,
            to=CLINIC,
            patient=PATIENT,
            answer=ANSWER,
            request_id="",
            refers_to="0a0b0c0d-1111-4222-8333-444455556666",
            conversation="0a0b0c0d-1111-4222-8333-444455556667",
            now=NOW,
        ).xml
    elif case == "another receiver":
        body = _answer_xml(question_id, to=outgoing.Clinic("Et annet sykehus", ("4242",)))
    elif case == "another office":
        body = _answer_xml(question_id, office=outgoing.Clinic("Annet legekontor", ("77777",)))
    else:
        body = _answer_xml(question_id, patient=outgoing.PatientRef("21016400952", "Finn Dottno"))
    apprec, _ = await post_message(client, cast, body)
    assert status_of(apprec) == "2"
    assert error_codes(apprec) == [code]
    [request] = await InformationRequest.select().where(InformationRequest.referral == pathway.id)
    assert request["answered_at"] is None  # nothing attached
    logged = (
        await HealthMessage.select(HealthMessage.referral, HealthMessage.outcome)
        .where(HealthMessage.direction == "in")
        .order_by(HealthMessage.id, ascending=False)
        .first()
    )
    assert logged == {"referral": None, "outcome": "Avvist"}


async def test_a_question_from_the_gp_is_not_supported(
    client: httpx.AsyncClient, cast: Cast
) -> None:
    """A ``Foresporsel`` from the GP's office (the GP asking us) is not an answer: T10."""
    question = outgoing.information_request(
        clinic=OFFICE,
        to=outgoing.GpAddress("HelseIArbeid", "59", "Frida Fysioterapeut", "90998"),
        patient=PATIENT,
        question="Når får pasienten time?",
        request_id="1",
        refers_to="",
        now=NOW,
    )
    apprec, _ = await post_message(client, cast, question.xml)
    assert status_of(apprec) == "2"
    assert error_codes(apprec) == ["T10"]


async def test_a_referral_from_the_web_sends_no_message(
    client: httpx.AsyncClient, cast: Cast
) -> None:
    """The cast's GPs have no HER-id: they read and answer the question in the portal."""
    created = await client.post(
        "/api/v1/referrals", json=referral_body(), headers=await bearer(cast["gp_anne"])
    )
    assert created.status_code == 201, created.text
    pathway = Pathway(client, cast, created.json()["id"])
    asked = await pathway.post(
        "frida", "/assessment", {"decision": "more_information", "reason": QUESTION}
    )
    assert asked.status_code == 201, asked.text
    assert await HealthMessage.count() == 0


async def test_an_invalid_question_message_undoes_the_question(
    client: httpx.AsyncClient, cast: Cast, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The question and its message are one transaction: a message that fails its XSD leaves
    no question, no history entry and nothing to send."""
    await post_message(client, cast, example(NEW_20))
    referral = await Referral.select(Referral.id, Referral.version).first()
    assert referral is not None
    pathway = Pathway(client, cast, referral["id"])
    monkeypatch.setattr(outgoing, "QUESTION_SYSTEM", "ikke en OID")
    asked = await pathway.post(
        "frida", "/assessment", {"decision": "more_information", "reason": QUESTION}
    )
    assert asked.status_code == 500
    assert await InformationRequest.count() == 0
    assert await HealthMessage.count().where(HealthMessage.direction == "out") == 0
    assert await OutboxMessage.count() == 0
    after = await Referral.select(Referral.version).where(Referral.id == referral["id"]).first()
    assert after == {"version": referral["version"]}
