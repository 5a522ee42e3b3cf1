"""Result goals stored before they had a direction get one: a goal that follows a sick-leave
figure is to lower it («ned»); a typed goal goes the way from its baseline to its target (the
two were never equal: ``add_goal`` refused that). Runs after the column is added (Piccolo runs a
migration's raw steps before its column changes)."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.table import Table

ID = "2026-12-10T10:00:01:000000"
VERSION = "1.38.0"
DESCRIPTION = "result goals: a direction for those stored without one"


class RawTable(Table):
    pass


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="company_track", description=DESCRIPTION)

    async def backfill() -> None:
        await RawTable.raw(
            "UPDATE result_goal SET direction = CASE "
            "WHEN measure <> '' OR target < baseline THEN 'ned' ELSE 'opp' END "
            "WHERE direction = ''"
        )

    manager.add_raw(backfill)
    return manager
