"""The audit log's hash chain: columns, and the head row writers lock."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import Integer, Varchar
from piccolo.columns.indexes import IndexMethod

ID = "2026-11-30T07:50:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "audit_event hash chain"


def _params(**overrides: object) -> dict[str, object]:
    params: dict[str, object] = {
        "null": False,
        "primary_key": False,
        "unique": False,
        "index": False,
        "index_method": IndexMethod.btree,
        "choices": None,
        "db_column_name": None,
        "secret": False,
    }
    params.update(overrides)
    return params


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="core", description=DESCRIPTION)
    manager.add_table(
        class_name="AuditChainHead", tablename="audit_chain_head", schema=None, columns=None
    )
    columns = [
        (
            "AuditEvent",
            "audit_event",
            "chain_seq",
            Integer,
            _params(null=True, default=None, index=True),
        ),
        ("AuditEvent", "audit_event", "prev_hash", Varchar, _params(length=64, default="")),
        ("AuditEvent", "audit_event", "chain_hash", Varchar, _params(length=64, default="")),
        ("AuditChainHead", "audit_chain_head", "seq", Integer, _params(default=0)),
        ("AuditChainHead", "audit_chain_head", "hash", Varchar, _params(length=64, default="")),
    ]
    for class_name, tablename, name, column_class, params in columns:
        manager.add_column(
            table_class_name=class_name,
            tablename=tablename,
            column_name=name,
            db_column_name=name,
            column_class_name=column_class.__name__,
            column_class=column_class,
            params=params,
            schema=None,
        )
    return manager
