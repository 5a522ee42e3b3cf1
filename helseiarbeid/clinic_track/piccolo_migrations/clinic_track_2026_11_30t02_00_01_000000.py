"""Consultations cancelled before outcomes existed get the outcome «cancelled», so the report
does not wait for them. Runs after the columns are added (Piccolo runs a migration's raw
steps before its column changes)."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.table import Table

ID = "2026-11-30T02:00:01:000000"
VERSION = "1.38.0"
DESCRIPTION = "consultations: cancelled ones get the outcome «cancelled»"


class RawTable(Table):
    pass


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="clinic_track", description=DESCRIPTION)

    async def backfill() -> None:
        await RawTable.raw(
            "UPDATE consultation SET outcome = 'cancelled', outcome_recorded_at = cancelled_at "
            "WHERE cancelled_at IS NOT NULL"
        )

    manager.add_raw(backfill)
    return manager
