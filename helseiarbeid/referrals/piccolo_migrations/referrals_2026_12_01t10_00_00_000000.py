"""The patient's consent to NAV taking part as a state with a history, who is on a case, and
clinicians' recorded reasons to open a case outside the open queue (issue 12 §4)."""

from typing import Any

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.base import OnDelete, OnUpdate
from piccolo.columns.column_types import Date, ForeignKey, Serial, Text, Timestamptz, Varchar
from piccolo.columns.indexes import IndexMethod
from piccolo.table import Table

ID = "2026-12-01T10:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "referrals: NAV consent events, case members, reasoned access"


class Referral(Table, tablename="referral", schema=None):
    id = Serial(primary_key=True, db_column_name="id")


class User(Table, tablename="app_user", schema=None):
    id = Serial(primary_key=True, db_column_name="id")


def _params(**given: Any) -> dict[str, Any]:
    return {
        "default": None,
        "null": False,
        "primary_key": False,
        "unique": False,
        "index": False,
        "index_method": IndexMethod.btree,
        "choices": None,
        "db_column_name": None,
        "secret": False,
        **given,
    }


def _foreign_key(references: type[Table], on_delete: OnDelete, null: bool) -> dict[str, Any]:
    return _params(
        references=references,
        on_delete=on_delete,
        on_update=OnUpdate.cascade,
        target_column=None,
        null=null,
        index=True,
    )


TABLES: dict[str, tuple[str, list[tuple[str, type, dict[str, Any]]]]] = {
    "NavConsentEvent": (
        "referral_nav_consent_event",
        [
            ("referral", ForeignKey, _foreign_key(Referral, OnDelete.cascade, True)),
            ("state", Varchar, _params(length=16, default="")),
            ("effective_on", Date, _params()),
            ("source", Varchar, _params(length=16, default="")),
            ("note", Text, _params(default="")),
            ("recorded_by", ForeignKey, _foreign_key(User, OnDelete.restrict, True)),
            ("recorded_at", Timestamptz, _params()),
        ],
    ),
    "CaseMember": (
        "referral_case_member",
        [
            ("referral", ForeignKey, _foreign_key(Referral, OnDelete.cascade, True)),
            ("member", ForeignKey, _foreign_key(User, OnDelete.cascade, True)),
            ("since", Timestamptz, _params()),
        ],
    ),
    "ReasonedAccess": (
        "referral_reasoned_access",
        [
            ("referral", ForeignKey, _foreign_key(Referral, OnDelete.cascade, True)),
            ("member", ForeignKey, _foreign_key(User, OnDelete.cascade, True)),
            ("reason", Text, _params(default="")),
            ("granted_at", Timestamptz, _params()),
            ("expires_at", Timestamptz, _params(index=True)),
        ],
    ),
}


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="referrals", description=DESCRIPTION)
    for class_name, (tablename, columns) in TABLES.items():
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
    manager.add_column(
        table_class_name="Referral",
        tablename="referral",
        column_name="nav_consent",
        db_column_name="nav_consent",
        column_class_name="Varchar",
        column_class=Varchar,
        params=_params(length=16, default="not_recorded"),
        schema=None,
    )
    return manager
