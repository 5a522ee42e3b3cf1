"""Synthetic national IDs: test environments send them, production refuses them by name.

The Tax Administration's synthetic population (Tenor) adds 80 to the birth month; GP systems
and hospitals' test environments send such numbers. HELSEIARBEID_ACCEPT_SYNTHETIC_IDS is on in
the tests (tests/conftest.py) and `make run`, off in production.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import httpx
import pytest

from helseiarbeid.core.tables import AuditEvent
from helseiarbeid.referrals.tables import Patient, Referral
from helseiarbeid.settings import get_settings
from tests.cast import Cast, bearer, csrf_token, sign_in
from tests.referrals.factories import PATIENT_ID, referral_body
from tests.referrals.test_referral_form import _form, _open_form

# The number from the issue: born 15 May 1980 (month 05 + 80), valid check digits.
TENOR_NUMBER = "15858010060"
TEST_NUMBER_MESSAGE = "Fødselsnummeret er et syntetisk testnummer"


@pytest.fixture
def production(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Settings as in production: synthetic national IDs are not accepted."""
    monkeypatch.setenv("HELSEIARBEID_ACCEPT_SYNTHETIC_IDS", "false")
    get_settings.cache_clear()
    yield
    monkeypatch.undo()
    get_settings.cache_clear()


def _with_number(number: str) -> dict[str, object]:
    return referral_body(**{"patient.national_id": number})


async def test_a_tenor_number_is_accepted_in_a_test_environment(
    client: httpx.AsyncClient, cast: Cast
) -> None:
    response = await client.post(
        "/api/v1/referrals", json=_with_number(TENOR_NUMBER), headers=await bearer(cast["gp_anne"])
    )
    assert response.status_code == 201, response.text
    assert await Patient.select(Patient.national_id) == [{"national_id": TENOR_NUMBER}]


async def test_a_tenor_number_with_a_wrong_check_digit_is_refused_all_the_same(
    client: httpx.AsyncClient, cast: Cast
) -> None:
    response = await client.post(
        "/api/v1/referrals", json=_with_number("15858010061"), headers=await bearer(cast["gp_anne"])
    )
    assert response.status_code == 422
    assert "kontrollsiffer" in response.json()["errors"]["patient.national_id"]


@pytest.mark.usefixtures("production")
async def test_production_refuses_a_tenor_number_saying_it_is_a_test_number(
    client: httpx.AsyncClient, cast: Cast
) -> None:
    response = await client.post(
        "/api/v1/referrals", json=_with_number(TENOR_NUMBER), headers=await bearer(cast["gp_anne"])
    )
    assert response.status_code == 422, response.text
    assert TEST_NUMBER_MESSAGE in response.json()["errors"]["patient.national_id"]
    assert await Referral.count() == 0
    assert await Patient.count() == 0
    assert await AuditEvent.count() == 0


@pytest.mark.usefixtures("production")
async def test_production_form_shows_the_test_number_message_beside_the_field(
    client: httpx.AsyncClient, cast: Cast
) -> None:
    await sign_in(client, cast["gp_anne"])
    hidden = await _open_form(client)
    response = await client.post(
        "/henvisninger/ny", data={**_form(**{"patient.national_id": TENOR_NUMBER}), **hidden}
    )
    assert response.status_code == 422
    field = re.search(
        r'<div class="field has-error">\s*<label for="patient-national_id">.*?</div>',
        response.text,
        re.S,
    )
    assert field, "the national ID field should be marked as wrong"
    assert TEST_NUMBER_MESSAGE in field.group(0)
    assert await Referral.count() == 0


async def test_production_patient_lookup_refuses_a_tenor_number(
    client: httpx.AsyncClient, cast: Cast, monkeypatch: pytest.MonkeyPatch
) -> None:
    headers = await bearer(cast["gp_anne"])
    created = await client.post("/api/v1/referrals", json=referral_body(), headers=headers)
    assert created.status_code == 201
    monkeypatch.setenv("HELSEIARBEID_ACCEPT_SYNTHETIC_IDS", "false")
    get_settings.cache_clear()
    try:
        await sign_in(client, cast["ada"])
        token = await csrf_token(client)
        response = await client.post(
            "/admin/audit/patient-lookup", data={"national_id": PATIENT_ID, "_csrf_token": token}
        )
    finally:
        monkeypatch.undo()
        get_settings.cache_clear()
    assert response.status_code == 422
    assert TEST_NUMBER_MESSAGE in response.text
