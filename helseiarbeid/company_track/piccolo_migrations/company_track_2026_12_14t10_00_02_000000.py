"""Every existing enterprise goes to the default region (regions' migration creates it): no
municipality is listed yet on an installation that predates regions."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.table import Table

ID = "2026-12-14T10:00:02:000000"
VERSION = "1.38.0"
DESCRIPTION = "existing enterprises in the default region"


class RawTable(Table):
    pass


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="company_track", description=DESCRIPTION)

    async def fill() -> None:
        await RawTable.raw(
            "UPDATE enterprise SET region = "
            "(SELECT id FROM nav_region WHERE is_default = {}) WHERE region IS NULL",
            True,
        )

    manager.add_raw(fill)
    return manager
