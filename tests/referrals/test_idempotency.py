"""Idempotency-Key: a retry gets the first answer; concurrent retries make one referral."""

from __future__ import annotations

import asyncio

import httpx

from helseiarbeid.referrals.tables import Referral
from tests.cast import Cast, bearer
from tests.live_server import serve
from tests.referrals.factories import referral_body


async def test_a_retry_returns_the_first_answer_and_stores_nothing_new(
    client: httpx.AsyncClient, cast: Cast
) -> None:
    headers = {**await bearer(cast["gp_anne"]), "Idempotency-Key": "journal-4711"}
    first = await client.post("/api/v1/referrals", json=referral_body(), headers=headers)
    retry = await client.post("/api/v1/referrals", json=referral_body(), headers=headers)
    assert first.status_code == retry.status_code == 201
    assert retry.content == first.content
    assert retry.headers["idempotent-replayed"] == "true"
    assert await Referral.count() == 1


async def test_the_same_key_with_another_body_is_refused(
    client: httpx.AsyncClient, cast: Cast
) -> None:
    headers = {**await bearer(cast["gp_anne"]), "Idempotency-Key": "journal-4711"}
    await client.post("/api/v1/referrals", json=referral_body(), headers=headers)
    other = referral_body(question="Et annet spørsmål?")
    response = await client.post("/api/v1/referrals", json=other, headers=headers)
    assert response.status_code == 422
    assert "Idempotency-Key" in response.json()["errors"]
    assert await Referral.count() == 1


async def test_keys_of_different_gps_do_not_collide(client: httpx.AsyncClient, cast: Cast) -> None:
    anne = {**await bearer(cast["gp_anne"]), "Idempotency-Key": "1"}
    bjorn = {**await bearer(cast["gp_bjorn"]), "Idempotency-Key": "1"}
    a = await client.post("/api/v1/referrals", json=referral_body(), headers=anne)
    b = await client.post("/api/v1/referrals", json=referral_body(), headers=bjorn)
    assert a.json()["id"] != b.json()["id"]
    assert await Referral.count() == 2


async def test_without_a_key_each_post_is_a_new_referral(
    client: httpx.AsyncClient, cast: Cast
) -> None:
    headers = await bearer(cast["gp_anne"])
    await client.post("/api/v1/referrals", json=referral_body(), headers=headers)
    await client.post("/api/v1/referrals", json=referral_body(), headers=headers)
    assert await Referral.count() == 2


async def test_20_concurrent_requests_with_one_key_create_one_referral(
    database: str, cast: Cast
) -> None:
    """Real HTTP requests at once against a real server process."""
    headers = {**await bearer(cast["gp_anne"]), "Idempotency-Key": "burst-1"}
    with serve(database) as base_url:
        async with httpx.AsyncClient(base_url=base_url, timeout=60) as http:
            responses = await asyncio.gather(
                *[
                    http.post("/api/v1/referrals", json=referral_body(), headers=headers)
                    for _ in range(20)
                ]
            )
    assert [response.status_code for response in responses] == [201] * 20
    assert len({response.content for response in responses}) == 1
    assert await Referral.count() == 1


async def test_concurrent_requests_without_keys_for_a_new_patient_all_succeed(
    database: str, cast: Cast
) -> None:
    """Ten referrals of one new patient at once: one patient row, ten referrals, no error."""
    headers = await bearer(cast["gp_anne"])
    with serve(database) as base_url:
        async with httpx.AsyncClient(base_url=base_url, timeout=60) as http:
            responses = await asyncio.gather(
                *[
                    http.post("/api/v1/referrals", json=referral_body(), headers=headers)
                    for _ in range(10)
                ]
            )
    assert [response.status_code for response in responses] == [201] * 10
    assert await Referral.count() == 10
