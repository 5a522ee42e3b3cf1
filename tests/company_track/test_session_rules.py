"""Every booking rule, broken once: refused with 409 or 422 and a message naming the rule."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from helseiarbeid.company_track.tables import ProgrammeSession
from helseiarbeid.core.clock import OSLO, today_in_oslo
from tests.cast import bearer, csrf_token, sign_in
from tests.clinic_track.conftest import Pathway
from tests.company_track import factories
from tests.company_track.conftest import Company, working_day_at
from tests.referrals.factories import referral_body


@pytest.fixture
async def programme_id(company: Company) -> int:
    return await company.programme()


async def _refused(response_code: int, detail: str, expected_code: int, words: str) -> None:
    assert response_code == expected_code, detail
    assert words in detail, detail


async def test_anchoring_comes_first(company: Company, programme_id: int) -> None:
    response = await company.book(programme_id, "module_1", working_day_at(10, 9))
    await _refused(
        response.status_code, response.text, 409, "Forankringsmøte må settes opp før modul 1"
    )


async def test_modules_in_order_with_seven_days_between(
    company: Company, programme_id: int
) -> None:
    anchoring = working_day_at(7, 9)
    assert (await company.book(programme_id, "anchoring", anchoring)).status_code == 201
    skipped = await company.book(programme_id, "module_2", anchoring + timedelta(days=14))
    await _refused(
        skipped.status_code, skipped.text, 409, "Modul 1 – Muskel og skjelett må settes opp før"
    )
    module_1 = working_day_at(14, 9)
    assert (await company.book(programme_id, "module_1", module_1)).status_code == 201
    too_soon = await company.book(programme_id, "module_2", working_day_at(17, 9))
    await _refused(too_soon.status_code, too_soon.text, 409, "minst 7 dager etter første samling")
    before_anchoring = await company.post(
        "kari",
        f"/programmes/{programme_id}/sessions",
        {
            "kind": "module_1",
            "starts_at": (anchoring - timedelta(days=1)).isoformat(),
            "facilitator_ids": company.pair(),
        },
    )
    assert before_anchoring.status_code in (409, 422)


async def test_evaluation_after_the_last_sitting(company: Company, programme_id: int) -> None:
    base = working_day_at(7, 9)
    for offset, kind in ((0, "anchoring"), (10, "module_1"), (20, "module_2"), (30, "module_3")):
        when = working_day_at((base.date() - today_in_oslo()).days + offset, 9)
        assert (await company.book(programme_id, kind, when)).status_code == 201, kind
    last = working_day_at((base.date() - today_in_oslo()).days + 40, 9)
    assert (await company.book(programme_id, "module_3", last)).status_code == 201
    between = working_day_at((base.date() - today_in_oslo()).days + 35, 9)
    assert between < last
    early = await company.book(programme_id, "evaluation", between)
    await _refused(early.status_code, early.text, 409, "etter siste samling i modul 3")
    twice = await company.book(programme_id, "anchoring", working_day_at(60, 9))
    await _refused(twice.status_code, twice.text, 409, "har allerede et forankringsmøte")


@pytest.mark.parametrize(
    ("people", "words"),
    [
        (["per", "frida"], "én NAV-veileder"),
        (["nils"], "fra helsetjenesten"),
        (["kari", "nils"], "Veiledere må være"),
    ],
)
async def test_a_health_and_a_nav_facilitator(
    company: Company, programme_id: int, people: list[str], words: str
) -> None:
    ids = [company.cast[name].id for name in people]
    response = await company.book(programme_id, "anchoring", working_day_at(7, 9), ids)
    await _refused(response.status_code, response.text, 422, words)
    assert await ProgrammeSession.count() == 0


@pytest.mark.parametrize(
    ("starts_at", "words"),
    [
        (datetime(2027, 5, 17, 10, 0, tzinfo=OSLO), "helg eller helligdag"),  # Constitution Day
        (datetime(2027, 3, 26, 10, 0, tzinfo=OSLO) + timedelta(days=1), "helg eller helligdag"),
        (datetime(2027, 3, 24, 7, 30, tzinfo=OSLO), "arbeidstiden 08:00–16:00"),
        (datetime(2027, 3, 24, 15, 30, tzinfo=OSLO), "arbeidstiden 08:00–16:00"),
        (datetime(2025, 3, 24, 10, 0, tzinfo=OSLO), "allerede vært"),
    ],
)
async def test_working_days_working_hours_and_not_in_the_past(
    company: Company, programme_id: int, starts_at: datetime, words: str
) -> None:
    response = await company.book(programme_id, "anchoring", starts_at)
    await _refused(response.status_code, response.text, 422, words)


async def test_an_area_not_yet_open_says_when_it_opens(company: Company) -> None:
    later = await factories.service_area(
        "Lofoten og Vesterålen",
        company_track_from=today_in_oslo() + timedelta(days=40),
        individual_track_from=factories.OPEN_SINCE,
    )
    enterprise = await factories.enterprise(
        later,
        30,
        "Lofotfisk",
        address="Kaia 1, 8300 Svolvær",
        municipality="Vågan",
        employee_count=40,
    )
    response = await company.post("kari", f"/enterprises/{enterprise}/programmes")
    assert response.status_code == 409
    opens = (today_in_oslo() + timedelta(days=40)).strftime("%d.%m.%Y")
    assert f"Bedriftstiltaket åpner i Lofoten og Vesterålen {opens}" in response.json()["detail"]


async def test_no_facilitator_twice_at_once_with_travel_time(
    company: Company, programme_id: int
) -> None:
    ten = working_day_at(7, 10)
    assert (await company.book(programme_id, "anchoring", ten)).status_code == 201  # 10:00–11:00
    other = (
        await company.post("kari", f"/enterprises/{company.other_enterprise_id}/programmes")
    ).json()["id"]
    close = await company.book(other, "anchoring", ten + timedelta(minutes=80))  # 11:20: too close
    await _refused(close.status_code, close.text, 409, "Per Psykolog er allerede opptatt")
    assert "30 min reisetid" in close.json()["detail"]
    frida_and_ole = [company.cast["frida"].id, company.cast["nils"].id]
    nils_busy = await company.book(other, "anchoring", ten + timedelta(minutes=80), frida_and_ole)
    assert nils_busy.status_code == 409
    fine = await company.book(other, "anchoring", ten + timedelta(minutes=90))  # 11:30 is fine
    assert fine.status_code == 201, fine.text


async def test_clinic_consultations_count_too(company: Company, programme_id: int) -> None:
    referral = await company.client.post(
        "/api/v1/referrals", json=referral_body(), headers=await bearer(company.cast["gp_anne"])
    )
    pathway = Pathway(company.client, company.cast, referral.json()["id"])
    await pathway.accept()
    nine = working_day_at(7, 9)
    assert (await pathway.book(["nils"], nine, 60)).status_code == 201
    clash = await company.book(programme_id, "anchoring", nine + timedelta(minutes=80))
    await _refused(clash.status_code, clash.text, 409, "Nils NAV er allerede opptatt")


async def test_a_tampered_slot_or_a_far_date_is_a_form_error(company: Company) -> None:
    programme_id = await company.programme()
    await sign_in(company.client, company.cast["erik"])
    token = await csrf_token(company.client)
    tampered = await company.client.post(
        f"/program/{programme_id}/samlinger",
        data={"kind": "anchoring", "slot": "not-a-time", "_csrf_token": token},
    )
    assert tampered.status_code == 422
    assert "Velg et av de ledige tidspunktene." in tampered.text
    far = await company.post(
        "kari",
        f"/programmes/{programme_id}/sessions",
        {
            "kind": "anchoring",
            "starts_at": "9999-12-31T23:59:00+01:00",
            "facilitator_ids": company.pair(),
        },
    )
    assert far.status_code == 422
    assert "to år" in far.json()["detail"]
    company.client.cookies.clear()
    await sign_in(company.client, company.cast["kari"])
    planning = await company.client.get("/planlegging?start=9999-12-31")
    assert planning.status_code == 422
    await sign_in(company.client, company.cast["ada"])
    audit = await company.client.get("/admin/audit?to=9999-12-31")
    assert audit.status_code == 200
