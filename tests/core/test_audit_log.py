"""The access log: health-data reads are recorded, rows cannot change, admins can search."""

from __future__ import annotations

import asyncpg
import httpx
import pytest

from helseiarbeid.core import audit
from helseiarbeid.core.audit import AuditAction, AuditFilter
from helseiarbeid.core.database import is_sqlite
from helseiarbeid.core.tables import AuditEvent
from tests import engines
from tests.cast import Cast, bearer, sign_in


async def _record_read(actor_id: int, role: str, patient_id: int) -> None:
    await audit.record(
        audit.Actor(user_id=actor_id, role=role),
        AuditAction.READ,
        "referral",
        patient_id * 10,
        purpose="vurdering av henvisning",
        patient_id=patient_id,
        referral_id=patient_id * 10,
    )


async def test_reading_who_has_seen_a_patient_is_itself_recorded(cast: Cast) -> None:
    await _record_read(cast["per"].id, "psychologist", 7)
    await _record_read(cast["frida"].id, "physician", 7)
    await _record_read(cast["per"].id, "psychologist", 7)
    before = await AuditEvent.count()
    report = await audit.patient_report(7, audit.Actor(user_id=cast["ada"].id, role="admin"))
    assert {summary.actor_name for summary in report} == {"Per Psykolog", "Frida Fysikalsk"}
    rows = await AuditEvent.select().where(AuditEvent.actor == cast["ada"].id)
    assert await AuditEvent.count() == before + 1
    assert len(rows) == 1
    assert rows[0]["action"] == "read"
    assert rows[0]["patient_id"] == 7
    assert rows[0]["actor_role"] == "admin"
    assert rows[0]["resource_type"] == "access_log"


async def test_patient_report_groups_accesses_per_person(cast: Cast) -> None:
    await _record_read(cast["per"].id, "psychologist", 3)
    await _record_read(cast["per"].id, "psychologist", 3)
    await _record_read(cast["nils"].id, "nav_counsellor", 3)
    await _record_read(cast["nils"].id, "nav_counsellor", 4)
    report = await audit.patient_report(3, audit.Actor(user_id=cast["ada"].id, role="admin"))
    counts = {summary.actor_name: summary.accesses for summary in report}
    assert counts == {"Per Psykolog": 2, "Nils NAV": 1}


async def test_audit_rows_cannot_be_changed_or_deleted(cast: Cast) -> None:
    await _record_read(cast["per"].id, "psychologist", 1)
    # SQLite: the triggers refuse. PostgreSQL: the service role has no UPDATE/DELETE on the log,
    # and the triggers stop even the tables' owner.
    refused = "append-only" if is_sqlite() else "permission denied"
    with pytest.raises(Exception, match=refused):
        await AuditEvent.update({AuditEvent.purpose: "skjult"}).where(AuditEvent.patient_id == 1)
    with pytest.raises(Exception, match=refused):
        await AuditEvent.delete().where(AuditEvent.patient_id == 1)
    if not is_sqlite():
        owner = await asyncpg.connect(engines.owner_url())
        try:
            for statement in (
                "UPDATE audit_event SET purpose = 'skjult'",
                "DELETE FROM audit_event",
            ):
                with pytest.raises(asyncpg.exceptions.RaiseError, match="append-only"):
                    await owner.execute(statement)
        finally:
            await owner.close()
    rows = await AuditEvent.select(AuditEvent.purpose)
    assert [row["purpose"] for row in rows] == ["vurdering av henvisning"]


async def test_search_filters_by_actor_patient_and_action(cast: Cast) -> None:
    await _record_read(cast["per"].id, "psychologist", 1)
    await _record_read(cast["frida"].id, "physician", 1)
    await _record_read(cast["frida"].id, "physician", 2)
    by_frida = await audit.search(AuditFilter(actor_id=cast["frida"].id))
    assert {row.patient_id for row in by_frida} == {1, 2}
    patient_one = await audit.search(AuditFilter(patient_id=1))
    assert [row.actor_name for row in patient_one] == ["Frida Fysikalsk", "Per Psykolog"]
    assert await audit.search(AuditFilter(action=AuditAction.UPDATE)) == []


async def test_admin_page_lists_and_pages_the_log(client: httpx.AsyncClient, cast: Cast) -> None:
    for patient in range(1, 56):
        await _record_read(cast["per"].id, "psychologist", patient)
    await sign_in(client, cast["ada"])
    first = await client.get("/admin/audit")
    assert first.status_code == 200
    assert "Neste side" in first.text
    second = await client.get("/admin/audit?page=2")
    assert "Forrige side" in second.text
    assert "Neste side" not in second.text
    filtered = await client.get(f"/admin/audit?actor={cast['per'].id}&patient=12")
    assert filtered.text.count('href="/admin/audit/patients/12"') == 1


async def test_audit_api_for_admins(client: httpx.AsyncClient, cast: Cast) -> None:
    await _record_read(cast["per"].id, "psychologist", 5)
    response = await client.get("/api/v1/audit-events?patient=5", headers=await bearer(cast["ada"]))
    assert response.status_code == 200
    items = response.json()["items"]
    assert len(items) == 1
    assert items[0]["actor_name"] == "Per Psykolog"
    assert items[0]["purpose"] == "vurdering av henvisning"


async def test_bad_filter_values_are_named(client: httpx.AsyncClient, cast: Cast) -> None:
    response = await client.get(
        "/api/v1/audit-events?patient=abc", headers=await bearer(cast["ada"])
    )
    assert response.status_code == 422
    assert "patient" in response.json()["errors"]
