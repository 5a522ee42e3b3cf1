"""A health message belongs to a clinic (issue 15 §1): the one owning the HER-id it was sent
to, also when it was refused before a referral existed. Existing messages go to the first
clinic."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.table import Table

ID = "2026-12-13T10:00:03:000000"
VERSION = "1.38.0"
DESCRIPTION = "messaging: health_message.clinic"


class RawTable(Table):
    pass


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="messaging", description=DESCRIPTION)

    async def add() -> None:
        await RawTable.raw(
            "ALTER TABLE health_message ADD COLUMN clinic INTEGER NULL "
            "REFERENCES clinic (id) ON DELETE RESTRICT"
        )
        await RawTable.raw("UPDATE health_message SET clinic = (SELECT MIN(id) FROM clinic)")
        await RawTable.raw("CREATE INDEX health_message_clinic ON health_message (clinic)")

    async def drop() -> None:
        await RawTable.raw("DROP INDEX IF EXISTS health_message_clinic")
        await RawTable.raw("ALTER TABLE health_message DROP COLUMN clinic")

    manager.add_raw(add)
    manager.add_raw_backwards(drop)
    return manager
