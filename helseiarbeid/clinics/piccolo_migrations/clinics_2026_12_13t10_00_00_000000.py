"""Clinics, their HER-ids, the municipalities they serve and their staff (issue 15 §1)."""

from typing import Any

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.base import OnDelete, OnUpdate
from piccolo.columns.column_types import ForeignKey, Serial, Timestamptz, Varchar
from piccolo.columns.indexes import IndexMethod
from piccolo.table import Table

ID = "2026-12-13T10:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "clinics: clinic, clinic_her_id, clinic_municipality, clinic_membership"


class Clinic(Table, tablename="clinic", schema=None):
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


def _foreign_key(references: type[Table]) -> dict[str, Any]:
    return _params(
        references=references,
        on_delete=OnDelete.cascade,
        on_update=OnUpdate.cascade,
        target_column=None,
        null=True,
        index=True,
    )


TABLES: dict[str, tuple[str, list[tuple[str, type, dict[str, Any]]]]] = {
    "Clinic": (
        "clinic",
        [
            ("name", Varchar, _params(length=200, default="", unique=True)),
            ("slug", Varchar, _params(length=40, default="", unique=True, index=True)),
            ("opening_hours", Varchar, _params(length=200, default="")),
            ("created_at", Timestamptz, _params()),
        ],
    ),
    "ClinicHerId": (
        "clinic_her_id",
        [
            ("clinic", ForeignKey, _foreign_key(Clinic)),
            ("her_id", Varchar, _params(length=16, default="", unique=True, index=True)),
        ],
    ),
    "ClinicMunicipality": (
        "clinic_municipality",
        [
            ("clinic", ForeignKey, _foreign_key(Clinic)),
            ("number", Varchar, _params(length=4, default="", unique=True, index=True)),
            ("name", Varchar, _params(length=100, default="")),
        ],
    ),
    "ClinicMembership": (
        "clinic_membership",
        [
            ("clinic", ForeignKey, _foreign_key(Clinic)),
            ("member", ForeignKey, _foreign_key(User)),
            ("since", Timestamptz, _params()),
        ],
    ),
}


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="clinics", description=DESCRIPTION)
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
    return manager
