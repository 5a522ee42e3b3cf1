"""The audit chain: earlier rows chained in id order; on PostgreSQL a trigger chains every new
row and TRUNCATE is refused like UPDATE and DELETE."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine.sqlite import SQLiteEngine
from piccolo.table import Table

ID = "2026-11-30T07:50:01:000000"
VERSION = "1.38.0"
DESCRIPTION = "audit_event: chain earlier rows, chain trigger, no TRUNCATE"


class RawTable(Table):
    pass


async def forwards() -> MigrationManager:
    from helseiarbeid.core.audit_chain import FIELDS, POSTGRES_CHAIN_SQL, row_hash
    from helseiarbeid.core.tables import AuditEvent

    manager = MigrationManager(migration_id=ID, app_name="core", description=DESCRIPTION)

    async def run() -> None:
        sqlite = isinstance(RawTable._meta.db, SQLiteEngine)
        if sqlite:
            await RawTable.raw("DROP TRIGGER IF EXISTS audit_event_no_update")
        else:
            await RawTable.raw("ALTER TABLE audit_event DISABLE TRIGGER audit_event_no_change")
        previous, seq = "", 0
        columns = [AuditEvent.id, *(getattr(AuditEvent, f) for f in FIELDS if f != "chain_seq")]
        for row in await AuditEvent.select(*columns).order_by(AuditEvent.id):
            seq += 1
            linked = {**row, "chain_seq": seq, "prev_hash": previous}
            previous = row_hash(linked)
            await RawTable.raw(
                "UPDATE audit_event SET chain_seq = {}, prev_hash = {}, chain_hash = {} "
                "WHERE id = {}",
                seq,
                linked["prev_hash"],
                previous,
                row["id"],
            )
        await RawTable.raw(
            "INSERT INTO audit_chain_head (id, seq, hash) VALUES (1, {}, {})", seq, previous
        )
        if sqlite:
            await RawTable.raw(
                "CREATE TRIGGER audit_event_no_update BEFORE UPDATE ON audit_event "
                "BEGIN SELECT RAISE(ABORT, 'audit_event is append-only'); END"
            )
            return
        await RawTable.raw("ALTER TABLE audit_event ENABLE TRIGGER audit_event_no_change")
        await RawTable.raw(POSTGRES_CHAIN_SQL)
        await RawTable.raw(
            "CREATE TRIGGER audit_event_chain BEFORE INSERT ON audit_event "
            "FOR EACH ROW EXECUTE FUNCTION audit_event_chain()"
        )
        await RawTable.raw(
            "CREATE TRIGGER audit_event_no_truncate BEFORE TRUNCATE ON audit_event "
            "FOR EACH STATEMENT EXECUTE FUNCTION audit_event_append_only()"
        )

    manager.add_raw(run)
    return manager
