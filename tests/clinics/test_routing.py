"""Issue 15 §2: a new referral goes to one clinic. A message to a HER-id goes to the clinic
owning it (E21 when none does); a web-form or API referral to the clinic serving the
patient's municipality, or to the clinic the GP chose, and the GP is asked to choose when
neither settles it."""

from __future__ import annotations

import re

import httpx

from helseiarbeid.clinics import services as clinics
from helseiarbeid.clinics.services.routing import CHOOSE_CLINIC
from helseiarbeid.messaging.tables import HealthMessage
from helseiarbeid.referrals.tables import Referral
from tests.cast import Cast, bearer, default_clinic, sign_in
from tests.clinics.conftest import OtherClinic, admin_actor
from tests.messaging.conftest import NEW_20, error_codes, example, post_message, status_of
from tests.referrals.factories import referral_body


async def _clinic_of_latest() -> int:
    row = await Referral.select(Referral.clinic).order_by(Referral.id, ascending=False).first()
    assert row is not None
    return int(row["clinic"])


async def test_an_api_referral_goes_to_the_clinic_serving_the_patient_s_municipality(
    client: httpx.AsyncClient, cast: Cast, other_clinic: OtherClinic
) -> None:
    headers = await bearer(cast["gp_anne"])
    alta = referral_body(**{"patient.municipality": "5601"})
    response = await client.post("/api/v1/referrals", json=alta, headers=headers)
    assert response.status_code == 201, response.text
    assert await _clinic_of_latest() == other_clinic.id
    chosen = referral_body(clinic=other_clinic.slug, **{"patient.municipality": "1804"})
    response = await client.post("/api/v1/referrals", json=chosen, headers=headers)
    assert response.status_code == 201, response.text
    assert await _clinic_of_latest() == other_clinic.id


async def test_a_record_system_lists_the_clinics_to_choose_from(
    client: httpx.AsyncClient, cast: Cast, other_clinic: OtherClinic
) -> None:
    response = await client.get("/api/v1/clinics", headers=await bearer(cast["gp_anne"]))
    assert response.status_code == 200
    assert response.json() == [
        {"slug": "helseiarbeid", "name": "HelseIArbeid"},
        {"slug": "finnmark", "name": "HelseIArbeid Finnmark"},
    ]
    refused = await client.get("/api/v1/clinics", headers=await bearer(cast["erik"]))
    assert refused.status_code == 403


async def test_the_gp_is_asked_to_choose_when_no_clinic_serves_the_municipality(
    client: httpx.AsyncClient, cast: Cast, other_clinic: OtherClinic
) -> None:
    headers = await bearer(cast["gp_anne"])
    before = await Referral.count()
    for body, field in (
        (referral_body(**{"patient.municipality": "1804"}), "clinic"),
        (referral_body(), "clinic"),
        (referral_body(clinic="atlantis"), "clinic"),
        (referral_body(**{"patient.municipality": "18O4"}), "patient.municipality"),
    ):
        response = await client.post("/api/v1/referrals", json=body, headers=headers)
        assert response.status_code == 422, response.text
        assert field in response.json()["errors"], response.json()
    message = response.json()["errors"]["patient.municipality"]
    assert message == "Kommunenummeret må være fire sifre."
    assert await Referral.count() == before


async def test_with_one_clinic_every_referral_goes_to_it(
    client: httpx.AsyncClient, cast: Cast
) -> None:
    body = referral_body(**{"patient.municipality": "1804"})
    response = await client.post(
        "/api/v1/referrals", json=body, headers=await bearer(cast["gp_anne"])
    )
    assert response.status_code == 201
    assert await _clinic_of_latest() == await default_clinic()


async def test_the_form_asks_for_the_clinic_only_where_there_is_a_choice(
    client: httpx.AsyncClient, cast: Cast
) -> None:
    await sign_in(client, cast["gp_anne"])
    page = await client.get("/henvisninger/ny")
    assert "Bostedskommune" in page.text
    assert "Hvilken klinikk skal henvisningen til?" not in page.text
    await clinics.create_clinic(admin_actor(cast), name="HelseIArbeid Troms", slug="troms")
    page = await client.get("/henvisninger/ny")
    assert "Hvilken klinikk skal henvisningen til?" in page.text
    token = re.search(r'name="_csrf_token" value="([0-9a-f]+)"', page.text)
    assert token
    body = referral_body()
    form = {
        "_csrf_token": token.group(1),
        "submission_key": "routing-1",
        **{f"patient.{key}": value for key, value in body["patient"].items()},
        "patient.municipality": "1804",
        "employer.name": body["employer"]["name"],
        "employer.org_number": body["employer"]["org_number"],
        **{
            key: str(value).lower() if isinstance(value, bool) else str(value)
            for key, value in body.items()
            if not isinstance(value, dict)
        },
    }
    refused = await client.post("/henvisninger/ny", data=form)
    assert refused.status_code == 422
    assert CHOOSE_CLINIC in refused.text
    sent = await client.post("/henvisninger/ny", data={**form, "clinic": "troms"})
    assert sent.status_code == 303, sent.text
    assert await _clinic_of_latest() == await clinics.clinic_by_slug("troms")


async def test_a_message_goes_to_the_clinic_owning_its_her_id(
    client: httpx.AsyncClient, cast: Cast, other_clinic: OtherClinic
) -> None:
    # The example is addressed to St Olavs (59) and its service 90998.
    await clinics.add_her_id(admin_actor(cast), other_clinic.slug, "90998")
    apprec, _ = await post_message(client, cast, example(NEW_20))
    assert status_of(apprec) == "1", error_codes(apprec)
    assert await _clinic_of_latest() == other_clinic.id
    logged = await HealthMessage.select(HealthMessage.clinic).first()
    assert logged is not None
    assert logged["clinic"] == other_clinic.id


async def test_a_message_no_clinic_has_the_her_id_of_is_refused_with_e21(
    client: httpx.AsyncClient, cast: Cast, other_clinic: OtherClinic
) -> None:
    apprec, _ = await post_message(client, cast, example(NEW_20))
    assert status_of(apprec) == "2"
    assert error_codes(apprec) == ["E21"]
    assert await Referral.count() == 0
    logged = await HealthMessage.select(HealthMessage.clinic).first()
    assert logged is not None
    assert logged["clinic"] is None


async def test_a_message_follows_its_referral_to_the_clinic_it_is_forwarded_to(
    client: httpx.AsyncClient, cast: Cast, other_clinic: OtherClinic
) -> None:
    await clinics.add_her_id(admin_actor(cast), other_clinic.slug, "90998")
    apprec, _ = await post_message(client, cast, example(NEW_20))
    assert status_of(apprec) == "1", error_codes(apprec)
    logged = await HealthMessage.select(HealthMessage.id, HealthMessage.referral).first()
    assert logged is not None
    berit, kari = other_clinic.staff["berit"], cast["kari"]
    moved = await client.post(
        f"/api/v1/referrals/{logged['referral']}/forward",
        json={"clinic": "helseiarbeid", "reason": "Pasienten har flyttet til Bodø kommune."},
        headers=await bearer(berit),
    )
    assert moved.status_code == 204, moved.text
    # The message, with the referral's health text, is now the new clinic's, not Finnmark's.
    await sign_in(client, berit)
    assert (await client.get(f"/meldinger/{logged['id']}")).status_code == 404
    client.cookies.clear()
    await sign_in(client, kari)
    assert (await client.get(f"/meldinger/{logged['id']}")).status_code == 200
