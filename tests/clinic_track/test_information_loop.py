"""The team asks the GP, the GP answers, the team sees the answer: nothing is lost on the way.

Issue 10, items 1 and 2: the answer reached neither the case page nor the worklist, and the GP
could not tell which referrals waited for an answer.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import msgspec

from helseiarbeid.core.clock import pinned
from helseiarbeid.referrals import services as referrals
from helseiarbeid.referrals.schemas import ReferralCreate
from tests.cast import sign_in
from tests.clinic_track.conftest import Pathway
from tests.referrals.factories import OTHER_PATIENT_ID, referral_body

QUESTION = "Har pasienten prøvd fysioterapi, og med hvilken effekt?"
ANSWER = "Ja, 10 timer høsten 2025 uten varig bedring."


async def _ask(pathway: Pathway, person: str = "per") -> None:
    asked = await pathway.post(
        person, "/assessment", {"decision": "more_information", "reason": QUESTION}
    )
    assert asked.status_code == 201, asked.text


async def _answer(pathway: Pathway, text: str = ANSWER, person: str = "gp_anne") -> int:
    response = await pathway.post(person, "/information", {"answer": text})
    return response.status_code


async def _row(pathway: Pathway) -> dict[str, Any]:
    response = await pathway.client.get(
        "/api/v1/clinic/worklist", headers=await pathway.headers("kari")
    )
    rows = [row for row in response.json()["items"] if row["id"] == pathway.id]
    assert len(rows) == 1
    return dict(rows[0])


async def _case(pathway: Pathway, person: str = "frida") -> dict[str, Any]:
    response = await pathway.client.get(
        f"/api/v1/referrals/{pathway.id}/case", headers=await pathway.headers(person)
    )
    assert response.status_code == 200, response.text
    return dict(response.json())


async def test_the_gps_answer_reaches_the_case_the_history_and_the_worklist(
    pathway: Pathway,
) -> None:
    await _ask(pathway)
    before = await _row(pathway)
    assert before["waiting_for_information"] is True
    assert before["answer_from_gp"] is False

    assert await _answer(pathway) == 204

    case = await _case(pathway)
    [question] = case["information_requests"]
    assert question["question"] == QUESTION
    assert question["asked_by"] == "Per Psykolog"
    assert question["answer"] == ANSWER
    assert question["answered_by"] == "Anne Allmennlege"
    assert question["answered_at"] >= question["asked_at"]

    referral = (
        await pathway.client.get(
            f"/api/v1/referrals/{pathway.id}", headers=await pathway.headers("frida")
        )
    ).json()
    reasons = [
        (c["to_status"], c["reason"], c["changed_by"]) for c in referral["history_of_status"]
    ]
    assert ("under_assessment", "Spørsmål sendt fastlegen", "Per Psykolog") in reasons
    assert reasons[-1] == ("under_assessment", "Svar fra fastlege", "Anne Allmennlege")

    after = await _row(pathway)
    assert after["waiting_for_information"] is False
    assert after["answer_from_gp"] is True
    assert after["status"] == "under_assessment"
    # An information request does not stop the 10 working days: the deadline stands.
    assert after["assessment_due"] == before["assessment_due"]
    assert after["working_days_left"] == before["working_days_left"]

    await sign_in(pathway.client, pathway.cast["frida"])
    page = (await pathway.client.get(f"/klinikk/henvisninger/{pathway.id}")).text
    assert ANSWER in page
    assert "Svar fra fastlege" in page
    assert "Anne Allmennlege" in page
    worklist = (await pathway.client.get("/klinikk/arbeidsliste")).text
    assert "Svar fra fastlege" in worklist

    # Deciding ends the exchange: the marker goes with it.
    assert (await pathway.accept()).status_code == 201
    response = await pathway.client.get(
        "/api/v1/clinic/worklist?status=accepted", headers=await pathway.headers("kari")
    )
    assert response.json()["items"][0]["answer_from_gp"] is False


async def test_a_decision_from_a_view_before_the_answer_is_refused(pathway: Pathway) -> None:
    await _ask(pathway)
    seen = (await _case(pathway))["version"]
    assert await _answer(pathway) == 204
    stale = await pathway.post(
        "frida",
        "/assessment",
        {"decision": "returned", "reason": "Passer i kommunen.", "version": seen},
    )
    assert stale.status_code == 409
    assert "endret av noen andre" in stale.json()["detail"]
    fresh = (await _case(pathway))["version"]
    assert fresh > seen


async def test_no_answer_once_the_team_has_decided(pathway: Pathway) -> None:
    await _ask(pathway)
    assert (await pathway.accept()).status_code == 201
    assert await _answer(pathway) == 409
    mine = await pathway.client.get("/api/v1/referrals", headers=await pathway.headers("gp_anne"))
    assert mine.json()["waiting_for_answer"] == 0
    assert mine.json()["items"][0]["waiting_for_answer"] is False


async def test_bad_answers_name_the_field_and_store_nothing(pathway: Pathway) -> None:
    await _ask(pathway)
    for text in ("   ", "x" * 10_001):
        response = await pathway.post("gp_anne", "/information", {"answer": text})
        assert response.status_code == 422
        assert "answer" in response.json()["errors"]
    assert (await _case(pathway))["information_requests"][0]["answer"] is None


async def _older_referral(pathway: Pathway, days_ago: int, name: str) -> int:
    body = referral_body(**{"patient.national_id": OTHER_PATIENT_ID, "patient.name": name})
    data = msgspec.convert(body, ReferralCreate)
    with pinned(datetime.now(UTC) - timedelta(days=days_ago)):
        submission = await referrals.submit(pathway.cast["gp_anne"], data, key=None, source="api")
    return submission.receipt.id


async def test_the_gp_sees_what_waits_for_an_answer_first_with_a_count(pathway: Pathway) -> None:
    oldest = await _older_referral(pathway, 20, "Olav Eldst")
    middle = await _older_referral(pathway, 5, "Mona Midt")
    asked = Pathway(pathway.client, pathway.cast, oldest)
    await _ask(asked)

    mine = (
        await pathway.client.get("/api/v1/referrals", headers=await pathway.headers("gp_anne"))
    ).json()
    assert [item["id"] for item in mine["items"]] == [oldest, pathway.id, middle]
    assert [item["waiting_for_answer"] for item in mine["items"]] == [True, False, False]
    assert mine["waiting_for_answer"] == 1
    others = (
        await pathway.client.get("/api/v1/referrals", headers=await pathway.headers("gp_bjorn"))
    ).json()
    assert others["waiting_for_answer"] == 0

    await sign_in(pathway.client, pathway.cast["gp_anne"])
    start = (await pathway.client.get("/")).text
    assert "Venter på svar fra deg: 1" in start
    listing = (await pathway.client.get("/henvisninger")).text
    assert "Venter på svar fra deg: 1" in listing
    rows = listing.split("<tbody>")[1].split("</tr>")
    assert "Olav Eldst" in rows[0]
    assert "Venter på svar fra deg" in rows[0]
    assert "Venter på svar fra deg" not in rows[1]
    detail = (await pathway.client.get(f"/henvisninger/{oldest}")).text
    assert QUESTION in detail
    assert "Send svar" in detail

    assert await _answer(asked) == 204
    start = (await pathway.client.get("/")).text
    assert "Venter på svar fra deg" not in start
    mine = (
        await pathway.client.get("/api/v1/referrals", headers=await pathway.headers("gp_anne"))
    ).json()
    assert [item["id"] for item in mine["items"]] == [pathway.id, middle, oldest]
    assert mine["waiting_for_answer"] == 0
