"""Every letter the clinic writes keeps every field inside the A4 page, however long the word
(issue 11, item 11: a name of 200 × «Ø» ran off the page)."""

from __future__ import annotations

from datetime import timedelta

import httpx

from helseiarbeid.core.clock import pinned
from tests.cast import Cast, bearer
from tests.clinic_track.conftest import Pathway, next_weekday_at
from tests.pdf_layout import assert_all_text_on_the_page
from tests.referrals.factories import referral_body

NAME = "Ø" * 200
EMPLOYER = "Å" * 200
PLACE = "Poliklinikken" + "æ" * 180
DESTINATION = "Distriktspsykiatrisk" + "senter" * 30
REASON = "Arbeidsrettet" + "oppfølging" * 60
SUMMARY = "Arbeidsevne" + "avklaring" * 80


async def test_every_field_of_every_clinic_letter_wraps(
    client: httpx.AsyncClient, cast: Cast
) -> None:
    body = referral_body(**{"patient.name": NAME, "employer.name": EMPLOYER})
    created = await client.post(
        "/api/v1/referrals", json=body, headers=await bearer(cast["gp_anne"])
    )
    assert created.status_code == 201, created.text
    pathway = Pathway(client, cast, created.json()["id"])
    assert (await pathway.accept()).status_code == 201
    booked = await pathway.post(
        "kari",
        "/consultations",
        {
            "starts_at": next_weekday_at(10).isoformat(),
            "duration_minutes": 60,
            "staff_ids": [cast["per"].id, cast["nils"].id],
            "location": PLACE,
        },
    )
    assert booked.status_code == 201, booked.text
    assert (await pathway.clarify(summary=SUMMARY)).status_code == 200
    onward = await pathway.post(
        "frida",
        "/onward-referrals",
        {"destination_type": "dps", "destination_name": DESTINATION, "reason": REASON},
    )
    assert onward.status_code == 201, onward.text
    with pinned(next_weekday_at(10) + timedelta(hours=1)):  # the consultation has been held
        held = await pathway.post(
            "kari", f"/consultations/{booked.json()['id']}/outcome", {"outcome": "held"}
        )
        assert held.status_code == 204, held.text
        assert (await pathway.post("frida", "/report", {})).status_code == 201

    kari = await pathway.headers("kari")
    letter = await client.get(booked.json()["letter_url"], headers=kari)
    assert letter.status_code == 200
    assert_all_text_on_the_page(letter.content, NAME, PLACE)
    onward_letter = await client.get(onward.json()["letter_url"], headers=kari)
    assert onward_letter.status_code == 200
    assert_all_text_on_the_page(onward_letter.content, DESTINATION, NAME, EMPLOYER, REASON)
    report = await client.get(
        f"/api/v1/referrals/{pathway.id}/report.pdf", headers=await pathway.headers("gp_anne")
    )
    assert report.status_code == 200
    assert_all_text_on_the_page(report.content, NAME, EMPLOYER, SUMMARY, DESTINATION, REASON)
