"""The coordinator's planning view: the timeline, what is missing, and each one's load."""

from __future__ import annotations

from helseiarbeid.core.clock import today_in_oslo
from tests.cast import sign_in
from tests.company_track.conftest import Company, working_day_at


async def test_the_planning_view_shows_programmes_gaps_and_load(company: Company) -> None:
    booked = await company.programme()
    assert (await company.book(booked, "anchoring", working_day_at(7, 10))).status_code == 201
    waiting = (
        await company.post("kari", f"/enterprises/{company.other_enterprise_id}/programmes")
    ).json()["id"]
    await sign_in(company.client, company.cast["kari"])
    page = await company.client.get(f"/planlegging?start={today_in_oslo().isoformat()}&weeks=4")
    assert page.status_code == 200
    html = page.text
    assert f'href="/program/{booked}"' in html
    assert f'href="/program/{waiting}"' in html
    assert "Sett opp forankringsmøte" in html  # the programme with nothing booked yet
    assert "tl-item tl-confirmed" in html
    assert "<td>Per Psykolog</td><td>Psykolog</td><td>1</td><td>0</td><td>1</td>" in html
    assert "<td>Nils NAV</td><td>NAV-veileder</td><td>1</td><td>0</td><td>1</td>" in html


async def test_a_request_without_facilitators_is_marked(company: Company) -> None:
    programme_id = await company.programme()
    await company.post(
        "erik",
        f"/programmes/{programme_id}/sessions",
        {"kind": "anchoring", "starts_at": working_day_at(7, 10).isoformat()},
    )
    await sign_in(company.client, company.cast["kari"])
    page = await company.client.get("/planlegging")
    assert "tl-requested tl-missing" in page.text
    assert "mangler veiledere" in page.text


async def test_only_the_coordinator_plans(company: Company) -> None:
    for person in ("per", "erik", "gp_anne"):
        company.client.cookies.clear()
        await sign_in(company.client, company.cast[person])
        assert (await company.client.get("/planlegging")).status_code == 403
