"""What a referral received as a health message still lacks (employer, occupation, work status,
consent to NAV's part): a comma-separated list of field names, empty for a complete referral."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.table import Table

ID = "2026-12-03T09:55:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "referrals: fields to be completed"


class RawTable(Table):
    pass


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="referrals", description=DESCRIPTION)

    async def add() -> None:
        await RawTable.raw(
            "ALTER TABLE referral ADD COLUMN to_complete VARCHAR(200) NOT NULL DEFAULT ''"
        )

    async def drop() -> None:
        await RawTable.raw("ALTER TABLE referral DROP COLUMN to_complete")

    manager.add_raw(add)
    manager.add_raw_backwards(drop)
    return manager
