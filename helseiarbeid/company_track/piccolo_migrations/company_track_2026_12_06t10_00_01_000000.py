"""One sick-leave figure per (category, code, year, quarter) and one snapshot per (programme,
moment): unique indexes over several columns, in raw SQL both engines read alike (a migration
of its own, since raw steps run before the previous migration's columns would exist)."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.table import Table

ID = "2026-12-06T10:00:01:000000"
VERSION = "1.38.0"
DESCRIPTION = "unique sick-leave figure per quarter, one snapshot per moment"


class RawTable(Table):
    pass


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="company_track", description=DESCRIPTION)

    async def create() -> None:
        await RawTable.raw(
            "CREATE UNIQUE INDEX sick_leave_figure_quarter "
            "ON sick_leave_figure (category, code, year, quarter)"
        )
        await RawTable.raw(
            "CREATE UNIQUE INDEX sick_leave_snapshot_moment "
            "ON sick_leave_snapshot (programme, moment)"
        )

    async def drop() -> None:
        await RawTable.raw("DROP INDEX sick_leave_figure_quarter")
        await RawTable.raw("DROP INDEX sick_leave_snapshot_moment")

    manager.add_raw(create)
    manager.add_raw_backwards(drop)
    return manager
