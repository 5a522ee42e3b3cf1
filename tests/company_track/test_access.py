"""An enterprise contact sees only its own enterprise and programme, and no referral."""

from __future__ import annotations

import httpx

from helseiarbeid.company_track.tables import ProgrammeSession
from tests.cast import csrf_token, sign_in
from tests.company_track.conftest import Company, working_day_at


async def test_a_contact_gets_404_for_another_enterprise(company: Company) -> None:
    own = await company.get("erik", f"/enterprises/{company.enterprise_id}")
    assert own.status_code == 200
    assert own.json()["contacts"] == ["Erik Eier"]
    other = await company.get("erik", f"/enterprises/{company.other_enterprise_id}")
    assert other.status_code == 404
    others_programme = (
        await company.post("kari", f"/enterprises/{company.other_enterprise_id}/programmes")
    ).json()["id"]
    for path in (
        f"/programmes/{others_programme}",
        f"/programmes/{others_programme}/slots?kind=anchoring",
        f"/programmes/{others_programme}/plan.pdf",
    ):
        response = await company.get("erik", path)
        assert response.status_code == 404, path
    start = await company.post("erik", f"/enterprises/{company.other_enterprise_id}/programmes")
    assert start.status_code == 404


async def test_a_contact_requests_but_does_not_assign(company: Company) -> None:
    programme_id = await company.programme()
    response = await company.post(
        "erik",
        f"/programmes/{programme_id}/sessions",
        {
            "kind": "anchoring",
            "starts_at": working_day_at(7, 10).isoformat(),
            "facilitator_ids": company.pair(),
        },
    )
    assert response.status_code == 422
    assert "Koordinatoren velger veiledere" in response.text
    requested = await company.post(
        "erik",
        f"/programmes/{programme_id}/sessions",
        {"kind": "anchoring", "starts_at": working_day_at(7, 10).isoformat()},
    )
    confirm = await company.post(
        "erik", f"/sessions/{requested.json()['id']}/confirm", {"facilitator_ids": company.pair()}
    )
    assert confirm.status_code == 403


async def test_the_company_track_holds_no_health_data_for_a_contact(company: Company) -> None:
    for path in ("/referrals", "/clinic/worklist", "/clinic/dashboard"):
        assert (await company.get("erik", path)).status_code == 403
    fields = {column._meta.name for column in ProgrammeSession._meta.columns}
    assert not fields & {"patient", "national_id", "diagnosis", "complaint"}


async def test_the_contact_page_shows_the_programme_and_lets_them_ask(
    client: httpx.AsyncClient, company: Company
) -> None:
    programme_id = await company.programme()
    await sign_in(client, company.cast["erik"])
    page = await client.get("/bedrift")
    assert page.status_code == 302
    assert page.headers["location"] == f"/program/{programme_id}"
    programme = await client.get(page.headers["location"])
    assert "Be om: Forankringsmøte" in programme.text
    assert "Ledige tidspunkter" in programme.text
    token = await csrf_token(client)
    slot = programme.text.split('name="slot" value="')[1].split('"')[0]
    sent = await client.post(
        f"/program/{programme_id}/samlinger",
        data={"kind": "anchoring", "slot": slot, "location": "", "_csrf_token": token},
    )
    assert sent.status_code == 303
    after = await client.get(sent.headers["location"])
    assert "Ønsket" in after.text
    foreign = await client.get(f"/program/{programme_id + 1}")
    assert foreign.status_code == 404
