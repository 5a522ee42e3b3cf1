"""The outbox: what leaves the service, stored with the change that caused it."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import Integer, Text, Timestamptz, Varchar
from piccolo.columns.indexes import IndexMethod

ID = "2026-11-30T07:40:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "outbox_message"


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
        class_name="OutboxMessage", tablename="outbox_message", schema=None, columns=None
    )
    columns = [
        ("channel", Varchar, _params(length=16, default="")),
        ("recipients", Text, _params(default="")),
        ("subject", Varchar, _params(length=300, default="")),
        ("body", Text, _params(default="")),
        ("created_at", Timestamptz, _params()),
        ("attempts", Integer, _params(default=0)),
        ("next_attempt_at", Timestamptz, _params(index=True)),
        ("last_error", Varchar, _params(length=300, default="")),
        ("delivered_at", Timestamptz, _params(null=True, default=None, index=True)),
        ("failed_at", Timestamptz, _params(null=True, default=None, index=True)),
    ]
    for name, column_class, params in columns:
        manager.add_column(
            table_class_name="OutboxMessage",
            tablename="outbox_message",
            column_name=name,
            db_column_name=name,
            column_class_name=column_class.__name__,
            column_class=column_class,
            params=params,
            schema=None,
        )
    return manager
