"""The message server's side of a health message: its id there (``server_id``, a GUID), when
our AppRec for a received one was handed to it (``apprec_sent_at``), and which sent message a
«send igjen» copy replaces (``replaces``)."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.table import Table

ID = "2026-12-11T10:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "messaging: message-server ids, AppRec handed over, resent copies"


class RawTable(Table):
    pass


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="messaging", description=DESCRIPTION)

    async def add() -> None:
        await RawTable.raw(
            "ALTER TABLE health_message ADD COLUMN server_id VARCHAR(40) NOT NULL DEFAULT ''"
        )
        await RawTable.raw("ALTER TABLE health_message ADD COLUMN apprec_sent_at TIMESTAMPTZ NULL")
        await RawTable.raw(
            "ALTER TABLE health_message ADD COLUMN replaces INTEGER NULL "
            "REFERENCES health_message (id) ON DELETE SET NULL"
        )
        await RawTable.raw("CREATE INDEX health_message_server_id ON health_message (server_id)")
        await RawTable.raw(
            "CREATE UNIQUE INDEX health_message_replaces ON health_message (replaces)"
        )

    async def drop() -> None:
        await RawTable.raw("DROP INDEX IF EXISTS health_message_replaces")
        await RawTable.raw("DROP INDEX IF EXISTS health_message_server_id")
        await RawTable.raw("ALTER TABLE health_message DROP COLUMN replaces")
        await RawTable.raw("ALTER TABLE health_message DROP COLUMN apprec_sent_at")
        await RawTable.raw("ALTER TABLE health_message DROP COLUMN server_id")

    manager.add_raw(add)
    manager.add_raw_backwards(drop)
    return manager
