from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.base import OnDelete, OnUpdate
from piccolo.columns.column_types import ForeignKey, Serial, Text, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.columns.indexes import IndexMethod
from piccolo.table import Table


class User(Table, tablename="app_user", schema=None):
    id = Serial(
        null=False,
        primary_key=True,
        unique=False,
        index=False,
        index_method=IndexMethod.btree,
        choices=None,
        db_column_name="id",
        secret=False,
    )


ID = "2026-11-30T07:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "forms kept over an expired session"


def _params(**overrides):
    params = {
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


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="core", description=DESCRIPTION)

    manager.add_table(class_name="KeptForm", tablename="kept_form", schema=None, columns=None)

    columns = [
        (
            "ticket_hash",
            "Varchar",
            Varchar,
            _params(default="", length=64, unique=True, index=True),
        ),
        (
            "user",
            "ForeignKey",
            ForeignKey,
            _params(
                references=User,
                on_delete=OnDelete.cascade,
                on_update=OnUpdate.cascade,
                target_column=None,
                null=True,
                index=True,
            ),
        ),
        ("path", "Varchar", Varchar, _params(default="", length=500)),
        ("action", "Varchar", Varchar, _params(default="", length=500)),
        ("fields", "Text", Text, _params(default="")),
        ("expires_at", "Timestamptz", Timestamptz, _params(default=TimestamptzNow(), index=True)),
    ]
    for name, class_name, column_class, params in columns:
        manager.add_column(
            table_class_name="KeptForm",
            tablename="kept_form",
            column_name=name,
            db_column_name=name,
            column_class_name=class_name,
            column_class=column_class,
            params=params,
            schema=None,
        )

    return manager
