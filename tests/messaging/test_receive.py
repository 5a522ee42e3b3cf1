"""Issue 13 §1–5: the directorate's example referrals received through POST /api/v1/messages,
answered with a valid AppRec 1.1; damaged copies rejected with the right code; repeats."""

from __future__ import annotations

import asyncio

import httpx
import pytest

from helseiarbeid.core.audit import AuditAction
from helseiarbeid.core.clock import today_in_oslo
from helseiarbeid.core.tables import AuditEvent, User
from helseiarbeid.core.timefmt import to_oslo
from helseiarbeid.core.working_days import add_working_days
from helseiarbeid.messaging.standards import NS_APPREC_11
from helseiarbeid.messaging.tables import HealthMessage
from helseiarbeid.referrals.tables import Patient, Referral, ReferralDocument, StatusChange
from tests.cast import Cast, bearer
from tests.messaging.conftest import (
    CANCEL_20,
    CHANGE_20,
    NEW_10,
    NEW_11,
    NEW_20,
    ONWARD_20,
    error_codes,
    example,
    original_id,
    post_message,
    status_of,
)

# name: (MsgId, patient's national ID, name, GP's HPR, start of the complaint text)
EXPECTED = {
    NEW_20: (
        "76665c90-3198-11e8-b566-0800200c9a66",
        "13116900216",
        "Line Danser",
        "9144897",
        "Stadig dårligere denne vinteren",
    ),
    ONWARD_20: (
        "fbb215f0-1f14-11e9-b56e-0800200c9a66",
        "21016400952",
        "Finn Dottno",
        "9144900",
        "Pasient viderehenvises",
    ),
    NEW_11: (
        "02a51109-7416-4822-9742-bcd6fdfd036f",
        "13116900216",
        "Line Danser",
        "9144900",
        "Pasienten har sterke smerter i hofter",
    ),
    NEW_10: (
        "314725f6-06d8-4059-bdca-e508f6c140fd",
        "13116900216",
        "Line Danser",
        "9144900",
        "Pasienten har sterke smerter i hofter",
    ),
}


@pytest.mark.parametrize("name", list(EXPECTED))
async def test_an_example_referral_becomes_a_referral(
    client: httpx.AsyncClient, cast: Cast, name: str
) -> None:
    msg_id, national_id, patient_name, hpr, complaint = EXPECTED[name]
    apprec, _ = await post_message(client, cast, example(name))
    assert status_of(apprec) == "1"
    assert error_codes(apprec) == []
    assert original_id(apprec) == msg_id
    referral = await Referral.select(
        *Referral.all_columns(), Referral.patient.national_id, Referral.gp.hpr_number
    ).first()
    assert referral is not None
    assert referral["patient.national_id"] == national_id
    assert referral["patient_name"] == patient_name
    assert referral["gp_hpr_number"] == hpr == referral["gp.hpr_number"]
    assert referral["description"].startswith(complaint)
    assert referral["source"] == "message"
    assert referral["status"] == "received"
    assert referral["consent_nav_participation"] is False
    assert referral["nav_consent"] == "not_recorded"
    assert "employer_name" in referral["to_complete"]
    assert "consent_nav_participation" in referral["to_complete"]
    received = to_oslo(referral["received_at"]).date()
    assert referral["assessment_due"] == add_working_days(received, 10)
    assert received == today_in_oslo()
    logged = await HealthMessage.select().first()
    assert logged is not None
    assert logged["referral"] == referral["id"]
    assert logged["apprec_status"] == 1
    created = await AuditEvent.select().where(
        (AuditEvent.action == AuditAction.CREATE.value) & (AuditEvent.resource_type == "referral")
    )
    assert [row["referral_id"] for row in created] == [referral["id"]]


async def test_the_new_referral_s_gp_is_registered_once_and_found_by_hpr(
    client: httpx.AsyncClient, cast: Cast
) -> None:
    await post_message(client, cast, example(NEW_20))
    await post_message(client, cast, example(NEW_11))  # another GP (Rita Lin, 9144900)
    await post_message(client, cast, example(NEW_10))  # Rita Lin again
    gps = (
        await User.select(User.name, User.hpr_number, User.her_id)
        .where(User.hpr_number.is_in(["9144897", "9144900"]))
        .order_by(User.hpr_number)
    )
    assert gps == [
        {"name": "August September", "hpr_number": "9144897", "her_id": "91100"},
        {"name": "Rita Lin", "hpr_number": "9144900", "her_id": "258521"},
    ]
    assert await Patient.count() == 1  # the same patient, three referrals
    assert await Referral.count() == 3


async def test_an_attachment_is_kept_and_an_unreadable_one_gives_status_3(
    client: httpx.AsyncClient, cast: Cast
) -> None:
    apprec, _ = await post_message(client, cast, example(ONWARD_20))
    assert status_of(apprec) == "1"
    documents = await ReferralDocument.select(ReferralDocument.kind, ReferralDocument.content)
    assert len(documents) == 1
    assert documents[0]["kind"] == "attachment"
    assert documents[0]["content"].startswith(b"%PDF")

    damaged = (
        example(ONWARD_20)
        .replace(b"fbb215f0-1f14", b"fbb215f0-ffff")
        .replace(b">JVBERi0xLjQN", b">AAAAAAAAAAAA")
    )
    apprec, _ = await post_message(client, cast, damaged)
    assert status_of(apprec) == "3"
    assert error_codes(apprec) == ["X99"]
    assert await Referral.count() == 2  # stored, without the unreadable part
    assert await ReferralDocument.count() == 1


def _damaged(name: str) -> dict[str, tuple[bytes, str]]:
    raw = example(name)
    national_id = EXPECTED[name][1].encode()
    receivers = [b"<Id>59</Id>", b"<Id>90998</Id>", b"<Id>90240</Id>", b"<Id>999997</Id>"]
    other = raw
    for receiver in receivers:
        other = other.replace(receiver, b"<Id>12345</Id>")
    msg_id = EXPECTED[name][0].encode()
    return {
        "not well-formed": (raw.replace(b"</ServType>", b"").replace(b"/>", b">", 1), "T01"),
        "schema-invalid": (raw.replace(msg_id, msg_id + b"</MsgId><MsgId>x", 1), "T02"),
        "another receiver": (other, "E21"),
        "bad national ID": (raw.replace(national_id, national_id[:-1] + b"9"), "E31"),
        "no message id": (raw.replace(msg_id, b"", 1), "E10"),
    }


@pytest.mark.parametrize(
    ("name", "damage"),
    [(name, damage) for name in EXPECTED for damage in _damaged(name)],
)
async def test_a_damaged_copy_is_rejected_with_its_code_and_nothing_stored(
    client: httpx.AsyncClient, cast: Cast, name: str, damage: str
) -> None:
    body, code = _damaged(name)[damage]
    if damage == "not well-formed":  # no sender to answer: see the test after this one
        response = await _post(client, cast, body)
        assert response.status_code == 422
        assert code in response.json()["errors"]
    else:
        apprec, response = await post_message(client, cast, body)
        assert status_of(apprec) == "2"
        assert code in error_codes(apprec)
        # The AppRec goes back to the message's own sender, never to a made-up HER-id 0.
        receiver = apprec.find(f"{{{NS_APPREC_11}}}Receiver/{{*}}HCP/{{*}}Inst/{{*}}Id")
        assert receiver is not None
        assert receiver.text not in ("0", "", None)
    assert response.headers["apprec-status"] == "2"
    assert await Referral.count() == 0
    assert await Patient.count() == 0
    logged = await HealthMessage.select(HealthMessage.apprec_status, HealthMessage.referral)
    assert logged == [{"apprec_status": 2, "referral": None}]


async def test_the_same_message_twice_stores_nothing_new_and_answers_the_same(
    client: httpx.AsyncClient, cast: Cast
) -> None:
    _first, response = await post_message(client, cast, example(NEW_20))
    _again, repeat = await post_message(client, cast, example(NEW_20))
    assert repeat.content == response.content
    assert await Referral.count() == 1
    assert await HealthMessage.count() == 1


async def test_two_concurrent_deliveries_of_one_message_store_one_referral(
    client: httpx.AsyncClient, cast: Cast
) -> None:
    results = await asyncio.gather(*(post_message(client, cast, example(NEW_20)) for _ in range(2)))
    assert results[0][1].content == results[1][1].content
    assert status_of(results[0][0]) == "1"
    assert await Referral.count() == 1
    assert await HealthMessage.count() == 1


async def test_a_known_message_id_with_another_body_is_rejected(
    client: httpx.AsyncClient, cast: Cast
) -> None:
    await post_message(client, cast, example(NEW_20))
    changed = example(NEW_20).replace(b"Numedalsveien 52", b"Numedalsveien 54")
    apprec, _ = await post_message(client, cast, changed)
    assert status_of(apprec) == "2"
    assert error_codes(apprec) == ["E10"]
    assert await Referral.count() == 1


async def test_a_change_before_assessment_updates_the_referral(
    client: httpx.AsyncClient, cast: Cast
) -> None:
    await post_message(client, cast, example(NEW_20))
    apprec, _ = await post_message(client, cast, example(CHANGE_20))
    assert status_of(apprec) == "1"
    referral = await Referral.select().first()
    assert referral is not None
    assert "økning til 25 mg" in referral["medication"]
    assert "økning til 30 mg" not in referral["medication"]
    history = await StatusChange.select(StatusChange.reason).order_by(StatusChange.id)
    assert history[-1]["reason"].startswith("Endret av fastlege (elektronisk melding)")
    assert await Referral.count() == 1


async def test_a_change_after_assessment_is_supplementary_and_noted(
    client: httpx.AsyncClient, cast: Cast
) -> None:
    await post_message(client, cast, example(NEW_20))
    await Referral.update({Referral.status: "accepted"}, force=True)
    apprec, _ = await post_message(client, cast, example(CHANGE_20))
    assert status_of(apprec) == "1"
    referral = await Referral.select().first()
    assert referral is not None
    assert "økning til 30 mg" in referral["medication"]
    history = await StatusChange.select(StatusChange.reason).order_by(StatusChange.id)
    assert history[-1]["reason"] == "Tilleggsopplysninger fra fastlege etter vurdering (melding)"
    change = await HealthMessage.select().where(HealthMessage.serv_type == "M").first()
    assert change is not None
    assert change["referral"] == referral["id"]


async def test_a_cancellation_withdraws_a_waiting_referral(
    client: httpx.AsyncClient, cast: Cast
) -> None:
    await post_message(client, cast, example(NEW_20))
    apprec, _ = await post_message(client, cast, example(CANCEL_20))
    assert status_of(apprec) == "1"
    referral = await Referral.select().first()
    assert referral is not None
    assert referral["status"] == "withdrawn"
    last = await StatusChange.select().order_by(StatusChange.id, ascending=False).first()
    assert last is not None
    assert last["to_status"] == "withdrawn"
    assert "fritt sykehusvalg" in last["reason"]


async def test_a_cancellation_after_assessment_alerts_the_team(
    client: httpx.AsyncClient, cast: Cast
) -> None:
    await post_message(client, cast, example(NEW_20))
    await Referral.update({Referral.status: "accepted"}, force=True)
    apprec, _ = await post_message(client, cast, example(CANCEL_20))
    assert status_of(apprec) == "1"
    referral = await Referral.select().first()
    assert referral is not None
    assert referral["status"] == "accepted"
    last = await StatusChange.select().order_by(StatusChange.id, ascending=False).first()
    assert last is not None
    assert last["reason"].startswith("Kansellert av fastlege")


async def test_a_change_of_a_referral_not_received_here_is_rejected(
    client: httpx.AsyncClient, cast: Cast
) -> None:
    apprec, _ = await post_message(client, cast, example(CHANGE_20))
    assert status_of(apprec) == "2"
    assert error_codes(apprec) == ["X99"]
    assert await Referral.count() == 0


async def test_only_the_messaging_role_may_post_and_only_xml(
    client: httpx.AsyncClient, cast: Cast
) -> None:
    from tests.cast import bearer

    refused = await client.post(
        "/api/v1/messages",
        content=example(NEW_20),
        headers={**await bearer(cast["kari"]), "Content-Type": "application/xml"},
    )
    assert refused.status_code == 403
    wrong_type = await client.post(
        "/api/v1/messages",
        content=example(NEW_20),
        headers={**await bearer(cast["msh"]), "Content-Type": "application/json"},
    )
    assert wrong_type.status_code == 415
    too_big = await client.post(
        "/api/v1/messages",
        content=b"<a>" + b"x" * (9 * 1024 * 1024) + b"</a>",
        headers={**await bearer(cast["msh"]), "Content-Type": "application/xml"},
    )
    assert too_big.status_code == 413
    assert await HealthMessage.count() == 0


async def test_an_entity_attack_is_not_expanded(client: httpx.AsyncClient, cast: Cast) -> None:
    bomb = (
        b'<?xml version="1.0"?><!DOCTYPE a [<!ENTITY x "' + b"y" * 1000 + b'">'
        b'<!ENTITY z SYSTEM "file:///etc/passwd">]><a>&x;&z;</a>'
    )
    response = await _post(client, cast, bomb)
    assert response.status_code == 422
    assert list(response.json()["errors"]) == ["T01"]
    assert "root:" not in response.text
    stored = await HealthMessage.select(HealthMessage.apprec_errors).first()
    assert stored is not None
    assert "root:" not in stored["apprec_errors"]


async def _post(client: httpx.AsyncClient, cast: Cast, body: bytes) -> httpx.Response:
    return await client.post(
        "/api/v1/messages",
        content=body,
        headers={**await bearer(cast["msh"]), "Content-Type": "application/xml"},
    )


async def test_a_message_whose_sender_cannot_be_read_gets_no_apprec_but_an_answer_why(
    client: httpx.AsyncClient, cast: Cast
) -> None:
    # Found trying the service: the AppRec of an unreadable message went to HER-id 0
    # «Ukjent», and libxml2's English parser text was in it.
    raw = example(NEW_20)
    broken = raw.replace(b"</MsgId>", b"", 1)
    no_sender = raw.replace(b"<Id>91096</Id>", b"<Id></Id>", 1)
    assert no_sender != raw
    for body in (broken, no_sender, b"<ikke-en-melding/>"):
        response = await _post(client, cast, body)
        assert response.status_code == 422, response.text
        answer = response.json()
        assert "ingen å sende en applikasjonskvittering (AppRec) til" in answer["detail"]
        assert response.headers["apprec-status"] == "2"
        assert answer["errors"]
    first = (await _post(client, cast, broken)).json()["errors"]
    assert first["T01"].startswith("Meldingen er ikke velformet XML (linje ")
    assert "tag" not in first["T01"].lower()  # not libxml2's «Opening and ending tag mismatch»
    logged = await HealthMessage.select(
        HealthMessage.apprec_status, HealthMessage.apprec_xml, HealthMessage.outcome
    )
    assert {row["apprec_status"] for row in logged} == {2}
    assert {row["apprec_xml"] for row in logged} == {""}
    assert {row["outcome"] for row in logged} == {
        "Avvist uten kvittering: avsenderens HER-id kunne ikke leses"
    }
    assert await Referral.count() == 0


async def test_a_schema_error_is_said_in_norwegian_without_the_value(
    client: httpx.AsyncClient, cast: Cast
) -> None:
    raw = example(NEW_20)
    national_id = EXPECTED[NEW_20][1].encode()
    body = raw.replace(b"<MsgId>", b"<Ukjent>" + national_id + b"</Ukjent><MsgId>", 1)
    apprec, _ = await post_message(client, cast, body)
    error = apprec.find(f"{{{NS_APPREC_11}}}Error")
    assert error is not None
    assert error.get("V") == "T02"
    text = error.get("OT", "")
    assert text.startswith("Meldingen følger ikke skjemaet (MsgHead 1.2): linje ")
    assert "elementet «Ukjent» er ikke ventet her" in text
    assert "This element" not in text
    assert national_id.decode() not in text


async def test_two_messages_for_one_new_gp_and_patient_at_once_register_each_once(
    client: httpx.AsyncClient, cast: Cast
) -> None:
    """Henvisning 1.1 and 1.0 from Rita Lin about Line Danser, delivered at the same moment:
    the loser of the race on the new GP or patient tries again and finds them."""
    results = await asyncio.gather(
        post_message(client, cast, example(NEW_11)), post_message(client, cast, example(NEW_10))
    )
    assert [status_of(apprec) for apprec, _ in results] == ["1", "1"]
    assert await Referral.count() == 2
    assert await Patient.count() == 1
    assert await User.count().where(User.hpr_number == "9144900") == 1
