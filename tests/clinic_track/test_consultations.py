"""Booking consultations: nobody is booked twice at once, even under concurrent requests."""

from __future__ import annotations

import asyncio
import io
from datetime import timedelta

import httpx
from pypdf import PdfReader

from helseiarbeid.clinic_track.tables import Consultation
from helseiarbeid.core.tables import BusyPeriod
from tests.cast import bearer
from tests.clinic_track.conftest import Pathway, next_weekday_at
from tests.live_server import serve
from tests.referrals.factories import OTHER_PATIENT_ID, referral_body


async def _second_accepted(pathway: Pathway) -> Pathway:
    body = referral_body(**{"patient.national_id": OTHER_PATIENT_ID, "patient.name": "Per Pasient"})
    response = await pathway.client.post(
        "/api/v1/referrals", json=body, headers=await pathway.headers("gp_anne")
    )
    other = Pathway(pathway.client, pathway.cast, response.json()["id"])
    assert (await other.accept()).status_code == 201
    return other


async def test_overlapping_bookings_of_one_member_are_refused(pathway: Pathway) -> None:
    await pathway.accept()
    other = await _second_accepted(pathway)
    ten = next_weekday_at(10)
    assert (await pathway.book(["per", "nils"], ten, 60)).status_code == 201
    clash = await other.book(["frida", "nils"], ten + timedelta(minutes=30), 60)
    assert clash.status_code == 409
    assert "Nils NAV er allerede opptatt" in clash.json()["detail"]
    # Back to back is fine: 11:00 starts as 10:00–11:00 ends.
    assert (await other.book(["nils"], ten + timedelta(hours=1), 60)).status_code == 201
    assert await Consultation.count() == 2


async def test_a_cancelled_consultation_frees_the_time(pathway: Pathway) -> None:
    await pathway.accept()
    ten = next_weekday_at(10)
    booked = (await pathway.book(["per"], ten)).json()
    cancel = await pathway.cancel(booked)
    assert cancel.status_code == 204
    assert await BusyPeriod.count() == 0
    assert (await pathway.book(["per"], ten)).status_code == 201


async def test_bad_bookings_name_the_field(pathway: Pathway) -> None:
    await pathway.accept()
    naive = await pathway.post(
        "kari",
        "/consultations",
        {
            "starts_at": "2030-01-07T10:00:00",
            "duration_minutes": 60,
            "staff_ids": [pathway.cast["per"].id],
            "location": "Rom 2",
        },
    )
    assert naive.status_code == 422
    assert "tidssone" in naive.json()["errors"]["starts_at"]
    past = await pathway.book(["per"], next_weekday_at(10) - timedelta(days=30))
    assert past.status_code == 422
    not_team = await pathway.book(["kari"])
    assert not_team.status_code == 422
    assert "staff_ids" in not_team.json()["errors"]
    too_long = await pathway.book(["per"], minutes=600)
    assert too_long.status_code == 422
    assert await Consultation.count() == 0


async def test_the_appointment_letter_says_when_and_where(pathway: Pathway) -> None:
    await pathway.accept()
    ten = next_weekday_at(10)
    booked = (await pathway.book(["per", "nils"], ten, 90)).json()
    letter = await pathway.client.get(booked["letter_url"], headers=await pathway.headers("kari"))
    assert letter.status_code == 200
    text = PdfReader(io.BytesIO(letter.content)).pages[0].extract_text()
    assert "Innkalling til tverrfaglig konsultasjon" in text
    assert "Lise Lyngstad" in text
    assert ten.strftime("%d.%m.%Y kl. 10:00") + "–11:30" in text
    assert "Poliklinikken, rom 2" in text
    assert "Per Psykolog, Nils NAV" in text


async def test_20_concurrent_bookings_of_one_member_at_one_time_give_one(
    database: str, pathway: Pathway
) -> None:
    """Twenty referrals, one psychologist, one hour: real requests at once to a real server."""
    referral_ids = [pathway.id]
    for _ in range(19):
        response = await pathway.client.post(
            "/api/v1/referrals", json=referral_body(), headers=await pathway.headers("gp_anne")
        )
        referral_ids.append(response.json()["id"])
    for referral_id in referral_ids:
        assert (
            await Pathway(pathway.client, pathway.cast, referral_id).accept()
        ).status_code == 201
    headers = await bearer(pathway.cast["kari"])
    body = {
        "starts_at": next_weekday_at(13).isoformat(),
        "duration_minutes": 60,
        "staff_ids": [pathway.cast["per"].id],
        "location": "Rom 1",
    }
    with serve(database) as base_url:
        async with httpx.AsyncClient(base_url=base_url, timeout=60) as http:
            responses = await asyncio.gather(
                *[
                    http.post(f"/api/v1/referrals/{rid}/consultations", json=body, headers=headers)
                    for rid in referral_ids
                ]
            )
    codes = sorted(response.status_code for response in responses)
    assert codes == [201] + [409] * 19
    assert await Consultation.count() == 1
    assert await BusyPeriod.count() == 1
