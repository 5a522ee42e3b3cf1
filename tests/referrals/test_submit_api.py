"""A GP's record system submits a referral through the API and follows it."""

from __future__ import annotations

from datetime import date, datetime

import httpx

from helseiarbeid.core.clock import today_in_oslo
from helseiarbeid.core.tables import AuditEvent
from helseiarbeid.core.working_days import add_working_days
from helseiarbeid.referrals.tables import Patient, Referral, StatusChange
from tests.cast import Cast, bearer
from tests.referrals.factories import PATIENT_ID, referral_body


async def test_a_referral_is_received_with_reference_and_deadline(
    client: httpx.AsyncClient, cast: Cast
) -> None:
    response = await client.post(
        "/api/v1/referrals", json=referral_body(), headers=await bearer(cast["gp_anne"])
    )
    assert response.status_code == 201, response.text
    body = response.json()
    assert set(body) >= {"id", "reference", "status", "received_at", "assessment_due"}
    assert body["status"] == "received"
    assert body["reference"].startswith("HIA-")
    assert len(body["reference"]) == 10
    assert datetime.fromisoformat(body["received_at"]).tzinfo is not None
    assert date.fromisoformat(body["assessment_due"]) == add_working_days(today_in_oslo(), 10)
    assert response.headers["location"] == f"/api/v1/referrals/{body['id']}"

    stored = await Referral.select().where(Referral.id == body["id"]).first()
    assert stored is not None
    assert stored["gp_name"] == "Anne Allmennlege"
    assert stored["gp_hpr_number"] == "1234567"
    assert stored["sick_leave_percent"] == 50
    assert stored["source"] == "api"
    history = await StatusChange.select().where(StatusChange.referral == body["id"])
    assert [(h["from_status"], h["to_status"]) for h in history] == [(None, "received")]


async def test_the_gp_reads_back_what_was_sent(client: httpx.AsyncClient, cast: Cast) -> None:
    headers = await bearer(cast["gp_anne"])
    created = (await client.post("/api/v1/referrals", json=referral_body(), headers=headers)).json()
    response = await client.get(f"/api/v1/referrals/{created['id']}", headers=headers)
    assert response.status_code == 200
    referral = response.json()
    assert referral["patient"]["national_id"] == PATIENT_ID
    assert referral["patient"]["name"] == "Lise Lyngstad"
    assert referral["gp"]["office_name"] == "Anne Allmennleges arbeidssted"
    assert referral["question"] == "Vurdering av arbeidsevne og videre tiltak?"
    assert referral["history_of_status"][0]["to_status"] == "received"
    assert referral["history_of_status"][0]["changed_by"] == "Anne Allmennlege"


async def test_each_referral_keeps_the_contact_details_its_gp_sent(
    client: httpx.AsyncClient, cast: Cast
) -> None:
    """One patient, two GPs: neither sees the address the other one wrote."""
    anne = await bearer(cast["gp_anne"])
    bjorn = await bearer(cast["gp_bjorn"])
    first = (await client.post("/api/v1/referrals", json=referral_body(), headers=anne)).json()
    moved = referral_body(**{"patient.address": "Hemmelig adresse 1, 9000 Tromsø"})
    second = (await client.post("/api/v1/referrals", json=moved, headers=bjorn)).json()
    assert await Patient.count() == 1
    assert await Referral.count() == 2
    annes = (await client.get(f"/api/v1/referrals/{first['id']}", headers=anne)).json()
    assert annes["patient"]["address"] == "Fjellveien 3, 8006 Bodø"
    bjorns = (await client.get(f"/api/v1/referrals/{second['id']}", headers=bjorn)).json()
    assert bjorns["patient"]["address"] == "Hemmelig adresse 1, 9000 Tromsø"


async def test_optional_fields_may_be_left_out(client: httpx.AsyncClient, cast: Cast) -> None:
    body = referral_body(work_status="working", sick_leave_percent=None, sick_leave_since=None)
    body["employer"] = {"name": "Tromsø Renhold AS"}
    for field in ("complaint_duration", "history", "medication"):
        body.pop(field)
    response = await client.post(
        "/api/v1/referrals", json=body, headers=await bearer(cast["gp_anne"])
    )
    assert response.status_code == 201, response.text


async def test_list_filters_by_status(client: httpx.AsyncClient, cast: Cast) -> None:
    headers = await bearer(cast["gp_anne"])
    first = (await client.post("/api/v1/referrals", json=referral_body(), headers=headers)).json()
    await client.post("/api/v1/referrals", json=referral_body(), headers=headers)
    await client.post(f"/api/v1/referrals/{first['id']}/withdraw", json={}, headers=headers)
    received = (await client.get("/api/v1/referrals?status=received", headers=headers)).json()
    withdrawn = (await client.get("/api/v1/referrals?status=withdrawn", headers=headers)).json()
    assert received["total"] == 1
    assert [item["id"] for item in withdrawn["items"]] == [first["id"]]
    everything = (await client.get("/api/v1/referrals", headers=headers)).json()
    assert everything["total"] == 2
    assert everything["items"][0]["patient_name"] == "Lise Lyngstad"


async def test_an_unknown_status_filter_is_named(client: httpx.AsyncClient, cast: Cast) -> None:
    response = await client.get(
        "/api/v1/referrals?status=lost", headers=await bearer(cast["gp_anne"])
    )
    assert response.status_code == 422
    assert "status" in response.json()["errors"]


# Each audit row's place in the hash chain differs by construction (core/audit_chain.py).
CHAIN = ("chain_seq", "prev_hash", "chain_hash")


async def test_with_and_without_idempotency_key_the_same_rows_are_stored(
    client: httpx.AsyncClient, cast: Cast
) -> None:
    """PostgreSQL stores a keyless submission in one statement, a keyed one in a transaction
    of several: what lands in the tables must not depend on which."""
    headers = await bearer(cast["gp_anne"])
    plain = await client.post("/api/v1/referrals", json=referral_body(), headers=headers)
    keyed = await client.post(
        "/api/v1/referrals", json=referral_body(), headers={**headers, "Idempotency-Key": "k-1"}
    )
    assert plain.status_code == keyed.status_code == 201
    ids = [plain.json()["id"], keyed.json()["id"]]

    def comparable(row: dict[str, object], *volatile: str) -> dict[str, object]:
        return {key: value for key, value in row.items() if key not in volatile}

    referrals = await Referral.select().where(Referral.id.is_in(ids)).order_by(Referral.id)
    first, second = (
        comparable(row, "id", "reference", "received_at", "updated_at") for row in referrals
    )
    assert first == second
    assert await Patient.count() == 1
    history = await StatusChange.select().where(StatusChange.referral.is_in(ids))
    assert len({str(comparable(h, "id", "referral", "changed_at")) for h in history}) == 1
    rows = await AuditEvent.select().where(AuditEvent.referral_id.is_in(ids))
    assert len(rows) == 2
    shapes = {
        str(comparable(r, "id", "occurred_at", "resource_id", "referral_id", *CHAIN)) for r in rows
    }
    assert len(shapes) == 1
    assert {r["resource_id"] for r in rows} == {str(i) for i in ids}
