"""The demo data a newcomer sees after `make run`."""

from __future__ import annotations

import asyncio
import os
import sys

import httpx
import pytest

from helseiarbeid import demo
from helseiarbeid.app import create_app
from helseiarbeid.clinic_track.dashboard import dashboard
from helseiarbeid.clinic_track.tables import Consultation
from helseiarbeid.clinics import services as clinics
from helseiarbeid.company_track import services as company
from helseiarbeid.company_track.schemas import (
    MODULES,
    GoalMeasure,
    PartStatus,
    ProgrammeStatus,
    SessionKind,
)
from helseiarbeid.company_track.tables import Enterprise, Programme, ServiceArea
from helseiarbeid.core.identifiers import is_synthetic_national_id, validate_national_id
from helseiarbeid.core.roles import CLINIC_STAFF, Role
from helseiarbeid.core.tables import BusyPeriod, User
from helseiarbeid.core.users import get_user
from helseiarbeid.demo import load_demo_data
from helseiarbeid.referrals.status import Status
from helseiarbeid.referrals.tables import Patient, Referral, StatusChange
from helseiarbeid.statistics.services import national_statistics
from helseiarbeid.surveys import services as surveys
from tests.cast import sign_in


async def test_demo_data_fills_every_role_region_and_referral_status(database: str) -> None:
    command = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "helseiarbeid",
        "seed-demo",
        "--if-empty",
        env={**os.environ, "HELSEIARBEID_DATABASE_URL": database},
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    stdout, stderr = await asyncio.wait_for(command.communicate(), timeout=300)
    assert command.returncode == 0, stderr.decode()
    # `make run` shows where the load is while it runs.
    lines = stdout.decode().splitlines()
    assert lines[0] == "Demo data: the team, GPs and enterprises ..."
    assert "Demo data: referrals 21–30 of 48 ..." in lines
    assert "Demo data: 12 company programmes ..." in lines
    assert lines[-1].startswith("Demo data loaded in ")
    roles = {row["role"] for row in await User.select(User.role)}
    assert roles == {role.value for role in Role}
    counties = {row["county"] for row in await ServiceArea.select(ServiceArea.county)}
    assert counties == {"Nordland", "Troms", "Finnmark"}
    # Three clinics, each with its HER-id, municipalities, team and referrals; one forwarded.
    demo_clinics = await clinics.list_clinics()
    assert [clinic.name for clinic in demo_clinics] == [
        "HelseIArbeid Finnmark, Klinikk Alta",
        "HelseIArbeid Nordland, Nordlandssykehuset Bodø",
        "HelseIArbeid Troms, UNN Tromsø",
    ]
    for clinic in demo_clinics:
        assert clinic.her_ids, clinic.name
        assert len(clinic.municipalities) >= 5, clinic.name
        assert {member.role for member in clinic.members} >= {
            role.value for role in CLINIC_STAFF
        }, clinic.name
        assert await Referral.count().where(Referral.clinic == clinic.id) >= 5, clinic.name
    assert await Referral.count().where(Referral.clinic.is_null()) == 0
    forwarded = await StatusChange.count().where(StatusChange.reason.like("Videresendt fra %"))
    assert forwarded == 1
    assert await Enterprise.count() >= 6
    statuses = {row["status"] for row in await Referral.select(Referral.status)}
    assert statuses == {status.value for status in Status}
    # Only synthetic (Tenor) national IDs, so no demo patient can ever be a real person.
    for patient in await Patient.select(Patient.national_id):
        assert is_synthetic_national_id(patient["national_id"]), patient
        assert validate_national_id(patient["national_id"]) == patient["national_id"]
    programme_statuses = {row["status"] for row in await Programme.select(Programme.status)}
    assert programme_statuses == {status.value for status in ProgrammeStatus}
    areas_with_programmes = await Programme.select(Programme.enterprise.service_area.name)
    assert len({row["enterprise.service_area.name"] for row in areas_with_programmes}) >= 3
    # Two NAV regions with enterprises; Nordland has 5 completed programmes with snapshots,
    # so the national statistics show its sick-leave outcome (issue 16 §11).
    national = await national_statistics()
    outcomes = {row.region: row for row in national.outcomes}
    nordland = outcomes["NAV Arbeidslivssenter Nordland"]
    assert isinstance(nordland.enterprises, int)
    assert nordland.enterprises >= 5
    assert nordland.change.startswith("-")
    assert "NAV Arbeidslivssenter Troms og Finnmark" in outcomes
    # Troms' coordinator delivers the company track in Troms og Finnmark: sees its enterprises.
    troms = (
        await User.select(User.id)
        .where(User.email == "koordinator.troms@helseiarbeid.example")
        .first()
    )
    assert troms is not None
    seen = await company.list_enterprises(await get_user(troms["id"]))
    assert {row["region.name"] for row in seen} == {"NAV Arbeidslivssenter Troms og Finnmark"}
    figures = await dashboard()
    year = next(period for period in figures.periods if period.days == 365)
    assert year.to_assessment.count >= 25
    assert year.to_assessment.median is not None
    assert 3 <= year.to_assessment.median <= 10
    assert year.to_first_consultation.count >= 20
    assert figures.overdue >= 1
    assert (
        sum(
            1
            for month in figures.referrals_per_month
            if month.musculoskeletal + month.mental + month.both
        )
        >= 10
    )
    assert sum(figures.onward_destinations.values()) >= 10
    # Bookings the demo tried and the calendar refused left nothing behind.
    booked = await BusyPeriod.select(BusyPeriod.source_id).where(BusyPeriod.kind == "consultation")
    assert len({row["source_id"] for row in booked}) == await Consultation.count()
    # Completed programmes carry the surveys of their modules and evaluation, with results.
    completed = await Programme.select(Programme.id).where(
        Programme.status == ProgrammeStatus.COMPLETED.value
    )
    for programme in completed:
        results = await surveys.results_for_programme(programme["id"])
        assert {r.question_set for r in results} >= {"module_1", "evaluation"}
        assert all(q.shown for r in results for g in r.groups for q in g.questions)
    assert completed
    await _the_completed_programme_shows_every_part_of_its_evaluation()
    assert await load_demo_data(only_if_empty=True) is False


async def _the_completed_programme_shows_every_part_of_its_evaluation() -> None:
    coordinator_row = await User.select(User.id).where(User.role == Role.COORDINATOR.value).first()
    assert coordinator_row is not None
    coordinator = await get_user(coordinator_row["id"])
    completed = (
        await Programme.select(Programme.id)
        .where(Programme.status == ProgrammeStatus.COMPLETED.value)
        .first()
    )
    assert completed is not None
    report = await company.evaluation_report(coordinator, completed["id"])
    assert [label for label, _, _ in report.comparisons] == [
        "Virksomheten",
        "Bransjen",
        "Sektoren",
    ]
    assert report.before is not None
    assert report.after is not None
    before = report.before.figures.enterprise.four_quarters
    after = report.after.figures.enterprise.four_quarters
    assert before is not None
    assert after is not None
    assert after.quarters[-1] > before.quarters[-1]  # the evaluation saw later quarters
    goal = report.programme.goals[0]
    assert goal.measure is GoalMeasure.FOUR_QUARTERS
    assert goal.measured == float(after.percent or 0)
    assert goal.measured < goal.baseline
    assert [part.status for part in report.parts] == [PartStatus.DONE] * 5
    assert len(report.module_sittings) >= 3
    assert all(s.attended is not None for s in report.module_sittings)
    # The surveys of every module and of the evaluation, the latter asking about every part.
    [surveys_section] = report.sections
    sittings = surveys_section.context["sittings"]
    asked = {item.sitting.kind for item in sittings if item.surveys}
    assert asked == {*MODULES, SessionKind.EVALUATION}
    evaluation = next(i for i in sittings if i.sitting.kind is SessionKind.EVALUATION)
    assert [g.title for g in evaluation.surveys[0].groups] == [
        "Forankringsmøtet",
        *(kind.label for kind in MODULES),
        "Veien videre",
    ]
    # The page draws a chart for every question asked.
    app = create_app()
    transport = httpx.ASGITransport(app=app, client=("127.0.0.1", 50000))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
        await sign_in(http, coordinator)
        page = await http.get(f"/program/{completed['id']}/evalueringsrapport")
    assert page.status_code == 200, page.text
    html = page.text
    section = html[html.index('id="h-undersokelser"') : html.index('id="h-deler"')]
    questions = sum(
        len(g.questions) for item in sittings for survey in item.surveys for g in survey.groups
    )
    assert section.count("<svg") == questions
    assert "For få svar" not in section


async def test_a_load_that_fails_half_way_leaves_the_database_empty(
    database: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def broken(*args: object) -> None:
        raise RuntimeError("disk full")

    monkeypatch.setattr(demo, "_load_referrals", broken)
    with pytest.raises(RuntimeError):
        await load_demo_data(only_if_empty=True)
    # So `seed-demo --if-empty` (make run) loads everything next time instead of skipping.
    assert await User.count() == 0
    assert await Enterprise.count() == 0
