"""Issue 15 §1: staff of one clinic see nothing of another clinic's referrals.

Every route of the app about one referral (from the route table, every method) is walked as
each member of clinic B («Finnmark») against a case of clinic A (the cast's clinic, with
triage, assessment, a booked consultation and its letter): the answer is 404 or 403, holds
no health text, patient name or national ID, and every 404 from the case is in the access
log as refused. Lists (worklist, referral list, dashboard, messages) hold nothing of A's.
"""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

from litestar.routes import HTTPRoute

from helseiarbeid.app import create_app
from helseiarbeid.core.audit import AuditAction
from helseiarbeid.core.clock import today_in_oslo
from helseiarbeid.core.tables import AuditEvent
from tests.cast import bearer, sign_in
from tests.clinic_track.conftest import Pathway, next_weekday_at
from tests.clinic_track.test_case_access import HEALTH_TEXT, _case_with_letter_and_notes
from tests.clinics.conftest import OtherClinic
from tests.referrals.factories import PATIENT_ID

PATIENT_NAME = "Lise Lyngstad"
LEAKS = [*HEALTH_TEXT, PATIENT_NAME, PATIENT_ID, "Fjellveien 3", "912 34 567"]
_PARAM = re.compile(r"\{(\w+):int\}")


def _referral_routes() -> list[tuple[str, str]]:
    """(method, path) of every route with a referral id, from the app's route table."""
    found = set()
    for route in create_app().routes:
        if isinstance(route, HTTPRoute) and "{referral_id:int}" in route.path:
            for handler in route.route_handlers:
                for method in handler.http_methods - {"OPTIONS", "HEAD"}:
                    found.add((method, route.path))
    return sorted(found)


def _json_body(path: str, ids: dict[str, Any]) -> dict[str, Any]:
    """A body that would be accepted on the clinic's own case, so only the clinic stops it."""
    deadline = (today_in_oslo() + timedelta(days=30)).isoformat()
    bodies: dict[str, dict[str, Any]] = {
        "information": {"answer": "Svar fra fastlegen om arbeidet."},
        "withdraw": {"reason": "Pasienten ønsker ikke vurdering likevel."},
        "access-reason": {"reason": "Trenger saken for oppfølging av pasienten."},
        "assessment": {"decision": "accepted", "start_deadline": deadline, "priority": "normal"},
        "cancel": {"reason": "Pasienten er innlagt på sykehus."},
        "clarification": {"summary": "Arbeidsevne avklart."},
        "consultations": {
            "starts_at": next_weekday_at(12).isoformat(),
            "duration_minutes": 60,
            "staff_ids": [ids["team_member"]],
            "location": "Poliklinikken, rom 3",
        },
        "outcome": {"outcome": "held"},
        "forward": {"clinic": "finnmark", "reason": "Pasienten har flyttet til Alta kommune."},
        "nav-consent": {"state": "withdrawn", "effective_on": today_in_oslo().isoformat()},
        "onward-referrals": {
            "destination_type": ids["destination"],
            "destination_name": "Fysioterapi Alta",
            "reason": "Trenger oppfølging lokalt.",
        },
        "report": {},
        "responsible": {"staff_id": ids["own_staff"]},
        "triage-notes": {"note": "Triasje fra en annen klinikk.", "recommendation": "accept"},
    }
    return bodies.get(path.rstrip("/").rsplit("/", 1)[-1], {})


def _form_body(path: str, ids: dict[str, Any]) -> dict[str, Any]:
    deadline = (today_in_oslo() + timedelta(days=30)).isoformat()
    forms: dict[str, dict[str, Any]] = {
        "triasje": {"note": "Triasje fra en annen klinikk.", "recommendation": "accept"},
        "vurdering": {"decision": "accepted", "start_deadline": deadline, "priority": "normal"},
        "ansvarlig": {"staff_id": str(ids["own_staff"])},
        "konsultasjoner": {
            "starts_at": next_weekday_at(12).strftime("%Y-%m-%dT%H:%M"),
            "duration_minutes": "60",
            "staff_ids": str(ids["team_member"]),
            "location": "Poliklinikken, rom 3",
        },
        "avlys": {"reason": "Pasienten er innlagt på sykehus."},
        "utfall": {"outcome": "held"},
        "avklaring": {"summary": "Arbeidsevne avklart."},
        "videre": {
            "destination_type": ids["destination"],
            "destination_name": "Fysioterapi Alta",
            "reason": "Trenger oppfølging lokalt.",
        },
        "rapport": {},
        "tilgang": {"reason": "Trenger saken for oppfølging av pasienten."},
        "samtykke": {"state": "withdrawn", "effective_on": today_in_oslo().isoformat()},
        "videresend": {"clinic": "finnmark", "reason": "Pasienten har flyttet til Alta."},
        "svar": {"answer": "Svar fra fastlegen."},
        "trekk-tilbake": {"reason": "Pasienten ønsker ikke vurdering."},
    }
    return forms.get(path.rstrip("/").rsplit("/", 1)[-1], {})


async def _refusals(actor_id: int) -> int:
    return int(
        await AuditEvent.count().where(
            (AuditEvent.action == AuditAction.REFUSED.value) & (AuditEvent.actor == actor_id)
        )
    )


async def test_staff_of_another_clinic_get_nothing_on_any_referral_route(
    pathway: Pathway, other_clinic: OtherClinic
) -> None:
    ids: dict[str, Any] = await _case_with_letter_and_notes(pathway)
    routes = _referral_routes()
    assert ("GET", "/klinikk/henvisninger/{referral_id:int}") in routes
    assert ("POST", "/api/v1/referrals/{referral_id:int}/forward") in routes
    assert ("GET", "/api/v1/referrals/{referral_id:int}/documents/{document_id:int}") in routes
    client = pathway.client
    unexpected = []
    answers: dict[tuple[str, str, str], int] = {}
    for key, person in other_clinic.staff.items():
        client.cookies.clear()
        await sign_in(client, person)
        token = await bearer(person)
        page = await client.get("/klinikk/arbeidsliste")
        csrf = re.search(r'name="_csrf_token" value="([0-9a-f]+)"', page.text)
        assert csrf, "the worklist page should carry a form token"
        ids["own_staff"] = person.id
        ids["team_member"] = other_clinic.staff["paal"].id
        # What each role may propose (the NAV counsellor: NAV measures only).
        ids["destination"] = "nav_work_measures" if key == "nina" else "physiotherapy"
        for method, template in routes:
            path = _PARAM.sub(lambda match: str(ids.get(match[1], 1)), template)
            before = await _refusals(person.id)
            if path.startswith("/api/"):
                response = await client.request(
                    method,
                    path,
                    headers=token,
                    json=_json_body(template, ids) if method in {"POST", "PUT"} else None,
                )
            elif method == "GET":
                response = await client.get(path)
            else:
                form = {**_form_body(template, ids), "_csrf_token": csrf.group(1)}
                response = await client.request(method, path, data=form)
            for text in LEAKS:
                assert text not in response.text, (key, method, path, text)
            answers[(key, method, template)] = response.status_code
            if response.status_code not in {403, 404}:
                unexpected.append((key, method, template, response.status_code))
            elif response.status_code == 404:
                assert await _refusals(person.id) > before, (key, method, template)
    assert unexpected == [], "\n".join(map(str, unexpected))
    # Where the role may use the route, the case does not exist for them (not «forbidden»).
    assert answers[("berit", "GET", "/klinikk/henvisninger/{referral_id:int}")] == 404
    assert answers[("paal", "GET", "/api/v1/referrals/{referral_id:int}")] == 404
    assert answers[("fredrik", "POST", "/api/v1/referrals/{referral_id:int}/assessment")] == 404
    assert answers[("nina", "GET", "/api/v1/referrals/{referral_id:int}/case")] == 404
    assert answers[("berit", "POST", "/api/v1/referrals/{referral_id:int}/forward")] == 404
    # Nothing of clinic A's case changed.
    case = await client.get(
        f"/api/v1/referrals/{pathway.id}/case", headers=await pathway.headers("kari")
    )
    assert case.status_code == 200
    assert all(
        note["author"] != other_clinic.staff["paal"].name for note in case.json()["triage_notes"]
    )


async def test_lists_of_another_clinic_hold_nothing_of_this_clinics_cases(
    pathway: Pathway, other_clinic: OtherClinic
) -> None:
    await _case_with_letter_and_notes(pathway)
    client = pathway.client
    berit = other_clinic.staff["berit"]
    token = await bearer(berit)
    worklist = await client.get("/api/v1/clinic/worklist", headers=token)
    assert worklist.status_code == 200
    assert worklist.json()["total"] == 0
    listing = await client.get("/api/v1/referrals", headers=token)
    assert listing.status_code == 200
    assert listing.json()["total"] == 0
    dashboard = await client.get("/api/v1/clinic/dashboard", headers=token)
    assert dashboard.status_code == 200
    assert sum(dashboard.json()["counts_by_status"].values()) == 0
    assert all(not staff["consultations"] for staff in dashboard.json()["upcoming"])
    client.cookies.clear()
    await sign_in(client, berit)
    for path in ("/klinikk/arbeidsliste", "/klinikk/oversikt", "/meldinger/"):
        page = await client.get(path)
        assert page.status_code == 200, path
        # (The complaint's label is also a filter option on the worklist.)
        for text in [text for text in LEAKS if not text.startswith("Både")]:
            assert text not in page.text, (path, text)
        assert f"/klinikk/henvisninger/{pathway.id}" not in page.text, path
    # The cast's own coordinator still has the case.
    own = await client.get("/api/v1/referrals", headers=await pathway.headers("kari"))
    assert own.json()["total"] == 1


async def test_the_gp_follows_a_referral_whichever_clinic_has_it(
    pathway: Pathway, other_clinic: OtherClinic
) -> None:
    moved = await pathway.post(
        "kari",
        "/forward",
        {"clinic": other_clinic.slug, "reason": "Pasienten har flyttet til Alta kommune."},
    )
    assert moved.status_code == 204, moved.text
    seen = await pathway.client.get(
        f"/api/v1/referrals/{pathway.id}", headers=await pathway.headers("gp_anne")
    )
    assert seen.status_code == 200
    assert seen.json()["clinic_name"] == "HelseIArbeid Finnmark"
    assert seen.json()["description"].startswith("Smerter i korsrygg")


async def test_a_case_is_booked_and_given_only_to_its_own_clinic_s_team(
    pathway: Pathway, other_clinic: OtherClinic
) -> None:
    assert (await pathway.accept()).status_code == 201
    outsider = other_clinic.staff["paal"]
    booked = await pathway.post(
        "kari",
        "/consultations",
        {
            "starts_at": next_weekday_at(10).isoformat(),
            "duration_minutes": 60,
            "staff_ids": [pathway.cast["per"].id, outsider.id],
            "location": "Poliklinikken, rom 2",
        },
    )
    assert booked.status_code == 422
    assert "klinikken som har henvisningen" in booked.json()["errors"]["staff_ids"]
    responsible = await pathway.client.put(
        f"/api/v1/referrals/{pathway.id}/responsible",
        json={"staff_id": outsider.id},
        headers=await pathway.headers("kari"),
    )
    assert responsible.status_code == 422
    client = pathway.client
    await sign_in(client, pathway.cast["kari"])
    page = await client.get(f"/klinikk/henvisninger/{pathway.id}")
    assert outsider.name not in page.text
