"""A sent health message's place in the outbox (``health_message.outbox_message``), so the
«Meldinger» page shows whether it has left."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.table import Table

ID = "2026-12-09T10:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "messaging: sent messages point at their outbox row"


class RawTable(Table):
    pass


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="messaging", description=DESCRIPTION)

    async def add() -> None:
        await RawTable.raw(
            "ALTER TABLE health_message ADD COLUMN outbox_message INTEGER NULL "
            "REFERENCES outbox_message (id) ON DELETE SET NULL"
        )
        await RawTable.raw(
            "CREATE INDEX health_message_outbox_message ON health_message (outbox_message)"
        )

    async def drop() -> None:
        await RawTable.raw("DROP INDEX IF EXISTS health_message_outbox_message")
        await RawTable.raw("ALTER TABLE health_message DROP COLUMN outbox_message")

    manager.add_raw(add)
    manager.add_raw_backwards(drop)
    return manager
