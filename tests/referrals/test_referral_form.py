"""The GP's web form: messages beside the wrong field, input kept, one referral per submit."""

from __future__ import annotations

import re
from typing import Any

import httpx

from helseiarbeid.referrals.tables import Referral
from tests.cast import Cast, csrf_token, sign_in
from tests.referrals.factories import EMPLOYER_ORG, PATIENT_ID


def _form(**overrides: str) -> dict[str, str]:
    form = {
        "patient.national_id": PATIENT_ID,
        "patient.name": "Lise Lyngstad",
        "patient.address": "Fjellveien 3, 8006 Bodø",
        "patient.phone": "912 34 567",
        "employer.name": "Bodø Havnelager AS",
        "employer.org_number": EMPLOYER_ORG,
        "occupation": "Lagermedarbeider",
        "work_status": "sick_leave_graded",
        "sick_leave_percent": "50",
        "sick_leave_since": "2026-10-01",
        "complaint": "both",
        "description": "Smerter i korsrygg og nedstemthet.",
        "complaint_duration": "6 måneder",
        "question": "Vurdering av arbeidsevne?",
        "history": "",
        "medication": "",
        "urgency": "routine",
        "urgency_reason": "",
        "consent_nav_participation": "true",
    }
    form.update(overrides)
    return form


async def _open_form(client: httpx.AsyncClient) -> dict[str, str]:
    page = await client.get("/henvisninger/ny")
    assert page.status_code == 200
    match = re.search(r'name="submission_key" value="([0-9a-f]+)"', page.text)
    assert match
    return {"submission_key": match.group(1), "_csrf_token": await csrf_token(client)}


async def test_the_form_sends_a_referral_and_shows_the_receipt(
    client: httpx.AsyncClient, cast: Cast
) -> None:
    await sign_in(client, cast["gp_anne"])
    hidden = await _open_form(client)
    response = await client.post("/henvisninger/ny", data={**_form(), **hidden})
    assert response.status_code == 303
    receipt = await client.get(response.headers["location"])
    assert "Bekreftelse på mottatt henvisning" in receipt.text
    referral = await Referral.select().first()
    assert referral is not None
    assert referral["reference"] in receipt.text
    assert referral["source"] == "web"
    assert referral["assessment_due"].strftime("%d.%m.%Y") in receipt.text


async def test_a_wrong_check_digit_is_shown_beside_the_field_and_input_is_kept(
    client: httpx.AsyncClient, cast: Cast
) -> None:
    await sign_in(client, cast["gp_anne"])
    hidden = await _open_form(client)
    wrong = PATIENT_ID[:-1] + str((int(PATIENT_ID[-1]) + 1) % 10)
    response = await client.post(
        "/henvisninger/ny", data={**_form(**{"patient.national_id": wrong}), **hidden}
    )
    assert response.status_code == 422
    html = response.text
    field = re.search(
        r'<div class="field has-error">\s*<label for="patient-national_id">.*?</div>', html, re.S
    )
    assert field, "the national ID field should be marked as wrong"
    assert "Fødselsnummeret har feil kontrollsiffer." in field.group(0)
    assert 'aria-invalid="true"' in field.group(0)
    assert f'value="{wrong}"' in field.group(0)
    assert 'value="Lise Lyngstad"' in html
    assert "Smerter i korsrygg og nedstemthet." in html
    assert 'value="sick_leave_graded" checked' in html
    assert hidden["submission_key"] in html
    assert await Referral.count() == 0


async def test_every_problem_is_listed_at_once(client: httpx.AsyncClient, cast: Cast) -> None:
    await sign_in(client, cast["gp_anne"])
    hidden = await _open_form(client)
    form = _form(urgency="urgent", complaint="", sick_leave_percent="abc")
    del form["consent_nav_participation"]
    response = await client.post("/henvisninger/ny", data={**form, **hidden})
    assert response.status_code == 422
    for message in (
        "Velg hvilke plager det gjelder.",
        "Sykmeldingsgraden må være et helt tall.",
        "Oppgi hvorfor henvisningen haster.",
        "Pasienten må samtykke",
    ):
        assert message in response.text
    assert await Referral.count() == 0


async def test_submitting_twice_creates_one_referral(client: httpx.AsyncClient, cast: Cast) -> None:
    """A double click, a reload of the POST or the back button resend the same form key."""
    await sign_in(client, cast["gp_anne"])
    hidden = await _open_form(client)
    first = await client.post("/henvisninger/ny", data={**_form(), **hidden})
    second = await client.post("/henvisninger/ny", data={**_form(), **hidden})
    assert first.status_code == second.status_code == 303
    assert first.headers["location"] == second.headers["location"]
    assert await Referral.count() == 1


async def test_a_new_form_is_a_new_referral(client: httpx.AsyncClient, cast: Cast) -> None:
    await sign_in(client, cast["gp_anne"])
    for _ in range(2):
        hidden = await _open_form(client)
        await client.post("/henvisninger/ny", data={**_form(), **hidden})
    assert await Referral.count() == 2


async def test_mine_henvisninger_lists_the_gps_own_referrals(
    client: httpx.AsyncClient, cast: Cast, annes_referral: dict[str, Any]
) -> None:
    await sign_in(client, cast["gp_bjorn"])
    assert "Lise Lyngstad" not in (await client.get("/henvisninger")).text
    client.cookies.clear()
    await sign_in(client, cast["gp_anne"])
    page = await client.get("/henvisninger")
    assert page.status_code == 200
    assert annes_referral["reference"] in page.text
    assert "Lise Lyngstad" in page.text
    assert "Mottatt" in page.text
    filtered = await client.get("/henvisninger?status=completed")
    assert annes_referral["reference"] not in filtered.text


async def test_the_gp_withdraws_from_the_referral_page(
    client: httpx.AsyncClient, cast: Cast, annes_referral: dict[str, Any]
) -> None:
    await sign_in(client, cast["gp_anne"])
    token = await csrf_token(client)
    response = await client.post(
        f"/henvisninger/{annes_referral['id']}/trekk-tilbake",
        data={"reason": "Feil pasient", "bekreft": "ja", "_csrf_token": token},
    )
    assert response.status_code == 303
    page = await client.get(response.headers["location"])
    assert "Henvisningen er trukket tilbake." in page.text
    assert "Trukket tilbake" in page.text
    assert "Trekk tilbake henvisningen" not in page.text
