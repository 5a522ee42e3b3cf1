"""NAV regions, the municipalities they serve and their members (the default region and the
unique index follow in a migration of their own: raw steps run before added tables exist)."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.base import OnDelete, OnUpdate
from piccolo.columns.column_types import (
    Boolean,
    ForeignKey,
    Serial,
    Timestamptz,
    Varchar,
)
from piccolo.columns.indexes import IndexMethod
from piccolo.table import Table

ID = "2026-12-14T10:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "nav_region, region_municipality, region_membership"


class User(Table, tablename="app_user", schema=None):
    id = Serial(null=False, primary_key=True, db_column_name="id")


class NavRegion(Table, tablename="nav_region", schema=None):
    id = Serial(null=False, primary_key=True, db_column_name="id")


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


def _foreign_key(references: type[Table], on_delete: OnDelete, **overrides: object) -> dict:
    return _params(
        references=references,
        on_delete=on_delete,
        on_update=OnUpdate.cascade,
        target_column=None,
        **overrides,
    )


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="regions", description=DESCRIPTION)
    region = ("NavRegion", "nav_region")
    municipality = ("RegionMunicipality", "region_municipality")
    membership = ("RegionMembership", "region_membership")
    for class_name, tablename in (region, municipality, membership):
        manager.add_table(class_name=class_name, tablename=tablename, schema=None, columns=None)
    columns = [
        (*region, "name", Varchar, _params(length=100, default="", unique=True)),
        (*region, "is_default", Boolean, _params(default=False)),
        (*region, "created_at", Timestamptz, _params(default=None, null=True)),
        (*municipality, "key", Varchar, _params(length=100, default="", unique=True)),
        (*municipality, "name", Varchar, _params(length=100, default="")),
        (
            *municipality,
            "region",
            ForeignKey,
            _foreign_key(NavRegion, OnDelete.cascade, index=True),
        ),
        (*membership, "user", ForeignKey, _foreign_key(User, OnDelete.cascade, index=True)),
        (
            *membership,
            "region",
            ForeignKey,
            _foreign_key(NavRegion, OnDelete.cascade, index=True),
        ),
    ]
    for table_class_name, tablename, column_name, column_class, params in columns:
        manager.add_column(
            table_class_name=table_class_name,
            tablename=tablename,
            column_name=column_name,
            db_column_name=column_name,
            column_class_name=column_class.__name__,
            column_class=column_class,
            params=params,
            schema=None,
        )

    return manager
