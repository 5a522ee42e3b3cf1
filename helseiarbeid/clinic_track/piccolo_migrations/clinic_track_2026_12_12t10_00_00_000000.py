"""The onward referral's receiver as a health-message address (issue 13 §8): the health
service's HER-id, empty when it has none (the letter is then sent as before, on paper or by
the patient)."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import Varchar
from piccolo.columns.indexes import IndexMethod

ID = "2026-12-12T10:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "clinic track: onward referral's HER-id for Henvisning 2.0 HENVISNING_VIDERE"


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="clinic_track", description=DESCRIPTION)
    manager.add_column(
        table_class_name="OnwardReferral",
        tablename="onward_referral",
        column_name="destination_her_id",
        db_column_name="destination_her_id",
        column_class_name="Varchar",
        column_class=Varchar,
        params={
            "length": 16,
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
