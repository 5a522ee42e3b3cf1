"""Every referral belongs to a clinic (issue 15 §1): ``referral.clinic``, existing referrals
given to the first clinic (clinics' migration made it from the settings), and indexes for the
team's worklist per clinic (status and deadline, responsible person)."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.table import Table

ID = "2026-12-13T10:00:02:000000"
VERSION = "1.38.0"
DESCRIPTION = "referrals: referral.clinic, backfilled to the first clinic; per-clinic indexes"


class RawTable(Table):
    pass


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="referrals", description=DESCRIPTION)

    async def add() -> None:
        await RawTable.raw(
            "ALTER TABLE referral ADD COLUMN clinic INTEGER NULL "
            "REFERENCES clinic (id) ON DELETE RESTRICT"
        )
        await RawTable.raw("UPDATE referral SET clinic = (SELECT MIN(id) FROM clinic)")
        await RawTable.raw("CREATE INDEX referral_clinic ON referral (clinic)")
        await RawTable.raw(
            "CREATE INDEX referral_clinic_worklist ON referral (clinic, status, assessment_due)"
        )
        await RawTable.raw(
            "CREATE INDEX referral_clinic_responsible ON referral (clinic, responsible)"
        )
        await RawTable.raw(
            "CREATE INDEX referral_clinic_received ON referral (clinic, received_on)"
        )

    async def drop() -> None:
        for name in (
            "referral_clinic_received",
            "referral_clinic_responsible",
            "referral_clinic_worklist",
            "referral_clinic",
        ):
            await RawTable.raw(f"DROP INDEX IF EXISTS {name}")
        await RawTable.raw("ALTER TABLE referral DROP COLUMN clinic")

    manager.add_raw(add)
    manager.add_raw_backwards(drop)
    return manager
