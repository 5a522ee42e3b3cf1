"""API tokens made before tokens expired get a year from their creation."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine.sqlite import SQLiteEngine
from piccolo.table import Table

ID = "2026-11-30T07:30:01:000000"
VERSION = "1.38.0"
DESCRIPTION = "api_token.expires_at for earlier tokens"


class RawTable(Table):
    pass


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="core", description=DESCRIPTION)

    async def backfill() -> None:
        if isinstance(RawTable._meta.db, SQLiteEngine):
            await RawTable.raw(
                "UPDATE api_token SET expires_at = strftime('%Y-%m-%d %H:%M:%f', created_at, "
                "'+365 days') || '+00:00' WHERE expires_at IS NULL"
            )
            return
        await RawTable.raw(
            "UPDATE api_token SET expires_at = created_at + interval '365 days' "
            "WHERE expires_at IS NULL"
        )

    manager.add_raw(backfill)
    return manager
