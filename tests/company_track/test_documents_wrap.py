"""The programme plan and the evaluation report keep every field inside the A4 page, however
long the word (issue 11, item 11)."""

from __future__ import annotations

from datetime import timedelta

from helseiarbeid.core import users
from helseiarbeid.core.clock import pinned, today_in_oslo
from helseiarbeid.core.roles import Role
from tests.cast import bearer
from tests.company_track import factories
from tests.company_track.conftest import Company, working_day_at
from tests.pdf_layout import assert_all_text_on_the_page

ENTERPRISE = "Havnelager" + "Ø" * 190
UNION = "Tone" + "Tillitsvalgt" * 16
PLACE = "Kantinen" + "å" * 250
PARTICIPANTS = "Daglig" + "leder" * 100
INDICATOR = "Sykefravær" + "æ" * 150
GOAL = "Redusere" + "sykefraværet" * 40
ASSESSMENT = "Godt" + "gjennomført" * 80


async def test_every_field_of_the_plan_and_the_evaluation_report_wraps(
    company: Company,
) -> None:
    tor = await users.create_user(
        email="tor@test.example", name="Tor Kontakt", role=Role.ENTERPRISE_CONTACT, password=None
    )
    enterprise_id = await factories.enterprise(
        company.area_id,
        21,
        ENTERPRISE,
        address="Kaia 1, 8006 Bodø",
        employee_count=80,
        contact_id=tor.id,
        union_representative=UNION,
        safety_delegate=UNION,
    )
    created = await company.client.post(
        f"/api/v1/enterprises/{enterprise_id}/programmes", headers=await bearer(tor)
    )
    assert created.status_code == 201, created.text
    programme_id = created.json()["id"]

    anchoring_at = working_day_at(14, 10)
    anchoring = await company.post(
        "kari",
        f"/programmes/{programme_id}/sessions",
        {
            "kind": "anchoring",
            "starts_at": anchoring_at.isoformat(),
            "location": PLACE,
            "facilitator_ids": company.pair(),
        },
    )
    assert anchoring.status_code == 201, anchoring.text
    with pinned(anchoring_at + timedelta(hours=2)):
        recorded = await company.post(
            "kari", f"/programmes/{programme_id}/anchoring", {"participants": PARTICIPANTS}
        )
        assert recorded.status_code == 200, recorded.text
        goal = await company.post(
            "kari",
            f"/programmes/{programme_id}/goals",
            {"description": GOAL, "indicator": INDICATOR, "baseline": 8.2, "target": 7.5},
        )
        assert goal.status_code == 201, goal.text
    plan = await company.get("kari", f"/programmes/{programme_id}/plan.pdf")
    assert plan.status_code == 200
    assert_all_text_on_the_page(plan.content, ENTERPRISE, UNION, PLACE, PARTICIPANTS, GOAL)

    day = (anchoring_at.date() - today_in_oslo()).days
    for number in (1, 2, 3):
        when = working_day_at(day + 10 * number, 9)
        assert (await company.book(programme_id, f"module_{number}", when)).status_code == 201
    evaluation_at = working_day_at(day + 44, 10)
    assert (await company.book(programme_id, "evaluation", evaluation_at)).status_code == 201
    with pinned(evaluation_at + timedelta(hours=2)):
        evaluated = await company.post(
            "kari",
            f"/programmes/{programme_id}/evaluation",
            {"assessment": ASSESSMENT, "measured": {str(goal.json()["id"]): 7.4}},
        )
        assert evaluated.status_code == 200, evaluated.text
    report = await company.get("kari", f"/programmes/{programme_id}/evaluation-report.pdf")
    assert report.status_code == 200
    assert_all_text_on_the_page(report.content, ENTERPRISE, INDICATOR, ASSESSMENT)
