"""Second factor: TOTP authenticators, recovery codes and logins waiting for their code."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.base import OnDelete, OnUpdate
from piccolo.columns.column_types import (
    Boolean,
    ForeignKey,
    Integer,
    Serial,
    Timestamptz,
    Varchar,
)
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


ID = "2026-12-02T08:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "second factor (TOTP), recovery codes, pending logins"


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


def _user(**overrides):
    return _params(
        references=User,
        on_delete=OnDelete.cascade,
        on_update=OnUpdate.cascade,
        target_column=None,
        null=True,
        index=True,
        **overrides,
    )


_NOW = TimestamptzNow()
TABLES = {
    ("SecondFactor", "second_factor"): [
        ("user", ForeignKey, _user(unique=True)),
        ("secret", Varchar, _params(default="", length=200)),
        ("enrolled_at", Timestamptz, _params(default=_NOW)),
        ("last_used_step", Integer, _params(default=None, null=True)),
        ("demo", Boolean, _params(default=False)),
    ],
    ("RecoveryCode", "recovery_code"): [
        ("user", ForeignKey, _user()),
        ("code_hash", Varchar, _params(default="", length=64, index=True)),
        ("used_at", Timestamptz, _params(default=None, null=True)),
    ],
    ("PendingLogin", "pending_login"): [
        ("ticket_hash", Varchar, _params(default="", length=64, unique=True, index=True)),
        ("user", ForeignKey, _user()),
        ("next_path", Varchar, _params(default="/", length=500)),
        ("new_secret", Varchar, _params(default="", length=200)),
        ("expires_at", Timestamptz, _params(default=_NOW, index=True)),
    ],
}


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="core", description=DESCRIPTION)
    for (class_name, tablename), columns in TABLES.items():
        manager.add_table(class_name=class_name, tablename=tablename, schema=None, columns=None)
        for name, column_class, params in columns:
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
