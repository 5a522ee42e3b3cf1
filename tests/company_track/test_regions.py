"""Issue 15 §3: the company track per NAV region. A coordinator or facilitator of region A
gets 404 for region B's enterprise, programme and sessions on every company-track route, and
B never appears in A's lists, planning view or figures import."""

from __future__ import annotations

import re
from typing import Any

from litestar.routes import HTTPRoute

from helseiarbeid.app import create_app
from helseiarbeid.company_track.tables import Enterprise, ProgrammeSession
from helseiarbeid.core import users
from helseiarbeid.core.identifiers import synthetic_org_number
from helseiarbeid.core.roles import Role
from helseiarbeid.regions import services as regions
from tests.cast import csrf_token, sign_in
from tests.company_track import factories
from tests.company_track.conftest import Company, working_day_at

_PARAM = re.compile(r"\{(\w+):int\}")
B_NAME = "Tromsø Fiskeindustri AS"
IDS = ("enterprise_id", "programme_id", "session_id")


def _company_routes() -> list[tuple[str, str]]:
    """(method, path) of every company-track route about one enterprise, programme or
    session, from the route table, so a new route is walked without anyone adding it here."""
    found = set()
    for route in create_app().routes:
        if not isinstance(route, HTTPRoute) or not any(f"{{{n}:int}}" in route.path for n in IDS):
            continue
        for handler in route.route_handlers:
            if handler.fn.__module__ != "helseiarbeid.company_track.controllers":
                continue
            for method in handler.http_methods - {"OPTIONS", "HEAD"}:
                found.add((method, route.path))
    return sorted(found)


async def _region_b(company: Company) -> dict[str, int]:
    """An enterprise in Tromsø with a programme and a booked anchoring meeting, then Tromsø
    given to Troms og Finnmark (the enterprise moves with it)."""
    tor = await users.create_user(
        email="tor@test.example", name="Tor Tromsø", role=Role.ENTERPRISE_CONTACT, password=None
    )
    enterprise_id = await factories.enterprise(
        company.area_id, 13, B_NAME, municipality="Tromsø", contact_id=tor.id
    )
    programme = await company.post("kari", f"/enterprises/{enterprise_id}/programmes")
    assert programme.status_code == 201, programme.text
    booked = await company.book(programme.json()["id"], "anchoring", working_day_at(9, 10))
    assert booked.status_code == 201, booked.text
    region_b = await regions.create_region("NAV Arbeidslivssenter Troms og Finnmark")
    await regions.assign_municipality("Tromsø", region_b)
    row = await Enterprise.select(Enterprise.region).where(Enterprise.id == enterprise_id).first()
    assert row is not None
    assert row["region"] == region_b
    return {
        "enterprise_id": enterprise_id,
        "programme_id": programme.json()["id"],
        "session_id": booked.json()["id"],
        "region_id": region_b,
    }


async def _walk(company: Company, person: str, ids: dict[str, int]) -> dict[str, Any]:
    """Every company-track route with region B's ids as ``person`` (API with a token, pages
    with a session). POSTs are compared with the answer for ids that do not exist, so an
    answer cannot tell B's ids from none."""
    client = company.client
    client.cookies.clear()
    await sign_in(client, company.cast[person])
    token = await csrf_token(client)
    answers: dict[str, Any] = {}
    for method, template in _company_routes():
        path = _PARAM.sub(lambda match: str(ids[match[1]]), template)
        missing = _PARAM.sub("987654", template)
        api = template.startswith("/api/")
        headers = await company.headers(person) if api else {}

        async def send(
            target: str, method: str = method, api: bool = api, headers: dict[str, str] = headers
        ) -> Any:
            if method == "GET":  # ``kind``: the slots' required query, ignored elsewhere
                return await client.get(target, params={"kind": "anchoring"}, headers=headers)
            if api:
                return await client.post(target, json={}, headers=headers)
            return await client.post(target, data={"_csrf_token": token}, headers=headers)

        response = await send(path)
        assert B_NAME not in response.text, (method, template)
        assert response.status_code < 500, (method, template, response.text)
        if method == "GET":
            answers[f"{method} {template}"] = response.status_code
        else:
            other = await send(missing)
            answers[f"{method} {template}"] = (
                response.status_code if response.status_code == other.status_code else "oracle"
            )
    return answers


async def test_staff_of_region_a_get_404_on_every_route_of_region_b(company: Company) -> None:
    ids = await _region_b(company)
    sessions_before = await ProgrammeSession.select().where(
        ProgrammeSession.programme == ids["programme_id"]
    )
    for person in ("kari", "nils", "per"):
        answers = await _walk(company, person, ids)
        assert "GET /bedrifter/{enterprise_id:int}" in answers
        assert "GET /api/v1/programmes/{programme_id:int}" in answers
        assert "POST /samlinger/{session_id:int}/avlys" in answers
        wrong = {
            route: status
            for route, status in answers.items()
            if route.startswith("GET") and status not in (403, 404)
        }
        assert wrong == {}, person
        assert "oracle" not in answers.values(), (person, answers)
    # Nothing was stored by any of the posts.
    sessions_after = await ProgrammeSession.select().where(
        ProgrammeSession.programme == ids["programme_id"]
    )
    assert sessions_after == sessions_before


async def test_lists_and_planning_are_per_region(company: Company) -> None:
    ids = await _region_b(company)
    await sign_in(company.client, company.cast["kari"])
    for path in ("/bedrifter", "/planlegging"):
        page = await company.client.get(path)
        assert page.status_code == 200
        assert "Havnelager" in page.text or path == "/planlegging"
        assert B_NAME not in page.text, path
    # The figures import treats B's organisation number as unknown.
    token = await csrf_token(company.client)
    csv = (
        "kategori;kode;arstall;kvartal;antpers;taptedv;muligedv\n"
        f"VIRKSOMHET;{synthetic_org_number(13)};2026;1;40;100,0;2000,0\n"
    )
    imported = await company.client.post(
        "/sykefravaer/import", data={"csv": csv, "_csrf_token": token}
    )
    assert imported.status_code == 422
    assert "ingen virksomhet har organisasjonsnummer" in imported.text
    # Working for B as well, Kari sees it; the administrator sees every region.
    await regions.add_member(company.cast["kari"].id, ids["region_id"])
    assert B_NAME in (await company.client.get("/bedrifter")).text
    assert (await company.client.get(f"/bedrifter/{ids['enterprise_id']}")).status_code == 200
    await sign_in(company.client, company.cast["ada"])
    assert B_NAME in (await company.client.get("/bedrifter")).text


async def test_an_enterprise_follows_its_municipality(company: Company) -> None:
    ids = await _region_b(company)
    await regions.remove_municipality("tromsø ")
    row = (
        await Enterprise.select(Enterprise.region)
        .where(Enterprise.id == ids["enterprise_id"])
        .first()
    )
    assert row is not None
    assert row["region"] == await regions.default_region_id()
    # A new enterprise in a listed municipality lands in that region.
    await regions.assign_municipality("Alta", ids["region_id"])
    alta = await factories.enterprise(company.area_id, 14, "Alta Skifer AS", municipality=" alta")
    row = await Enterprise.select(Enterprise.region).where(Enterprise.id == alta).first()
    assert row is not None
    assert row["region"] == ids["region_id"]
