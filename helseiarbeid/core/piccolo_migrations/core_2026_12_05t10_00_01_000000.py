"""No two users with the same national-identity hash (a separate migration: it needs the column
the previous one adds, and SQLite cannot add a UNIQUE column)."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.table import Table

ID = "2026-12-05T10:00:01:000000"
VERSION = "1.38.0"
DESCRIPTION = "app_user.pid_hash unique"


class RawTable(Table):
    pass


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="core", description=DESCRIPTION)

    async def unique_pid_hash() -> None:
        await RawTable.raw("CREATE UNIQUE INDEX app_user_pid_hash_unique ON app_user (pid_hash)")

    manager.add_raw(unique_pid_hash)
    return manager
