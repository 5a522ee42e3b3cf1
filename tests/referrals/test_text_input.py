"""Text that is not text in a referral: NUL and other controls, invisible "filled in" fields,
deep nesting — refused or cleaned the same way on both engines, never a 500.

The examples are the faults of issue 11 (items 1–4), each seen as a 500 on PostgreSQL or as
empty-looking data stored."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from helseiarbeid.core.tables import AuditEvent, User
from helseiarbeid.referrals.tables import Referral
from tests.cast import Cast, bearer, csrf_token, sign_in
from tests.referrals.factories import referral_body


async def _submit(client: httpx.AsyncClient, cast: Cast, **overrides: Any) -> httpx.Response:
    return await client.post(
        "/api/v1/referrals", json=referral_body(**overrides), headers=await bearer(cast["gp_anne"])
    )


# --- 1. NUL and other control characters --------------------------------------------------


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("description", "Smerter\u0000 i rygg"),
        ("patient.name", "Lise\u0007Lyngstad"),
        ("question", "Hva\u001b[31m nå?"),
        ("history", "C1-kontroll \u0085 her"),
        ("employer.name", "Havn\u007f AS"),
    ],
)
async def test_a_control_character_in_the_api_is_refused_naming_the_field(
    client: httpx.AsyncClient, cast: Cast, field: str, value: str
) -> None:
    response = await _submit(client, cast, **{field: value})
    assert response.status_code == 422, response.text
    assert "kontrolltegn" in response.json()["errors"][field]
    assert await Referral.count() == 0
    assert await AuditEvent.count() == 0


async def test_tabs_and_line_breaks_are_kept_and_windows_line_ends_become_one(
    client: httpx.AsyncClient, cast: Cast
) -> None:
    response = await _submit(client, cast, description="Linje 1\r\nLinje 2\rLinje 3\n\tinnrykk")
    assert response.status_code == 201, response.text
    stored = await Referral.select(Referral.description).first()
    assert stored is not None
    assert stored["description"] == "Linje 1\nLinje 2\nLinje 3\n\tinnrykk"


async def test_nul_in_the_web_referral_form_is_removed(
    client: httpx.AsyncClient, cast: Cast
) -> None:
    from tests.referrals.test_referral_form import _form, _open_form

    await sign_in(client, cast["gp_anne"])
    hidden = await _open_form(client)
    form = _form(
        description="Smerter\u0000 i rygg", **{"patient.name": "\u200bLise Lyngstad\u200b"}
    )
    response = await client.post("/henvisninger/ny", data={**form, **hidden})
    assert response.status_code == 303, response.text
    stored = await Referral.select(Referral.description, Referral.patient_name).first()
    assert stored == {"description": "Smerter i rygg", "patient_name": "Lise Lyngstad"}


async def test_nul_in_the_login_email_is_a_failed_login_not_a_500(
    client: httpx.AsyncClient, cast: Cast
) -> None:
    response = await client.post(
        "/login",
        data={
            "email": "a\u0000b@x.no",
            "password": "whatever-password",
            "_csrf_token": await csrf_token(client),
        },
    )
    assert response.status_code in (400, 401, 422), response.text
    assert "Noe gikk galt" not in response.text
    assert await User.count() == len(cast.people)


# --- 2. Invisible text is empty ------------------------------------------------------------


async def test_invisible_text_does_not_count_as_filled_in(
    client: httpx.AsyncClient, cast: Cast
) -> None:
    response = await _submit(
        client,
        cast,
        **{"patient.name": "\u200b\u200b", "patient.address": "\u2800", "question": "\u200b"},
    )
    assert response.status_code == 422, response.text
    errors = response.json()["errors"]
    for field in ("patient.name", "patient.address", "question"):
        assert "må fylles ut" in errors[field], field
    assert await Referral.count() == 0


async def test_text_is_stored_in_nfc_without_blanks_at_the_ends(
    client: httpx.AsyncClient, cast: Cast
) -> None:
    decomposed = "Bjo\u0308rn"  # «ö» as o + combining diaeresis, as some keyboards send it
    response = await _submit(client, cast, **{"patient.name": f"\ufeff {decomposed}\u00a0\u200d"})
    assert response.status_code == 201, response.text
    stored = await Referral.select(Referral.patient_name).first()
    assert stored == {"patient_name": "Björn"}


# --- 4. Deep nesting -----------------------------------------------------------------------


@pytest.mark.parametrize("body", [b"[" * 100_000, b'{"a":' * 5_000, b"[" * 33 + b"]" * 33])
async def test_deeply_nested_json_is_refused_before_parsing(
    client: httpx.AsyncClient, cast: Cast, body: bytes
) -> None:
    response = await client.post(
        "/api/v1/referrals",
        content=body,
        headers={**await bearer(cast["gp_anne"]), "Content-Type": "application/json"},
    )
    assert response.status_code == 400, response.text
    assert "nestet dypere enn 32" in response.json()["detail"]


async def test_brackets_inside_strings_do_not_count_as_nesting(
    client: httpx.AsyncClient, cast: Cast
) -> None:
    response = await _submit(client, cast, description="[[[[{{{{" * 20 + " smerter")
    assert response.status_code == 201, response.text
