"""Result goals say which way they go: «ned» (lower is better, as for sick leave) or «opp»."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import Varchar
from piccolo.columns.indexes import IndexMethod

ID = "2026-12-10T10:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "result_goal.direction"


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="company_track", description=DESCRIPTION)
    manager.add_column(
        table_class_name="ResultGoal",
        tablename="result_goal",
        column_name="direction",
        db_column_name="direction",
        column_class_name="Varchar",
        column_class=Varchar,
        params={
            "length": 8,
            "default": "",
            "null": False,
            "primary_key": False,
            "unique": False,
            "index": False,
            "index_method": IndexMethod.btree,
            "choices": None,
            "db_column_name": None,
            "secret": False,
        },
        schema=None,
    )
    return manager
