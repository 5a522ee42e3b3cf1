"""An installation from before clinics existed, migrated: its staff, referrals and messages all
belong to the first clinic afterwards (issue 15), on each engine. The migrations are applied in
two steps in a process of their own: up to just before clinics, then the rest."""

from __future__ import annotations

import os
import subprocess
import sys

from tests.core.test_migrations import empty_database_url  # noqa: F401 - fixture

SCRIPT = """
import asyncio
from datetime import UTC, datetime

from piccolo.apps.migrations.commands.forwards import run_forwards

from helseiarbeid.core import users
from helseiarbeid.core.database import insert_row
from helseiarbeid.core.roles import Role
from helseiarbeid.messaging.tables import HealthMessage
from helseiarbeid.referrals.schemas import Complaint, EmployerIn, PatientIn, ReferralCreate
from helseiarbeid.referrals.schemas import Urgency, WorkStatus
from helseiarbeid.referrals.services.submission import _referral_values
from helseiarbeid.referrals.tables import Patient, Referral


async def before_clinics() -> None:
    for app, last in (
        ("core", "all"),
        ("clinics", "2026-12-13T10:00:00:000000"),  # the tables, not yet the first clinic
        ("referrals", "2026-12-03T09:55:00:000000"),
        ("messaging", "2026-12-09T10:00:00:000000"),
    ):
        result = await run_forwards(app_name=app, migration_id=last)
        assert result.success, result.message
    kari = await users.create_user(
        email="kari@old.example", name="Kari", role=Role.COORDINATOR, password=None
    )
    gp = await users.create_user(
        email="gp@old.example", name="Anne", role=Role.GP, password=None, hpr_number="1234567"
    )
    now = datetime.now(UTC)
    data = ReferralCreate(
        patient=PatientIn(national_id="14838512470", name="Lise", address="Vei 1", phone="1"),
        employer=EmployerIn(name="AS"),
        occupation="Lager",
        work_status=WorkStatus.OTHER,
        complaint=Complaint.BOTH,
        description="Vondt",
        question="Hva?",
        urgency=Urgency.ROUTINE,
        consent_nav_participation=True,
    )
    values = _referral_values(gp, data, "web", now, 0)
    del values["clinic"]
    patient = await insert_row(Patient, {"national_id": "14838512470", "created_at": now})
    referral = await insert_row(Referral, {"patient": patient, **values})
    await insert_row(
        HealthMessage,
        {"direction": "in", "body_sha256": "0" * 64, "raw_xml": "<x/>", "received_at": now},
    )
    print(kari.id, referral)


async def the_rest() -> None:
    result = await run_forwards(app_name="all")
    assert result.success, result.message
    rows = await Referral.raw(
        "SELECT (SELECT COUNT(*) FROM clinic) AS clinics, "
        "(SELECT MIN(id) FROM clinic) AS first, "
        "(SELECT clinic FROM referral) AS referral_clinic, "
        "(SELECT clinic FROM health_message) AS message_clinic, "
        "(SELECT COUNT(*) FROM clinic_membership m JOIN app_user u ON u.id = m.member "
        " WHERE u.role = 'coordinator' AND m.clinic = (SELECT MIN(id) FROM clinic)) AS staff, "
        "(SELECT COUNT(*) FROM clinic_membership m JOIN app_user u ON u.id = m.member "
        " WHERE u.role = 'gp') AS gps"
    )
    print(dict(rows[0]))


asyncio.run(before_clinics())
asyncio.run(the_rest())
"""


def test_existing_staff_referrals_and_messages_go_to_the_first_clinic(
    empty_database_url: str,  # noqa: F811 - the fixture
) -> None:
    env = {
        **os.environ,
        "HELSEIARBEID_DATABASE_URL": empty_database_url,
        "HELSEIARBEID_CLINIC_NAME": "HelseIArbeid Bodø",
    }
    result = subprocess.run(
        [sys.executable, "-c", SCRIPT],
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    figures = result.stdout.strip().splitlines()[-1]
    assert "'clinics': 1" in figures, figures
    assert "'staff': 1" in figures, figures
    assert "'gps': 0" in figures, figures
    first = figures.split("'first': ")[1].split(",")[0]
    assert f"'referral_clinic': {first}," in figures, figures
    assert f"'message_clinic': {first}," in figures, figures
