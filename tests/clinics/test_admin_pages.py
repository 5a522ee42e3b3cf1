"""Issue 15 §4: the administrator's pages for clinics, their HER-ids, municipalities and
members, and for new users with their clinics (Norwegian, CSRF, audited, admin only)."""

from __future__ import annotations

import re

import httpx

from helseiarbeid.clinics import services as clinics
from helseiarbeid.core.audit import AuditAction
from helseiarbeid.core.tables import AuditEvent, User
from tests.cast import Cast, sign_in

_TOKEN = re.compile(r'name="_csrf_token" value="([0-9a-f]+)"')


async def _admin(client: httpx.AsyncClient, cast: Cast) -> str:
    await sign_in(client, cast["ada"])
    page = await client.get("/admin/klinikker")
    assert page.status_code == 200
    found = _TOKEN.search(page.text)
    assert found
    return found.group(1)


async def test_a_clinic_is_made_and_given_her_ids_municipalities_and_members(
    client: httpx.AsyncClient, cast: Cast
) -> None:
    token = await _admin(client, cast)
    made = await client.post(
        "/admin/klinikker",
        data={"_csrf_token": token, "name": "HelseIArbeid Troms", "slug": "troms"},
    )
    assert made.status_code == 303
    assert made.headers["location"].startswith("/admin/klinikker/troms")
    for path, form in [
        ("her-id", {"her_id": "8765432"}),
        ("kommuner", {"number": "5501", "municipality_name": "Tromsø"}),
        ("medlemmer", {"member": str(cast["per"].id)}),
        ("medlemmer", {"member": str(cast["kari"].id)}),
        ("medlemmer/fjern", {"member": str(cast["kari"].id)}),
        ("endre", {"name": "HelseIArbeid Troms og Senja", "opening_hours": "Man–fre 8–15"}),
    ]:
        response = await client.post(
            f"/admin/klinikker/troms/{path}", data={"_csrf_token": token, **form}
        )
        assert response.status_code == 303, (path, response.text)
    troms = await clinics.get_clinic("troms")
    assert troms.name == "HelseIArbeid Troms og Senja"
    assert troms.her_ids == ["8765432"]
    assert [member.name for member in troms.members] == ["Per Psykolog"]
    page = await client.get("/admin/klinikker/troms")
    assert "Tromsø" in page.text
    assert "8765432" in page.text
    audited = await AuditEvent.select(AuditEvent.purpose).where(
        (AuditEvent.resource_type == "clinic") & (AuditEvent.actor == cast["ada"].id)
    )
    assert len(audited) == 7


async def test_bad_input_is_said_in_norwegian_beside_the_field_and_nothing_changes(
    client: httpx.AsyncClient, cast: Cast
) -> None:
    token = await _admin(client, cast)
    refused = await client.post(
        "/admin/klinikker", data={"_csrf_token": token, "name": "HelseIArbeid", "slug": "x y"}
    )
    assert refused.status_code == 422
    assert "En klinikk med dette navnet finnes allerede." in refused.text
    assert "Kortnavnet må ha 2–40 tegn" in refused.text
    assert 'aria-invalid="true"' in refused.text
    slug = "helseiarbeid"
    for path, form, message in [
        ("her-id", {"her_id": "12 34"}, "HER-id-en må være 1–16 sifre."),
        ("kommuner", {"number": "180", "municipality_name": "Bodø"}, "fire sifre"),
        ("medlemmer", {"member": str(cast["erik"].id)}, "Bare koordinator"),
        ("medlemmer", {"member": "abc"}, "Velg en bruker fra listen."),
    ]:
        response = await client.post(
            f"/admin/klinikker/{slug}/{path}", data={"_csrf_token": token, **form}
        )
        assert response.status_code == 422, path
        assert message in response.text, path
    assert (await clinics.get_clinic(slug)).her_ids == []
    missing = await client.post(
        "/admin/klinikker/nowhere/her-id", data={"_csrf_token": token, "her_id": "1"}
    )
    assert missing.status_code == 404


async def test_the_pages_are_for_the_administrator_and_need_the_form_token(
    client: httpx.AsyncClient, cast: Cast
) -> None:
    await sign_in(client, cast["kari"])
    assert (await client.get("/admin/klinikker")).status_code == 403
    assert (await client.get("/admin/users/ny")).status_code == 403
    client.cookies.clear()
    await _admin(client, cast)
    forged = await client.post("/admin/klinikker", data={"name": "Falsk", "slug": "falsk"})
    assert forged.status_code == 403
    assert await clinics.choices() == [
        choice for choice in await clinics.choices() if choice.slug != "falsk"
    ]


async def test_a_new_user_is_made_with_their_clinics(client: httpx.AsyncClient, cast: Cast) -> None:
    token = await _admin(client, cast)
    form = {
        "_csrf_token": token,
        "name": "Tove Troms",
        "email": "tove@test.example",
        "role": "physician",
        "hpr": "",
        "clinics": "helseiarbeid",
    }
    refused = await client.post("/admin/users/ny", data=form)
    assert refused.status_code == 422
    assert "Skriv et gyldig HPR-nummer" in refused.text
    taken = await client.post(
        "/admin/users/ny", data={**form, "email": "kari@test.example", "hpr": "6789123"}
    )
    assert taken.status_code == 422
    assert "Det finnes allerede en bruker med denne e-postadressen." in taken.text
    gp_in_clinic = await client.post(
        "/admin/users/ny", data={**form, "role": "gp", "hpr": "6789123"}
    )
    assert gp_in_clinic.status_code == 422
    assert "kan være medlem av en klinikk" in gp_in_clinic.text
    # Longer than the columns hold: said on the fields (PostgreSQL refused it with a 500).
    too_long = await client.post(
        "/admin/users/ny",
        data={**form, "hpr": "6789123", "name": "T" * 201, "workplace": "A" * 201},
    )
    assert too_long.status_code == 422
    assert "Navnet kan ha høyst 200 tegn." in too_long.text
    assert "Arbeidsstedet kan ha høyst 200 tegn." in too_long.text
    assert not await User.exists().where(User.email == "tove@test.example")
    made = await client.post("/admin/users/ny", data={**form, "hpr": "6789123"})
    assert made.status_code == 303, made.text
    user = await User.select(User.id, User.role).where(User.email == "tove@test.example").first()
    assert user is not None
    assert user["role"] == "physician"
    assert await clinics.is_member(user["id"], await clinics.clinic_by_slug("helseiarbeid"))
    created = await AuditEvent.select(AuditEvent.purpose).where(
        (AuditEvent.resource_type == "app_user") & (AuditEvent.action == AuditAction.CREATE.value)
    )
    assert [row["purpose"] for row in created] == [
        "bruker opprettet: Fysikalsk medisiner, klinikk helseiarbeid"
    ]
    listing = await client.get(made.headers["location"])
    assert "Brukeren er opprettet." in listing.text
    assert "Tove Troms" in listing.text
