"""Issue 15 §5–6, issue 16 §11: the national statistics role sees aggregates only — every
case, enterprise and programme route refuses it — and the page and CSV show suppressed figures
and each region's sick-leave outcome against the IA goal from 5 enterprises."""

from __future__ import annotations

import re
from datetime import timedelta

import httpx
import msgspec
from litestar.routes import HTTPRoute

from helseiarbeid.app import create_app
from helseiarbeid.clinics import services as clinics
from helseiarbeid.company_track.services.sick_leave import _ROW_FIELDS
from helseiarbeid.company_track.tables import Programme, SickLeaveSnapshot
from helseiarbeid.core.audit import AuditAction
from helseiarbeid.core.clock import utcnow
from helseiarbeid.core.identifiers import synthetic_org_number
from helseiarbeid.core.policy import policy_of
from helseiarbeid.core.roles import Role
from helseiarbeid.core.tables import AuditEvent
from helseiarbeid.regions import services as regions
from helseiarbeid.statistics import services as statistics
from tests.cast import Cast, bearer, default_clinic, sign_in
from tests.clinics.conftest import OtherClinic
from tests.company_track import factories
from tests.referrals.factories import referral_body

_PARAM = re.compile(r"\{\w+:\w+\}")


def _routes() -> list[tuple[str, str, frozenset[Role] | None, bool]]:
    found = []
    for route in create_app().routes:
        if not isinstance(route, HTTPRoute):
            continue
        for handler in route.route_handlers:
            policy = policy_of(handler)
            for method in handler.http_methods - {"OPTIONS", "HEAD"}:
                found.append(
                    (
                        method,
                        route.path,
                        policy.roles if policy else None,
                        bool(policy and policy.public),
                    )
                )
    return found


def test_the_statistics_role_reaches_no_route_with_an_id() -> None:
    """What the role may open at all: the statistics, and what every signed-in user has."""
    reachable = {
        (method, path)
        for method, path, roles, public in _routes()
        if not public and roles is not None and Role.STATISTICS in roles
    }
    assert ("GET", "/statistikk") in reachable
    assert ("GET", "/statistikk.csv") in reachable
    with_ids = {(m, p) for m, p in reachable if "{" in p}
    assert with_ids == set(), "the statistics role must never reach one case or enterprise"
    assert not any(
        p.startswith(
            (
                "/klinikk",
                "/henvisninger",
                "/bedrift",
                "/program",
                "/api/v1/referrals",
                "/api/v1/enterprises",
                "/api/v1/programmes",
            )
        )
        for _, p in reachable
    )


async def test_every_case_route_refuses_the_statistics_role(
    client: httpx.AsyncClient, cast: Cast
) -> None:
    await sign_in(client, cast["stine"])
    case_routes = [
        (method, path)
        for method, path, roles, public in _routes()
        if method == "GET" and not public and "{" in path
    ]
    assert any("referral_id" in path for _, path in case_routes)
    for method, path in case_routes:
        response = await client.request(method, _PARAM.sub("1", path))
        assert response.status_code == 403, (method, path, response.status_code)


async def _completed_programme(
    area_id: int, serial: int, municipality: str, before: int, after: int
) -> None:
    """A completed programme whose snapshots hold four quarters of 1000 possible days each
    with ``before`` and ``after`` lost days per quarter (so before/10 % and after/10 %)."""
    org = synthetic_org_number(serial)
    enterprise_id = await factories.enterprise(
        area_id, serial, f"Virksomhet {serial} AS", municipality=municipality
    )
    now = utcnow()
    rows = await Programme.insert(
        Programme(
            enterprise=enterprise_id,
            status="completed",
            requested_at=now - timedelta(days=400),
            anchored_at=now - timedelta(days=380),
            evaluated_at=now - timedelta(days=5),
            updated_at=now,
        )
    )
    for moment, lost, year in (("anchoring", before, 2024), ("evaluation", after, 2025)):
        figure_rows = [
            dict(
                zip(
                    _ROW_FIELDS,
                    ("VIRKSOMHET", org, year, quarter, 40, lost * 100, 1000 * 100),
                    strict=True,
                )
            )
            for quarter in (1, 2, 3, 4)
        ]
        enterprise = {"org_number": org, "industry": "", "sector": ""}
        await SickLeaveSnapshot.insert(
            SickLeaveSnapshot(
                programme=rows[0]["id"],
                moment=moment,
                taken_at=now,
                figures=msgspec.json.encode(
                    {"enterprise": enterprise, "rows": figure_rows}
                ).decode(),
            )
        )


async def test_outcomes_per_region_from_five_enterprises(
    client: httpx.AsyncClient, cast: Cast
) -> None:
    nordland = await regions.create_region("NAV Arbeidslivssenter Nordland")
    troms = await regions.create_region("NAV Arbeidslivssenter Troms og Finnmark")
    await regions.assign_municipality("Bodø", nordland)
    await regions.assign_municipality("Tromsø", troms)
    area_id = await factories.service_area()
    # Nordland: five enterprises from 80 to 70 lost days per 1000 (8.0 % → 7.0 %: −12.5 %).
    for serial in range(1, 6):
        await _completed_programme(area_id, serial, "Bodø", 80, 70)
    # Troms og Finnmark: four — too few to show.
    for serial in range(6, 10):
        await _completed_programme(area_id, serial, "Tromsø", 80, 79)
    figures = await statistics.national_statistics()
    by_region = {o.region: o for o in figures.outcomes}
    assert by_region["NAV Arbeidslivssenter Nordland"].enterprises == 5
    assert by_region["NAV Arbeidslivssenter Nordland"].before == "8,0 %"
    assert by_region["NAV Arbeidslivssenter Nordland"].after == "7,0 %"
    assert by_region["NAV Arbeidslivssenter Nordland"].change == "-12,5 %"
    assert by_region["NAV Arbeidslivssenter Nordland"].meets_goal == "Ja"
    troms_row = by_region["NAV Arbeidslivssenter Troms og Finnmark"]
    assert troms_row.enterprises == "<5"
    assert (troms_row.before, troms_row.change, troms_row.meets_goal) == ("–", "–", "–")
    # The completed programmes count per region and month, suppressed (5 shown, 4 «<5»).
    completed = next(t for t in figures.company_tables if t.key == "program_fullfort")
    assert "NAV Arbeidslivssenter Nordland" in completed.columns
    assert completed.table.total == 9
    await sign_in(client, cast["stine"])
    page = await client.get("/statistikk")
    assert page.status_code == 200
    assert "-12,5 %" in page.text
    assert "Virksomhet 1 AS" not in page.text
    export = await client.get("/statistikk.csv")
    assert export.status_code == 200
    assert export.content.startswith(b"\xef\xbb\xbf")
    text = export.content.decode("utf-8-sig")
    assert "Resultater;Endring i sykefravær;NAV Arbeidslivssenter Nordland;Endring;-12,5 %" in text
    assert "Virksomhet" not in text.replace("Virksomheter", "")
    logged = await AuditEvent.select().where(
        (AuditEvent.action == AuditAction.EXPORT.value) & (AuditEvent.actor == cast["stine"].id)
    )
    assert len(logged) == 1


async def test_the_individual_track_per_clinic(
    client: httpx.AsyncClient, cast: Cast, other_clinic: OtherClinic
) -> None:
    first = (await clinics.clinic_names())[await default_clinic()]
    headers = await bearer(cast["gp_anne"])
    for n in range(7):
        body = referral_body(
            clinic=other_clinic.slug if n < 6 else first[0], **{"patient.municipality": "5601"}
        )
        assert (
            await client.post("/api/v1/referrals", json=body, headers=headers)
        ).status_code == 201
    figures = await statistics.national_statistics()
    per_clinic = next(t for t in figures.individual_tables if t.key == "henvisninger_klinikk")
    totals = dict(zip(per_clinic.columns, per_clinic.table.column_totals, strict=True))
    # 1 of 7 in the first clinic is «<5»; Finnmark's 6 would give it away from the total 7,
    # so it is hidden too («x»).
    assert totals == {"HelseIArbeid Finnmark": "x", first[1]: "<5"}
    assert per_clinic.table.total == 7
    received = next(t for t in figures.individual_tables if t.key == "henvisninger")
    assert received.table.total == 7
    # No clinic's own tables: beside the national ones they would undo the suppression.
    await sign_in(client, cast["stine"])
    page = await client.get("/statistikk")
    assert page.status_code == 200
    assert "Henvisninger mottatt per klinikk (alle klinikker)" in page.text
    assert 'name="klinikk"' not in page.text
