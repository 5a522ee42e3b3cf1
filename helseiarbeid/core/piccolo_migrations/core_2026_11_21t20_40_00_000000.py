"""Make the audit log append-only in the database itself, on both engines."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine.sqlite import SQLiteEngine
from piccolo.table import Table

ID = "2026-11-21T20:40:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "audit log: refuse UPDATE and DELETE"

MESSAGE = "audit_event is append-only"


class RawTable(Table):
    pass


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="core", description=DESCRIPTION)

    async def run() -> None:
        if isinstance(RawTable._meta.db, SQLiteEngine):
            for operation in ("UPDATE", "DELETE"):
                await RawTable.raw(
                    f"CREATE TRIGGER audit_event_no_{operation.lower()} "
                    f"BEFORE {operation} ON audit_event "
                    f"BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END"
                )
            return
        await RawTable.raw(
            "CREATE FUNCTION audit_event_append_only() RETURNS trigger "
            "LANGUAGE plpgsql AS $$ BEGIN "
            f"RAISE EXCEPTION '{MESSAGE}'; "
            "END $$"
        )
        await RawTable.raw(
            "CREATE TRIGGER audit_event_no_change BEFORE UPDATE OR DELETE ON audit_event "
            "FOR EACH ROW EXECUTE FUNCTION audit_event_append_only()"
        )

    async def run_backwards() -> None:
        if isinstance(RawTable._meta.db, SQLiteEngine):
            await RawTable.raw("DROP TRIGGER IF EXISTS audit_event_no_update")
            await RawTable.raw("DROP TRIGGER IF EXISTS audit_event_no_delete")
            return
        await RawTable.raw("DROP TRIGGER IF EXISTS audit_event_no_change ON audit_event")
        await RawTable.raw("DROP FUNCTION IF EXISTS audit_event_append_only()")

    manager.add_raw(run)
    manager.add_raw_backwards(run_backwards)
    return manager
