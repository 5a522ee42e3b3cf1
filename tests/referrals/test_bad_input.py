"""Bad referrals are refused with a message naming the field, and nothing is stored."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import httpx
import pytest

from helseiarbeid.core.clock import pinned
from helseiarbeid.core.tables import AuditEvent
from helseiarbeid.referrals.tables import Patient, Referral, StatusChange, SubmissionKey
from tests.cast import Cast, bearer
from tests.referrals.factories import PATIENT_ID, REMOVE, referral_body

WRONG_CHECK_DIGIT = PATIENT_ID[:-1] + str((int(PATIENT_ID[-1]) + 1) % 10)
# Half past midnight in Oslo on 11 November, still 10 November in UTC: "today" is Oslo's date.
LATE_EVENING_UTC = datetime(2026, 11, 10, 23, 30, tzinfo=UTC)
OSLO_TODAY = "2026-11-11"
OSLO_TOMORROW = "2026-11-12"


async def _nothing_stored() -> None:
    for table in (Referral, Patient, StatusChange, SubmissionKey, AuditEvent):
        assert await table.count() == 0, f"{table._meta.tablename} has rows"


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"patient.national_id": WRONG_CHECK_DIGIT}, "patient.national_id", "kontrollsiffer"),
        ({"patient.national_id": "123"}, "patient.national_id", "11 siffer"),
        ({"employer.org_number": "123456789"}, "employer.org_number", "kontrollsiffer"),
        ({"consent_nav_participation": False}, "consent_nav_participation", "samtykke"),
        ({"consent_nav_participation": REMOVE}, "consent_nav_participation", "samtykke"),
        ({"urgency": "urgent"}, "urgency_reason", "haster"),
        ({"urgency": "urgent", "urgency_reason": "   "}, "urgency_reason", "haster"),
        ({"sick_leave_percent": None}, "sick_leave_percent", "sykmeldingsgraden"),
        ({"sick_leave_percent": 0}, "sick_leave_percent", "mellom 1 og 99"),
        ({"sick_leave_percent": 100}, "sick_leave_percent", "mellom 1 og 99"),
        ({"work_status": "sick_leave_full"}, "sick_leave_percent", "bare ved gradert"),
        ({"sick_leave_since": OSLO_TOMORROW}, "sick_leave_since", "fram i tid"),
        ({"patient.name": ""}, "patient.name", "må fylles ut"),
        ({"question": " "}, "question", "må fylles ut"),
        ({"patient.phone": "12"}, "patient.phone", "8 siffer"),
    ],
)
async def test_rule_violations_name_the_field(
    client: httpx.AsyncClient, cast: Cast, overrides: dict[str, Any], field: str, message: str
) -> None:
    headers = await bearer(cast["gp_anne"])
    with pinned(LATE_EVENING_UTC):
        response = await client.post(
            "/api/v1/referrals", json=referral_body(**overrides), headers=headers
        )
    assert response.status_code == 422, response.text
    errors = response.json()["errors"]
    assert field in errors
    assert message.lower() in errors[field].lower()
    assert "Traceback" not in response.text
    await _nothing_stored()


async def test_sick_leave_since_today_in_oslo_is_accepted_before_utc_midnight(
    client: httpx.AsyncClient, cast: Cast
) -> None:
    headers = await bearer(cast["gp_anne"])
    with pinned(LATE_EVENING_UTC):
        response = await client.post(
            "/api/v1/referrals", json=referral_body(sick_leave_since=OSLO_TODAY), headers=headers
        )
    assert response.status_code == 201, response.text


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"complaint": "back_pain"}, "complaint"),
        ({"work_status": "retired"}, "work_status"),
        ({"urgency": "asap"}, "urgency"),
        ({"sick_leave_percent": "fifty"}, "sick_leave_percent"),
        ({"sick_leave_since": "01.10.2026"}, "sick_leave_since"),
        ({"occupation": REMOVE}, "occupation"),
        ({"unexpected": "field"}, "unexpected"),
    ],
)
async def test_schema_violations_name_the_field(
    client: httpx.AsyncClient, cast: Cast, overrides: dict[str, Any], field: str
) -> None:
    response = await client.post(
        "/api/v1/referrals", json=referral_body(**overrides), headers=await bearer(cast["gp_anne"])
    )
    assert response.status_code == 422, response.text
    assert field in response.json()["detail"]
    await _nothing_stored()


async def test_malformed_json_is_400(client: httpx.AsyncClient, cast: Cast) -> None:
    headers = {**await bearer(cast["gp_anne"]), "Content-Type": "application/json"}
    response = await client.post("/api/v1/referrals", content=b'{"patient": ', headers=headers)
    assert response.status_code == 400
    assert response.json()["detail"] == "Innholdet er ikke gyldig JSON."
    await _nothing_stored()


async def test_a_body_over_256_kib_is_413(client: httpx.AsyncClient, cast: Cast) -> None:
    body = referral_body(description="x" * (256 * 1024))
    response = await client.post(
        "/api/v1/referrals", json=body, headers=await bearer(cast["gp_anne"])
    )
    assert response.status_code == 413
    await _nothing_stored()


async def test_missing_or_wrong_token_is_401(client: httpx.AsyncClient, cast: Cast) -> None:
    assert (await client.post("/api/v1/referrals", json=referral_body())).status_code == 401
    wrong = {"Authorization": "Bearer hia_wrong"}
    response = await client.post("/api/v1/referrals", json=referral_body(), headers=wrong)
    assert response.status_code == 401
    assert await Referral.count() == 0


async def test_many_problems_are_reported_together(client: httpx.AsyncClient, cast: Cast) -> None:
    body = referral_body(
        **{"patient.national_id": WRONG_CHECK_DIGIT},
        urgency="urgent",
        consent_nav_participation=False,
    )
    response = await client.post(
        "/api/v1/referrals", json=body, headers=await bearer(cast["gp_anne"])
    )
    assert set(response.json()["errors"]) == {
        "patient.national_id",
        "urgency_reason",
        "consent_nav_participation",
    }


async def test_a_long_duration_is_refused_with_a_message(
    client: httpx.AsyncClient, cast: Cast
) -> None:
    body = referral_body(complaint_duration="lenge " * 50)
    response = await client.post(
        "/api/v1/referrals", json=body, headers=await bearer(cast["gp_anne"])
    )
    assert response.status_code == 422
    assert "complaint_duration" in response.json()["errors"]


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"sick_leave_percent": "fifty"}, "sick_leave_percent", "Må være et heltall eller tom."),
        ({"sick_leave_since": "01.10.2026"}, "sick_leave_since", "Ugyldig dato: bruk ÅÅÅÅ-MM-DD."),
        ({"unexpected": "field"}, "unexpected", "Ukjent felt."),
        ({"occupation": REMOVE}, "occupation", "Må fylles ut."),
        ({"employer": {"name": "AS", "x": 1}}, "employer.x", "Ukjent felt."),
        (
            {"sick_leave_percent": 10**12},
            "sick_leave_percent",
            "Tallet er for stort: høyst 2147483647.",
        ),
    ],
)
async def test_schema_violations_are_explained_in_norwegian(
    client: httpx.AsyncClient, cast: Cast, overrides: dict[str, Any], field: str, message: str
) -> None:
    response = await client.post(
        "/api/v1/referrals", json=referral_body(**overrides), headers=await bearer(cast["gp_anne"])
    )
    assert response.status_code == 422, response.text
    assert response.json()["errors"] == {field: message}
    await _nothing_stored()
