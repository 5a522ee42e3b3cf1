"""A user's HER-id (the national address register's id for a health professional), so a GP
registered from a received message is found by it when the next one arrives."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.table import Table

ID = "2026-12-03T09:50:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "core: HER-id of users"


class RawTable(Table):
    pass


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="core", description=DESCRIPTION)

    async def add() -> None:
        await RawTable.raw("ALTER TABLE app_user ADD COLUMN her_id VARCHAR(16) NULL")
        await RawTable.raw("CREATE INDEX app_user_her_id ON app_user (her_id)")

    async def drop() -> None:
        await RawTable.raw("DROP INDEX IF EXISTS app_user_her_id")
        await RawTable.raw("ALTER TABLE app_user DROP COLUMN her_id")

    manager.add_raw(add)
    manager.add_raw_backwards(drop)
    return manager
