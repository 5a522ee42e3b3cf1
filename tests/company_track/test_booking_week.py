"""The enterprise contact's booking view: week by week over the coming months, nothing chosen
for them, several sittings of one module in one request (shift work), and a cancelled
programme that says how to ask for a new one."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from helseiarbeid.company_track.services import BOOKING_WEEKS
from helseiarbeid.company_track.tables import Programme, ProgrammeSession
from helseiarbeid.core.clock import today_in_oslo
from tests.cast import csrf_token, sign_in
from tests.company_track.conftest import Company, working_day_at

SLOT = re.compile(r'<input type="checkbox" id="slot-[^"]+" name="slot" value="([^"]+)"([^>]*)>')


def _slots(page: str) -> list[tuple[str, bool]]:
    return [(value, "checked" in rest) for value, rest in SLOT.findall(page)]


@pytest.fixture
async def anchored(company: Company) -> int:
    """A programme whose anchoring meeting is booked: Modul 1 is next."""
    programme_id = await company.programme()
    booked = await company.book(programme_id, "anchoring", working_day_at(1, 9))
    assert booked.status_code == 201, booked.text
    return programme_id


async def _post(client: httpx.AsyncClient, programme_id: int, **form: object) -> httpx.Response:
    return await client.post(
        f"/program/{programme_id}/samlinger",
        data={"location": "", "_csrf_token": await csrf_token(client), **form},
    )


async def test_nothing_is_chosen_for_the_contact(company: Company) -> None:
    programme_id = await company.programme()
    await sign_in(company.client, company.cast["erik"])
    page = (await company.client.get(f"/program/{programme_id}")).text
    slots = _slots(page)
    assert slots, "the first week offers times"
    assert not any(checked for _, checked in slots)
    # Sending without a choice stores nothing and names the field, in Norwegian.
    sent = await _post(company.client, programme_id, kind="anchoring")
    assert sent.status_code == 422
    assert "Ledige tidspunkter: velg minst ett tidspunkt før du sender." in sent.text
    assert 'id="slot-error"' in sent.text
    no_kind = await _post(company.client, programme_id, slot=slots[0][0])
    assert no_kind.status_code == 422
    assert "Velg hvilken samling det gjelder." in no_kind.text
    assert "Ledige tidspunkter" in no_kind.text, "the booking page is shown again"
    assert await ProgrammeSession.count() == 0


async def test_weeks_can_be_browsed_months_ahead(company: Company) -> None:
    programme_id = await company.programme()
    await sign_in(company.client, company.cast["erik"])
    first = (await company.client.get(f"/program/{programme_id}")).text
    assert "Neste uke" in first
    assert "Forrige uke" not in first
    later = today_in_oslo() + timedelta(weeks=12)
    monday = later - timedelta(days=later.weekday())
    page = (await company.client.get(f"/program/{programme_id}?uke={later}")).text
    assert f"uke {monday.isocalendar().week} ({monday:%d.%m.%Y}" in page
    assert "Forrige uke" in page
    assert {date.fromisoformat(value[:10]) for value, _ in _slots(page)} <= {
        monday + timedelta(days=n) for n in range(5)
    }
    last = today_in_oslo() + timedelta(weeks=BOOKING_WEEKS + 5)
    beyond = (await company.client.get(f"/program/{programme_id}?uke={last}")).text
    assert "Forrige uke" not in beyond, "a week out of range shows the first week"


async def test_sittings_chosen_in_two_weeks_are_requested_together(
    company: Company, anchored: int
) -> None:
    await sign_in(company.client, company.cast["erik"])
    week_one = (await company.client.get(f"/program/{anchored}")).text
    assert "Be om: Modul 1" in week_one
    first_choice = _slots(week_one)[0][0]
    next_week = re.search(r'name="uke" value="([0-9-]+)"[^>]*>Neste uke', week_one)
    assert next_week is not None
    # The week button keeps the ticked time and shows the next week.
    moved = await _post(
        company.client, anchored, kind="module_1", slot=first_choice, uke=next_week[1]
    )
    assert moved.status_code == 303
    query = parse_qs(urlsplit(moved.headers["location"]).query)
    assert query["valgt"] == [first_choice]
    assert await ProgrammeSession.count() == 1
    week_two = (await company.client.get(moved.headers["location"])).text
    assert "Valgt i andre uker" in week_two
    assert f'value="{first_choice}" checked' in week_two
    second_choice = _slots(week_two)[-1][0]
    sent = await _post(
        company.client, anchored, kind="module_1", slot=[first_choice, second_choice]
    )
    assert sent.status_code == 303, sent.text
    modules = await ProgrammeSession.select(
        ProgrammeSession.starts_at, ProgrammeSession.state
    ).where(ProgrammeSession.kind == "module_1")
    assert sorted(m["starts_at"] for m in modules) == [
        datetime.fromisoformat(first_choice),
        datetime.fromisoformat(second_choice),
    ]
    assert {m["state"] for m in modules} == {"requested"}
    # Modul 2 is next; more sittings of Modul 1 can still be asked for.
    after = (await company.client.get(f"/program/{anchored}")).text
    assert "Be om: Modul 2" in after
    assert f'href="/program/{anchored}?kind=module_1#samlinger"' in after


async def test_a_batch_is_stored_all_or_none(company: Company, anchored: int) -> None:
    await sign_in(company.client, company.cast["erik"])
    good = _slots((await company.client.get(f"/program/{anchored}")).text)[0][0]
    saturday = working_day_at(14, 10)
    saturday += timedelta(days=(5 - saturday.weekday()) % 7)
    sent = await _post(company.client, anchored, kind="module_1", slot=[good, saturday.isoformat()])
    assert sent.status_code == 422
    assert "helg eller helligdag" in sent.text
    assert await ProgrammeSession.count().where(ProgrammeSession.kind == "module_1") == 0


async def test_a_cancelled_programme_says_how_to_ask_for_a_new_one(company: Company) -> None:
    programme_id = await company.programme()
    cancelled = await company.post(
        "erik", f"/programmes/{programme_id}/cancel", {"reason": "Omorganisering."}
    )
    assert cancelled.status_code == 200
    await sign_in(company.client, company.cast["erik"])
    page = await company.client.get("/bedrift", follow_redirects=True)
    assert "Programmet er avlyst." in page.text
    assert "Be om nytt program" in page.text
    asked = await company.client.post(
        f"/bedrift/{company.enterprise_id}/program",
        data={"_csrf_token": await csrf_token(company.client)},
    )
    assert asked.status_code == 303
    assert await Programme.count() == 2
    now = await company.client.get("/bedrift", follow_redirects=True)
    assert "Be om: Forankringsmøte" in now.text
