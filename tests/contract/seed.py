"""Data for the contract test, made through the documented happy paths.

Generated requests rarely carry valid national IDs or a booking that fits every rule, so the
successful answers of most operations are provoked here: each seeding call goes through the
API in-process, and its answer is held to the published contract like a generated one (the
checks that judge a single answer; the generated tests run the rest). The rows it leaves, with
small ids in several states, are what the generated requests then land on.

Identities are the fictitious cast of tests/cast.py; identifiers are synthetic.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

import httpx
from schemathesis.checks import not_a_server_error
from schemathesis.core import NOT_SET
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from helseiarbeid.company_track import services as company
from helseiarbeid.core import tokens
from helseiarbeid.core.clock import pinned, today_in_oslo
from helseiarbeid.core.identifiers import synthetic_org_number
from helseiarbeid.core.roles import Role
from helseiarbeid.core.tables import ApiToken
from tests.cast import Cast, create_cast
from tests.clinic_track.conftest import next_weekday_at
from tests.company_track.conftest import working_day_at
from tests.contract.published import load
from tests.referrals.factories import OTHER_PATIENT_ID, referral_body

# The callers' tokens are moved to ids no generated request will name: the administrator may
# revoke tokens by id (DELETE /api/v1/tokens/{id}), and must not revoke the caller's own token
# halfway through the run. Tokens of a GP's record system keep the low ids for that operation.
CALLER_TOKEN_ID_OFFSET = 1_500_000_000
ANSWER_CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]
CONTRACT = load()


@dataclass(frozen=True)
class Seeded:
    cast: Cast
    headers: dict[Role, dict[str, str]]


@dataclass(frozen=True)
class Api:
    """Calls /api/v1 in-process as a role's caller; the answer must be a documented success."""

    http: httpx.AsyncClient
    headers: dict[Role, dict[str, str]]

    async def __call__(
        self,
        role: Role,
        method: str,
        path: str,
        body: Any = None,
        *,
        query: dict[str, str] | None = None,
        **parameters: int,
    ) -> Any:
        template = f"/api/v1{path}"
        response = await self.http.request(
            method,
            template.format(**parameters),
            params=query,
            json=body,
            headers=self.headers[role],
        )
        assert response.status_code < 300, f"{method} {path} as {role}: {response.text}"
        case = CONTRACT[template][method].Case(
            path_parameters=parameters,
            query=query,
            headers=self.headers[role],
            body=NOT_SET if body is None else body,
        )
        case.validate_response(response, checks=ANSWER_CHECKS)
        if response.headers.get("content-type", "").startswith("application/json"):
            return response.json()
        return response.content


async def seed(http: httpx.AsyncClient) -> Seeded:
    cast = await create_cast()
    for _ in range(2):
        await tokens.create_api_token(cast["gp_bjorn"].id, "Journalsystem")
    headers: dict[Role, dict[str, str]] = {}
    for role in Role:
        token = await tokens.create_api_token(cast.by_role(role).id, "kontrakt")
        headers[role] = {"Authorization": f"Bearer {token}"}
    await ApiToken.raw(
        "UPDATE api_token SET id = id + {} WHERE name = {}", CALLER_TOKEN_ID_OFFSET, "kontrakt"
    )
    api = Api(http, headers)
    await api(Role.ADMIN, "DELETE", "/tokens/{token_id}", token_id=2)
    await api(Role.ADMIN, "GET", "/audit-events")
    await api(Role.GP, "GET", "/me")
    await _seed_referrals(cast, api)
    await _seed_company(cast, api)
    await _seed_calendar_feeds(api)
    return Seeded(cast=cast, headers=headers)


async def _seed_referrals(cast: Cast, api: Api) -> None:
    """1: received; 2: in progress, with consultation, triage note, clarification and an onward
    referral (letters); 3: completed, with the report; 4: withdrawn; 5: the team asked the GP
    for more information and got it."""
    for national_id in (None, None, None, OTHER_PATIENT_ID, None):
        body = referral_body(**({"patient.national_id": national_id} if national_id else {}))
        await api(Role.GP, "POST", "/referrals", body)
    deadline = (today_in_oslo() + timedelta(days=30)).isoformat()
    booked: dict[int, int] = {}
    for referral_id in (2, 3):
        await api(
            Role.PSYCHOLOGIST,
            "POST",
            "/referrals/{referral_id}/triage-notes",
            {"note": "Passer for tverrfaglig vurdering.", "recommendation": "accept"},
            referral_id=referral_id,
        )
        await api(
            Role.PHYSICIAN,
            "POST",
            "/referrals/{referral_id}/assessment",
            {"decision": "accepted", "start_deadline": deadline, "priority": "normal"},
            referral_id=referral_id,
        )
        booked[referral_id] = (
            await api(
                Role.COORDINATOR,
                "POST",
                "/referrals/{referral_id}/consultations",
                {
                    "starts_at": next_weekday_at(8 + referral_id).isoformat(),
                    "duration_minutes": 60,
                    "staff_ids": [cast["per"].id, cast["nils"].id],
                    "location": "Poliklinikken, rom 2",
                },
                referral_id=referral_id,
            )
        )["id"]
        await api(
            Role.NAV_COUNSELLOR,
            "PUT",
            "/referrals/{referral_id}/clarification",
            {"summary": "Arbeidsevne avklart.", "work_recommendations": "Gradert arbeid."},
            referral_id=referral_id,
        )
        await api(
            Role.NAV_COUNSELLOR,
            "POST",
            "/referrals/{referral_id}/onward-referrals",
            {
                "destination_type": "nav_work_measures",
                "destination_name": "NAV Bodø",
                "reason": "Arbeidsrettet oppfølging.",
            },
            referral_id=referral_id,
        )
    extra = await api(
        Role.COORDINATOR,
        "POST",
        "/referrals/{referral_id}/consultations",
        {
            "starts_at": next_weekday_at(14).isoformat(),
            "duration_minutes": 30,
            "staff_ids": [cast["frida"].id],
            "location": "Poliklinikken, rom 3",
        },
        referral_id=2,
    )
    await api(
        Role.COORDINATOR,
        "POST",
        "/referrals/{referral_id}/consultations/{consultation_id}/cancel",
        {"reason": "Pasienten ba om ny time."},
        referral_id=2,
        consultation_id=extra["id"],
    )
    await api(
        Role.COORDINATOR,
        "PUT",
        "/referrals/{referral_id}/responsible",
        {"staff_id": cast["per"].id},
        referral_id=2,
    )
    # The report waits until every consultation has an outcome, recorded once it has started.
    with pinned(next_weekday_at(8 + 3) + timedelta(hours=1)):
        await api(
            Role.COORDINATOR,
            "POST",
            "/referrals/{referral_id}/consultations/{consultation_id}/outcome",
            {"outcome": "held"},
            referral_id=3,
            consultation_id=booked[3],
        )
        await api(Role.PHYSICIAN, "POST", "/referrals/{referral_id}/report", {}, referral_id=3)
    await api(
        Role.GP, "POST", "/referrals/{referral_id}/withdraw", {"reason": "Bedre"}, referral_id=4
    )
    await api(
        Role.PSYCHOLOGIST,
        "POST",
        "/referrals/{referral_id}/assessment",
        {"decision": "more_information", "reason": "Hvilken behandling er prøvd?"},
        referral_id=5,
    )
    await api(
        Role.GP,
        "POST",
        "/referrals/{referral_id}/information",
        {"answer": "Fysioterapi i seks uker."},
        referral_id=5,
    )
    case = await api(Role.COORDINATOR, "GET", "/referrals/{referral_id}/case", referral_id=3)
    for document in case["documents"]:
        await api(
            Role.GP,
            "GET",
            "/referrals/{referral_id}/documents/{document_id}",
            referral_id=3,
            document_id=document["id"],
        )
    for path in ("", "/receipt.pdf", "/report.pdf"):
        await api(Role.GP, "GET", "/referrals/{referral_id}" + path, referral_id=3)
    await api(Role.GP, "GET", "/referrals")
    for path in ("/worklist", "/dashboard", "/statistics.csv"):
        await api(Role.COORDINATOR, "GET", "/clinic" + path)


async def _seed_company(cast: Cast, api: Api) -> None:
    """Enterprise 1 (Erik's) with programme 1: anchoring held and recorded with a goal, module 1
    requested by Erik and confirmed by Kari. Enterprise 2 with programme 2, cancelled."""
    area_id = await company.create_service_area(
        "Salten",
        "Nordland",
        company_track_from=date(2019, 1, 1),
        individual_track_from=date(2019, 1, 1),
    )
    enterprise = {
        "name": "Havnelager",
        "address": "Havnelagerveien 1, 8006 Bodø",
        "municipality": "Bodø",
        "service_area_id": area_id,
        "employee_count": 80,
    }
    await api(
        Role.COORDINATOR,
        "POST",
        "/enterprises",
        {**enterprise, "org_number": synthetic_org_number(11)},
    )
    await company.add_contact(1, cast["erik"].id)
    await api(
        Role.ADMIN,
        "POST",
        "/enterprises",
        {**enterprise, "name": "Fiskemottak", "org_number": synthetic_org_number(12)},
    )
    await api(Role.ENTERPRISE_CONTACT, "GET", "/enterprises/{enterprise_id}", enterprise_id=1)
    await api(
        Role.ENTERPRISE_CONTACT, "POST", "/enterprises/{enterprise_id}/programmes", enterprise_id=1
    )
    anchoring_at = working_day_at(14, 9)
    await api(
        Role.COORDINATOR,
        "POST",
        "/programmes/{programme_id}/sessions",
        {
            "kind": "anchoring",
            "starts_at": working_day_at(10, 9).isoformat(),
            "facilitator_ids": [cast["frida"].id, cast["nils"].id],
        },
        programme_id=1,
    )
    await api(
        Role.COORDINATOR,
        "POST",
        "/sessions/{session_id}/reschedule",
        {"starts_at": anchoring_at.isoformat()},
        session_id=1,
    )
    with pinned(anchoring_at + timedelta(hours=3)):
        await api(
            Role.PSYCHOLOGIST,
            "POST",
            "/programmes/{programme_id}/anchoring",
            {"participants": "Daglig leder, tillitsvalgt, verneombud"},
            programme_id=1,
        )
        await api(
            Role.COORDINATOR,
            "POST",
            "/programmes/{programme_id}/goals",
            {
                "description": "Redusere sykefraværet",
                "indicator": "Sykefravær",
                "baseline": 8.2,
                "target": 7.5,
                "unit": "%",
            },
            programme_id=1,
        )
        offered = await api(
            Role.ENTERPRISE_CONTACT,
            "GET",
            "/programmes/{programme_id}/slots",
            query={"kind": "module_1"},
            programme_id=1,
        )
        requested = await api(
            Role.ENTERPRISE_CONTACT,
            "POST",
            "/programmes/{programme_id}/sessions",
            {"kind": "module_1", "starts_at": offered["slots"][0]["starts_at"]},
            programme_id=1,
        )
        await api(
            Role.COORDINATOR,
            "POST",
            "/sessions/{session_id}/confirm",
            {"facilitator_ids": [cast["per"].id, cast["nils"].id]},
            session_id=requested["id"],
        )
    module_at = datetime.fromisoformat(offered["slots"][0]["starts_at"])
    with pinned(module_at + timedelta(hours=2)):
        await api(
            Role.NAV_COUNSELLOR,
            "POST",
            "/sessions/{session_id}/attendance",
            {"invited": 40, "attended": 31, "tasks": "Prøv øvelsene."},
            session_id=requested["id"],
        )
    await api(Role.ENTERPRISE_CONTACT, "GET", "/programmes/{programme_id}", programme_id=1)
    await api(Role.ENTERPRISE_CONTACT, "GET", "/programmes/{programme_id}/plan.pdf", programme_id=1)
    await api(Role.COORDINATOR, "POST", "/enterprises/{enterprise_id}/programmes", enterprise_id=2)
    session = await api(
        Role.COORDINATOR,
        "POST",
        "/programmes/{programme_id}/sessions",
        {
            "kind": "anchoring",
            "starts_at": working_day_at(21, 12).isoformat(),
            "facilitator_ids": [cast["per"].id, cast["nils"].id],
        },
        programme_id=2,
    )
    await api(
        Role.COORDINATOR,
        "POST",
        "/sessions/{session_id}/cancel",
        {"reason": "Flyttes til våren."},
        session_id=session["id"],
    )
    await api(
        Role.COORDINATOR,
        "POST",
        "/programmes/{programme_id}/cancel",
        {"reason": "Virksomheten trekker seg."},
        programme_id=2,
    )


async def _seed_calendar_feeds(api: Api) -> None:
    await api(Role.PSYCHOLOGIST, "POST", "/calendar-feeds", {"kind": "staff", "name": "Min"})
    await api(Role.ENTERPRISE_CONTACT, "POST", "/calendar-feeds", {"kind": "enterprise"})
    spare = await api(Role.COORDINATOR, "POST", "/calendar-feeds", {"kind": "clinic"})
    rotated = await api(
        Role.COORDINATOR, "POST", "/calendar-feeds/{feed_id}/rotate", feed_id=spare["id"]
    )
    await api(Role.COORDINATOR, "DELETE", "/calendar-feeds/{feed_id}", feed_id=rotated["id"])
    await api(Role.COORDINATOR, "GET", "/calendar-feeds")
