"""Assessment: accept with deadline and priority, return with a reason, or ask for more."""

from __future__ import annotations

from datetime import timedelta

from helseiarbeid.core.clock import today_in_oslo
from helseiarbeid.referrals.tables import InformationRequest
from tests.clinic_track.conftest import Pathway


async def test_returning_without_a_reason_is_refused(pathway: Pathway) -> None:
    response = await pathway.post("per", "/assessment", {"decision": "returned", "reason": "  "})
    assert response.status_code == 422
    assert "hvorfor" in response.json()["errors"]["reason"]
    assert await pathway.status() == "received"


async def test_accepting_needs_a_deadline_and_a_priority(pathway: Pathway) -> None:
    response = await pathway.post("frida", "/assessment", {"decision": "accepted"})
    assert response.status_code == 422
    assert set(response.json()["errors"]) == {"start_deadline", "priority"}
    past = (today_in_oslo() - timedelta(days=1)).isoformat()
    late = await pathway.post(
        "frida",
        "/assessment",
        {"decision": "accepted", "start_deadline": past, "priority": "normal"},
    )
    assert late.status_code == 422
    assert "passert" in late.json()["errors"]["start_deadline"]
    assert await pathway.status() == "received"


async def test_asking_for_more_information_waits_for_the_gp(pathway: Pathway) -> None:
    asked = await pathway.post(
        "per",
        "/assessment",
        {"decision": "more_information", "reason": "Har pasienten prøvd fysioterapi?"},
    )
    assert asked.status_code == 201
    assert await pathway.status() == "under_assessment"
    worklist = await pathway.client.get(
        "/api/v1/clinic/worklist", headers=await pathway.headers("kari")
    )
    assert worklist.json()["items"][0]["waiting_for_information"] is True

    answered = await pathway.post(
        "gp_anne", "/information", {"answer": "Ja, 10 timer uten bedring."}
    )
    assert answered.status_code == 204
    request = await InformationRequest.select().first()
    assert request is not None
    assert request["answered_at"] is not None
    assert request["answered_at"] >= request["requested_at"]
    worklist = await pathway.client.get(
        "/api/v1/clinic/worklist", headers=await pathway.headers("kari")
    )
    assert worklist.json()["items"][0]["waiting_for_information"] is False
    assert (await pathway.accept()).status_code == 201


async def test_only_the_referring_gp_answers_and_only_an_open_question(pathway: Pathway) -> None:
    none_open = await pathway.post("gp_anne", "/information", {"answer": "Svar."})
    assert none_open.status_code == 409
    await pathway.post("per", "/assessment", {"decision": "more_information", "reason": "Hvorfor?"})
    other_gp = await pathway.post("gp_bjorn", "/information", {"answer": "Svar."})
    assert other_gp.status_code == 404


async def test_a_decision_from_a_stale_view_is_refused(pathway: Pathway) -> None:
    seen = (
        await pathway.client.get(
            f"/api/v1/referrals/{pathway.id}", headers=await pathway.headers("frida")
        )
    ).json()["version"]
    returned = await pathway.post(
        "per",
        "/assessment",
        {"decision": "returned", "reason": "Passer i kommunen.", "version": seen},
    )
    assert returned.status_code == 201
    deadline = (today_in_oslo() + timedelta(days=20)).isoformat()
    stale = await pathway.post(
        "frida",
        "/assessment",
        {"decision": "accepted", "start_deadline": deadline, "priority": "high", "version": seen},
    )
    assert stale.status_code == 409
    assert "endret av noen andre" in stale.json()["detail"]
    assert await pathway.status() == "returned"
