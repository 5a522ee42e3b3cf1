"""The access-log pages speak Norwegian and name the patient (issue 10, item 11)."""

from __future__ import annotations

import re
from typing import Any

import httpx

from helseiarbeid.core import audit
from helseiarbeid.core.audit import AuditAction
from helseiarbeid.core.tables import AuditEvent
from helseiarbeid.referrals.tables import Referral
from tests.cast import Cast, bearer, sign_in
from tests.referrals.factories import PATIENT_ID

CODES = ("gp", "nav_counsellor", "psychologist", "read", "create", "update", "in_progress")


def _cells(html: str) -> list[str]:
    return [re.sub(r"<[^>]+>", "", cell).strip() for cell in re.findall(r"<td>(.*?)</td>", html)]


async def _patient_of(referral: dict[str, Any]) -> int:
    row = await Referral.select(Referral.patient).where(Referral.id == referral["id"]).first()
    assert row is not None
    return int(row["patient"])


async def _status_changed_by_nils(referral_id: int, patient_id: int, nils: int) -> None:
    await audit.record(
        audit.Actor(user_id=nils, role="nav_counsellor"),
        AuditAction.UPDATE,
        "referral_status",
        referral_id,
        purpose="status endret til in_progress",
        patient_id=patient_id,
        referral_id=referral_id,
    )


async def test_patient_report_names_the_patient_in_norwegian_with_links(
    client: httpx.AsyncClient, cast: Cast, annes_referral: dict[str, Any]
) -> None:
    patient = await _patient_of(annes_referral)
    await _status_changed_by_nils(annes_referral["id"], patient, cast["nils"].id)
    await sign_in(client, cast["ada"])

    response = await client.get(f"/admin/audit/patients/{patient}")

    assert response.status_code == 200
    html = response.text
    assert "Hvem har sett opplysningene til Lise Lyngstad" in html
    assert f"Fødselsnummer {PATIENT_ID[:6]}*****" in html
    assert PATIENT_ID not in html
    assert f"pasient {patient}" not in html.lower()
    cells = _cells(html)
    assert {"Fastlege", "NAV-veileder"} <= set(cells)
    assert not set(CODES) & set(cells)
    nils, referral = cast["nils"].id, annes_referral["id"]
    assert f'href="/admin/audit?patient={patient}&amp;actor={nils}&amp;referral={referral}"' in html
    assert f"Henvisning {annes_referral['id']}: Status på henvisning" in html


async def test_reading_the_patients_name_is_recorded(
    client: httpx.AsyncClient, cast: Cast, annes_referral: dict[str, Any]
) -> None:
    patient = await _patient_of(annes_referral)
    await sign_in(client, cast["ada"])
    assert (await client.get(f"/admin/audit/patients/{patient}")).status_code == 200
    rows = await AuditEvent.select(AuditEvent.resource_type, AuditEvent.patient_id).where(
        AuditEvent.actor == cast["ada"].id
    )
    assert sorted(row["resource_type"] for row in rows) == ["access_log", "patient"]
    assert {row["patient_id"] for row in rows} == {patient}


async def test_an_unknown_patient_has_no_report(client: httpx.AsyncClient, cast: Cast) -> None:
    await sign_in(client, cast["ada"])
    assert (await client.get("/admin/audit/patients/999")).status_code == 404
    assert await AuditEvent.count() == 0


async def test_access_log_shows_roles_actions_and_statuses_in_norwegian(
    client: httpx.AsyncClient, cast: Cast, annes_referral: dict[str, Any]
) -> None:
    patient = await _patient_of(annes_referral)
    await _status_changed_by_nils(annes_referral["id"], patient, cast["nils"].id)
    staff = await bearer(cast["per"])
    assert (
        await client.get(f"/api/v1/referrals/{annes_referral['id']}", headers=staff)
    ).status_code == 200
    await sign_in(client, cast["ada"])

    html = (await client.get("/admin/audit")).text

    cells = _cells(html)
    assert {"Fastlege", "NAV-veileder", "Psykolog"} <= set(cells)
    assert {"Lest", "Opprettet", "Endret"} <= set(cells)
    assert "status endret til «under utredning»" in cells
    assert not any(code in cell.split() for cell in cells for code in CODES)
    assert "in_progress" not in html
    referral = annes_referral["id"]
    assert f'<a href="/admin/audit?referral={referral}">Henvisning {referral}</a>' in html
    assert f"Status på henvisning, henvisning {annes_referral['id']}</a>" in html
    assert f'<a href="/admin/audit/patients/{patient}">Pasient {patient}' in html
