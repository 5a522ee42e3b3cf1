"""An enterprise's NAV region (filled in by the next migration: raw steps run before added
columns exist)."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.base import OnDelete, OnUpdate
from piccolo.columns.column_types import ForeignKey, Serial
from piccolo.columns.indexes import IndexMethod
from piccolo.table import Table

ID = "2026-12-14T10:00:01:000000"
VERSION = "1.38.0"
DESCRIPTION = "enterprise.region"


class NavRegion(Table, tablename="nav_region", schema=None):
    id = Serial(null=False, primary_key=True, db_column_name="id")


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="company_track", description=DESCRIPTION)
    manager.add_column(
        table_class_name="Enterprise",
        tablename="enterprise",
        column_name="region",
        db_column_name="region",
        column_class_name="ForeignKey",
        column_class=ForeignKey,
        params={
            "references": NavRegion,
            "on_delete": OnDelete.restrict,
            "on_update": OnUpdate.cascade,
            "target_column": None,
            "null": True,
            "primary_key": False,
            "unique": False,
            "index": True,
            "index_method": IndexMethod.btree,
            "choices": None,
            "db_column_name": None,
            "secret": False,
        },
        schema=None,
    )

    return manager
