"""Issue 13 §9–§12: health messages travel through Norsk Helsenett's message server — here the
stand-in (tests/messaging/msh_standin.py, a real process that checks every request and answer
against msh-api-v2.json and every token and DPoP proof), with tokens from the real OpenID
provider (client credentials, private_key_jwt, DPoP)."""

from __future__ import annotations

import base64
import re
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from lxml import etree

from helseiarbeid.core import outbox
from helseiarbeid.core.clock import utcnow
from helseiarbeid.core.tables import AuditEvent, OutboxMessage
from helseiarbeid.messaging import message_server, outgoing
from helseiarbeid.messaging.standards import NS_BASE64, NS_MSGHEAD, SchemaSet, validate
from helseiarbeid.messaging.tables import HealthMessage
from helseiarbeid.referrals.tables import InformationRequest, Referral, ReferralDocument
from tests.cast import Cast, sign_in
from tests.clinic_track.conftest import Pathway
from tests.clinics.conftest import OtherClinic
from tests.messaging import gp_record_system
from tests.messaging.conftest import CHANGE_20, NEW_20, example
from tests.messaging.msh import StandIn, message_server_for_tests

NS = {"mh": NS_MSGHEAD, "b": NS_BASE64}
ORIGINAL_MSG_ID = "76665c90-3198-11e8-b566-0800200c9a66"
OFFICE_HER_ID = 91096
CLINIC_HER_ID = 59
CSRF = re.compile(r'name="_csrf_token" value="([0-9a-f]+)"')


@pytest.fixture
def msh(database: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[StandIn]:
    with message_server_for_tests(monkeypatch, tmp_path) as stand_in:
        yield stand_in


def _valid(xml: bytes) -> etree._Element:
    root = etree.fromstring(xml)
    assert validate(SchemaSet.MSGHEAD, root) == []
    return root


async def _received_referral(msh: StandIn) -> int:
    msh.deliver(
        example(NEW_20), receiver=CLINIC_HER_ID, sender=OFFICE_HER_ID, msg_id=ORIGINAL_MSG_ID
    )
    result = await message_server.poll_once()
    assert result.received == 1
    referral = await Referral.select(Referral.id).first()
    assert referral is not None
    return int(referral["id"])


async def test_a_polled_referral_is_stored_answered_and_marked_read(msh: StandIn) -> None:
    server_id = msh.deliver(
        example(NEW_20), receiver=CLINIC_HER_ID, sender=OFFICE_HER_ID, msg_id=ORIGINAL_MSG_ID
    )
    result = await message_server.poll_once()

    assert result == message_server.PollResult(received=1, receipts=0)
    referral = await Referral.select(Referral.id, Referral.gp.hpr_number).first()
    assert referral is not None
    row = await HealthMessage.select().where(HealthMessage.direction == "in").first()
    assert row is not None
    assert row["server_id"] == server_id
    assert row["msg_id"] == ORIGINAL_MSG_ID
    assert row["referral"] == referral["id"]
    assert row["apprec_status"] == 1
    assert row["apprec_sent_at"] is not None
    inbox = msh.state()["inbox"][server_id]
    assert inbox["read"] is True
    assert [receipt["appRecStatus"] for receipt in inbox["apprecs"]] == ["Ok"]
    assert inbox["apprecs"][0]["sender"] == CLINIC_HER_ID
    # The poller's reads are audited as the message system's.
    assert await AuditEvent.exists().where(AuditEvent.resource_type == "referral")

    # Nothing unread is left: the next poll does nothing.
    assert await message_server.poll_once() == message_server.PollResult()
    assert await Referral.count() == 1
    # One token for all of it (cached), and each server's DPoP nonce asked for once: the
    # provider's (the token request made again with it) and the message server's.
    requests = msh.state()["requests"]
    assert requests[:2] == ["GET /Messages 401", "GET /Messages 200"]
    assert sum(line.endswith(" 401") for line in requests) == 1
    assert msh.token_requests() == 2


async def test_a_rejected_message_is_answered_with_its_errors(msh: StandIn) -> None:
    broken = (
        example(NEW_20)
        .replace(b"<Id>59</Id>", b"<Id>12345</Id>")
        .replace(b"<Id>90998</Id>", b"<Id>12346</Id>")
    )
    server_id = msh.deliver(broken, receiver=CLINIC_HER_ID, sender=OFFICE_HER_ID, msg_id="x")

    await message_server.poll_once()

    assert await Referral.count() == 0
    [receipt] = msh.state()["inbox"][server_id]["apprecs"]
    assert receipt["appRecStatus"] == "Rejected"
    assert [error["errorCode"] for error in receipt["appRecErrorList"]] == ["E21"]
    assert msh.state()["inbox"][server_id]["read"] is True


async def test_the_same_document_twice_is_stored_once_and_answered_twice(msh: StandIn) -> None:
    first = msh.deliver(
        example(NEW_20), receiver=CLINIC_HER_ID, sender=OFFICE_HER_ID, msg_id=ORIGINAL_MSG_ID
    )
    second = msh.deliver(
        example(NEW_20), receiver=CLINIC_HER_ID, sender=OFFICE_HER_ID, msg_id=ORIGINAL_MSG_ID
    )
    await message_server.poll_once()

    assert await Referral.count() == 1
    state = msh.state()["inbox"]
    for server_id in (first, second):
        assert [r["appRecStatus"] for r in state[server_id]["apprecs"]] == ["Ok"]
        assert state[server_id]["read"] is True


async def test_the_status_on_the_referral_travels_to_the_gp_and_its_receipt_comes_back(
    client: httpx.AsyncClient, cast: Cast, msh: StandIn
) -> None:
    pathway = Pathway(client, cast, await _received_referral(msh))
    assert (await pathway.accept()).status_code == 201

    assert await outbox.deliver_due() == 1

    [sent] = msh.sent()
    root = _valid(sent["xml"])
    assert sent["type"] == "DIALOG_STATUS_HENVISNING"
    assert sent["receiverHerId"] == OFFICE_HER_ID
    row = await HealthMessage.select().where(HealthMessage.direction == "out").first()
    assert row is not None
    assert row["server_id"] == sent["server_id"]
    assert root.findtext("mh:MsgInfo/mh:MsgId", "", NS) == row["msg_id"]
    assert await outbox.deliver_due() == 0  # delivered once

    # No receipt yet: nothing recorded.
    await message_server.poll_once()
    assert (
        await HealthMessage.select(HealthMessage.apprec_status)
        .where(HealthMessage.id == row["id"])
        .first()
    ) == {"apprec_status": None}
    msh.answer(sent["server_id"], "Ok")
    await message_server.poll_once()
    stored = (
        await HealthMessage.select(HealthMessage.apprec_status)
        .where(HealthMessage.id == row["id"])
        .first()
    )
    assert stored == {"apprec_status": 1}


async def test_the_question_to_the_gp_and_the_gps_answer_travel_through_the_message_server(
    client: httpx.AsyncClient, cast: Cast, msh: StandIn
) -> None:
    pathway = Pathway(client, cast, await _received_referral(msh))
    question = "Har pasienten prøvd fysioterapi, og med hvilken effekt?"
    asked = await pathway.post(
        "frida", "/assessment", {"decision": "more_information", "reason": question}
    )
    assert asked.status_code == 201, asked.text
    assert await outbox.deliver_due() == 1
    [sent] = msh.sent()
    root = _valid(sent["xml"])
    assert sent["type"] == "DIALOG_HELSEFAGLIG"
    assert sent["receiverHerId"] == OFFICE_HER_ID
    assert question in sent["xml"].decode()
    question_msg_id = root.findtext("mh:MsgInfo/mh:MsgId", "", NS)

    # The GP's record system answers; the poller takes it in, attaches it and sends the AppRec.
    answer = gp_record_system.answer_to_request(
        sender=outgoing.Clinic("Kattskinnet legesenter", (str(OFFICE_HER_ID),)),
        clinician=outgoing.GpAddress(
            "Kattskinnet legesenter", str(OFFICE_HER_ID), "August September", "91100"
        ),
        to=outgoing.Clinic("HelseIArbeid", (str(CLINIC_HER_ID), "90998")),
        patient=outgoing.PatientRef("13116900216", "Line Danser"),
        answer="Ja, 10 timer høsten 2025 uten varig bedring.",
        request_id="",
        refers_to=question_msg_id,
        conversation=ORIGINAL_MSG_ID,
        now=utcnow(),
    )
    answer_id = msh.deliver(
        answer.xml, receiver=CLINIC_HER_ID, sender=OFFICE_HER_ID, msg_id=answer.msg_id
    )
    assert await message_server.poll_once() == message_server.PollResult(received=1, receipts=0)
    [request] = await InformationRequest.select().where(InformationRequest.referral == pathway.id)
    assert request["answer"] == "Ja, 10 timer høsten 2025 uten varig bedring."
    assert request["answered_at"] is not None
    inbox = msh.state()["inbox"][answer_id]
    assert inbox["read"] is True
    assert [receipt["appRecStatus"] for receipt in inbox["apprecs"]] == ["Ok"]


async def test_the_report_travels_as_an_epikrise_with_its_pdf(
    client: httpx.AsyncClient, cast: Cast, msh: StandIn
) -> None:
    pathway = Pathway(client, cast, await _received_referral(msh))
    await pathway.accept()
    booked = await pathway.book(["per"])
    assert booked.status_code == 201, booked.text
    assert (await pathway.record(booked.json())).status_code == 204
    clarified = await client.put(
        f"/api/v1/referrals/{pathway.id}/clarification",
        json={
            "summary": "Arbeidsevne avklart.",
            "coping_plan": "Gradvis økt aktivitet.",
            "work_recommendations": "Gradert arbeid 50 % i fire uker.",
            "follow_up": "Fastlege følger opp sykmelding.",
            "version": None,
        },
        headers=await pathway.headers("frida"),
    )
    assert clarified.status_code == 200, clarified.text
    assert (await pathway.post("frida", "/report", {})).status_code == 201

    await outbox.deliver_due()

    sent = msh.sent()
    assert [item["type"] for item in sent] == [
        "DIALOG_STATUS_HENVISNING",
        "DIALOG_STATUS_HENVISNING",
        "EPIKRISE",
    ]
    root = _valid(sent[2]["xml"])
    attachment = root.findall("mh:Document/mh:RefDoc", NS)[1]
    assert attachment.findtext("mh:MimeType", "", NS) == "application/pdf"
    container = attachment.find("mh:Content/b:Base64Container", NS)
    assert container is not None
    stored = (
        await ReferralDocument.select(ReferralDocument.content)
        .where((ReferralDocument.referral == pathway.id) & (ReferralDocument.kind == "report"))
        .first()
    )
    assert stored is not None
    assert base64.b64decode(container.text or "") == stored["content"]
    assert stored["content"].startswith(b"%PDF")


async def _page_form(client: httpx.AsyncClient, url: str) -> str:
    page = await client.get(url)
    assert page.status_code == 200, page.text
    found = CSRF.search(page.text)
    assert found
    return found.group(1)


async def test_a_rejected_delivery_shows_its_error_and_can_be_sent_again(
    client: httpx.AsyncClient, cast: Cast, msh: StandIn, other_clinic: OtherClinic
) -> None:
    pathway = Pathway(client, cast, await _received_referral(msh))
    await pathway.accept()
    await outbox.deliver_due()
    [sent] = msh.sent()
    msh.answer(
        sent["server_id"],
        "Rejected",
        [{"errorCode": "E21", "details": "Mottaker finnes ikke i adresseregisteret"}],
    )
    await message_server.poll_once()
    row = (
        await HealthMessage.select(HealthMessage.id, HealthMessage.msg_id)
        .where(HealthMessage.direction == "out")
        .first()
    )
    assert row is not None

    # Another clinic's coordinator neither sees it nor can send it again.
    await sign_in(client, other_clinic.staff["berit"])
    assert f"/meldinger/{row['id']}" not in (await client.get("/meldinger/")).text
    token = await _page_form(client, "/meldinger/")
    elsewhere = await client.post(
        f"/meldinger/{row['id']}/send-igjen", data={"_csrf_token": token, "bekreft": "ja"}
    )
    assert elsewhere.status_code == 404
    client.cookies.clear()

    await sign_in(client, cast["kari"])
    listing = await client.get("/meldinger/")
    assert listing.status_code == 200
    assert "Avvist" in listing.text
    assert "E21: Mottaker finnes ikke i adresseregisteret" in listing.text
    assert f'href="/meldinger/{row["id"]}#send-igjen"' in listing.text

    token = await _page_form(client, f"/meldinger/{row['id']}")
    unconfirmed = await client.post(
        f"/meldinger/{row['id']}/send-igjen", data={"_csrf_token": token}
    )
    assert unconfirmed.status_code == 422
    assert "Kryss av for å bekrefte" in unconfirmed.text
    assert len(msh.sent()) == 1

    confirmed = await client.post(
        f"/meldinger/{row['id']}/send-igjen", data={"_csrf_token": token, "bekreft": "ja"}
    )
    assert confirmed.status_code == 303
    copy_id = int(confirmed.headers["location"].split("/")[2].split("?")[0])
    assert copy_id != row["id"]
    assert await AuditEvent.exists().where(
        (AuditEvent.resource_type == "health_message")
        & (AuditEvent.resource_id == str(row["id"]))
        & (AuditEvent.action == "update")
    )
    # Only once.
    again = await client.post(
        f"/meldinger/{row['id']}/send-igjen", data={"_csrf_token": token, "bekreft": "ja"}
    )
    assert again.status_code == 409

    assert await outbox.deliver_due() == 1
    first, resent = msh.sent()
    root = _valid(resent["xml"])
    new_id = root.findtext("mh:MsgInfo/mh:MsgId", "", NS)
    assert new_id != row["msg_id"]
    assert resent["type"] == first["type"]
    msh.answer(resent["server_id"], "Ok")
    await message_server.poll_once()
    copy = (
        await HealthMessage.select(
            HealthMessage.apprec_status, HealthMessage.replaces, HealthMessage.msg_id
        )
        .where(HealthMessage.id == copy_id)
        .first()
    )
    assert copy == {"apprec_status": 1, "replaces": row["id"], "msg_id": new_id}
    # The copy stays with the clinic: the coordinator who sent it again can open it.
    assert (await client.get(f"/meldinger/{copy_id}")).status_code == 200
    listing = await client.get("/meldinger/")
    assert f'href="/meldinger/{row["id"]}#send-igjen"' not in listing.text


async def test_a_refused_post_fails_at_once_and_can_be_sent_again(
    client: httpx.AsyncClient, cast: Cast, msh: StandIn, monkeypatch: pytest.MonkeyPatch
) -> None:
    pathway = Pathway(client, cast, await _received_referral(msh))
    await pathway.accept()
    # The stand-in refuses a document that is not XML (400): permanent, the outbox gives up.
    outbox_row = (
        await OutboxMessage.select(OutboxMessage.id, OutboxMessage.body)
        .where(OutboxMessage.channel == "health_message")
        .first()
    )
    assert outbox_row is not None
    await OutboxMessage.update({OutboxMessage.body: "ikke xml"}).where(
        OutboxMessage.id == outbox_row["id"]
    )
    assert await outbox.deliver_due() == 0
    failed = (
        await OutboxMessage.select(OutboxMessage.failed_at, OutboxMessage.last_error)
        .where(OutboxMessage.id == outbox_row["id"])
        .first()
    )
    assert failed is not None
    assert failed["failed_at"] is not None
    assert "avviste forespørselen (400)" in failed["last_error"]
    await OutboxMessage.update({OutboxMessage.body: outbox_row["body"]}).where(
        OutboxMessage.id == outbox_row["id"]
    )

    await sign_in(client, cast["kari"])
    message = (
        await HealthMessage.select(HealthMessage.id).where(HealthMessage.direction == "out").first()
    )
    assert message is not None
    listing = await client.get("/meldinger/")
    assert "Sending feilet" in listing.text
    token = await _page_form(client, f"/meldinger/{message['id']}")
    confirmed = await client.post(
        f"/meldinger/{message['id']}/send-igjen", data={"_csrf_token": token, "bekreft": "ja"}
    )
    assert confirmed.status_code == 303
    assert confirmed.headers["location"] == f"/meldinger/{message['id']}?sendt=1"
    assert await outbox.deliver_due() == 1
    [sent] = msh.sent()
    _valid(sent["xml"])


async def test_a_change_polled_after_the_new_referral_updates_it(msh: StandIn) -> None:
    await _received_referral(msh)
    msh.deliver(example(CHANGE_20), receiver=CLINIC_HER_ID, sender=OFFICE_HER_ID, msg_id="m")
    assert (await message_server.poll_once()).received == 1
    rows = (
        await HealthMessage.select(HealthMessage.serv_type, HealthMessage.apprec_status)
        .where(HealthMessage.direction == "in")
        .order_by(HealthMessage.id)
    )
    assert rows == [{"serv_type": "N", "apprec_status": 1}, {"serv_type": "M", "apprec_status": 1}]


async def test_the_messages_page_says_when_the_message_server_is_off(
    client: httpx.AsyncClient, cast: Cast
) -> None:
    assert message_server.register() is False
    assert message_server.CHANNEL not in outbox.TRANSPORTS
    await sign_in(client, cast["kari"])
    page = await client.get("/meldinger/")
    assert "Meldingstjeneren til Norsk Helsenett er ikke satt opp" in page.text


async def test_the_message_server_page_notice_is_gone_when_configured(
    client: httpx.AsyncClient, cast: Cast, msh: StandIn
) -> None:
    assert message_server.CHANNEL in outbox.TRANSPORTS
    await sign_in(client, cast["kari"])
    page = await client.get("/meldinger/")
    assert "ikke satt opp" not in page.text
