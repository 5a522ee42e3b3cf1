"""A whole programme: request, anchoring, three modules, evaluation, and both documents."""

from __future__ import annotations

import io
from datetime import datetime, timedelta

from pypdf import PdfReader

from helseiarbeid.core.clock import pinned, today_in_oslo
from tests.company_track.conftest import Company, working_day_at


def _text(pdf: bytes) -> str:
    return " ".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


async def _status(company: Company, programme_id: int) -> str:
    return str((await company.get("kari", f"/programmes/{programme_id}")).json()["status"])


async def test_from_request_to_evaluation_report(company: Company) -> None:
    programme_id = await company.programme()
    assert await _status(company, programme_id) == "requested"

    offered = await company.get("erik", f"/programmes/{programme_id}/slots?kind=anchoring")
    assert offered.status_code == 200
    first_slot = offered.json()["slots"][0]["starts_at"]
    requested = await company.post(
        "erik",
        f"/programmes/{programme_id}/sessions",
        {"kind": "anchoring", "starts_at": first_slot},
    )
    assert requested.status_code == 201, requested.text
    assert requested.json()["state"] == "requested"
    assert requested.json()["location"] == "Havnelagerveien 1, 8006 Bodø"
    assert await _status(company, programme_id) == "requested"

    anchoring_id = requested.json()["id"]
    confirmed = await company.post(
        "kari", f"/sessions/{anchoring_id}/confirm", {"facilitator_ids": company.pair()}
    )
    assert confirmed.status_code == 200, confirmed.text
    assert confirmed.json()["facilitators"] == ["Nils NAV", "Per Psykolog"]
    assert await _status(company, programme_id) == "anchoring_scheduled"

    anchoring_at = confirmed.json()["starts_at"]
    after_anchoring = datetime.fromisoformat(anchoring_at) + timedelta(hours=2)
    with pinned(after_anchoring):
        record = await company.post(
            "kari",
            f"/programmes/{programme_id}/anchoring",
            {
                "participants": "Daglig leder, tillitsvalgt, verneombud",
                "agreed_deliveries": "Tre moduler.",
            },
        )
        assert record.status_code == 200, record.text
        goal = await company.post(
            "kari",
            f"/programmes/{programme_id}/goals",
            {
                "description": "Redusere sykefraværet",
                "indicator": "Sykefravær",
                "baseline": 8.2,
                "target": 7.5,
                "unit": "%",
            },
        )
        assert goal.status_code == 201, goal.text
    assert await _status(company, programme_id) == "anchored"
    plan = await company.client.get(
        f"/api/v1/programmes/{programme_id}/plan.pdf", headers=await company.headers("erik")
    )
    assert plan.status_code == 200
    assert (
        plan.headers["content-disposition"] == f'inline; filename="programplan-{programme_id}.pdf"'
    )
    plan_text = _text(plan.content)
    assert "Programplan for Havnelager" in plan_text
    assert "fra 8,2 % til 7,5 %" in plan_text

    start = datetime.fromisoformat(anchoring_at)
    module_times = []
    for number in (1, 2, 3):
        when = working_day_at((start.date() - today_in_oslo()).days + 10 * number, 9)
        response = await company.book(programme_id, f"module_{number}", when)
        assert response.status_code == 201, response.text
        assert response.json()["duration_minutes"] == 90
        module_times.append(when)
    # A second sitting of module 3 for the night shift, the same day.
    second = await company.book(programme_id, "module_3", module_times[2].replace(hour=13))
    assert second.status_code == 201, second.text
    assert await _status(company, programme_id) == "modules_in_progress"

    evaluation_at = working_day_at((module_times[2].date() - today_in_oslo()).days + 14, 10)
    evaluation = await company.book(programme_id, "evaluation", evaluation_at)
    assert evaluation.status_code == 201, evaluation.text
    assert await _status(company, programme_id) == "evaluation_scheduled"

    with pinned(module_times[0] + timedelta(hours=2)):
        sessions = (await company.get("kari", f"/programmes/{programme_id}")).json()["sessions"]
        module_1 = next(s for s in sessions if s["kind"] == "module_1")
        attendance = await company.post(
            "per",
            f"/sessions/{module_1['id']}/attendance",
            {
                "invited": 80,
                "attended": 64,
                "tasks": "Kartlegg tunge løft.",
                "ia_notes": "God dialog.",
            },
        )
        assert attendance.status_code == 200, attendance.text
        assert attendance.json()["attended"] == 64

    goal_id = goal.json()["id"]
    with pinned(evaluation_at + timedelta(hours=2)):
        evaluated = await company.post(
            "kari",
            f"/programmes/{programme_id}/evaluation",
            {
                "assessment": "Godt gjennomført.",
                "further_plans": "Ny runde neste år.",
                "measured": {str(goal_id): 7.4},
            },
        )
        assert evaluated.status_code == 200, evaluated.text
    assert await _status(company, programme_id) == "completed"
    goals = (await company.get("erik", f"/programmes/{programme_id}")).json()["goals"]
    assert goals[0]["measured"] == 7.4
    assert goals[0]["met"] is True
    report = await company.client.get(
        f"/api/v1/programmes/{programme_id}/evaluation-report.pdf",
        headers=await company.headers("erik"),
    )
    assert report.status_code == 200
    assert report.headers["content-disposition"] == (
        f'inline; filename="evalueringsrapport-{programme_id}.pdf"'
    )
    report_text = _text(report.content)
    assert "Evalueringsrapport for Havnelager" in report_text
    assert "8,2 % høyst 7,5 % 7,4 % Nådd" in report_text
    assert f"Modul 1 – Muskel og skjelett {module_times[0]:%d.%m.%Y} kl. 09:00 80 64" in report_text


async def test_documents_wait_for_their_records(company: Company) -> None:
    programme_id = await company.programme()
    plan = await company.client.get(
        f"/api/v1/programmes/{programme_id}/plan.pdf", headers=await company.headers("erik")
    )
    assert plan.status_code == 404
    assert "forankringsmøtet er bekreftet" in plan.json()["detail"]


async def test_a_cancelled_programme_releases_its_facilitators(company: Company) -> None:
    programme_id = await company.programme()
    when = working_day_at(10, 9)
    assert (await company.book(programme_id, "anchoring", when)).status_code == 201
    cancelled = await company.post(
        "erik", f"/programmes/{programme_id}/cancel", {"reason": "Omorganisering."}
    )
    assert cancelled.status_code == 200
    assert cancelled.json()["status"] == "cancelled"
    assert cancelled.json()["sessions"][0]["state"] == "cancelled"
    other = (
        await company.post("kari", f"/enterprises/{company.other_enterprise_id}/programmes")
    ).json()["id"]
    assert (await company.book(other, "anchoring", when)).status_code == 201
