"""The default region, which every existing coordinator and team member joins, and one
membership per (user, region), so an installation with one region keeps working."""

from datetime import UTC, datetime

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import Boolean, ForeignKey, Serial, Timestamptz, Varchar
from piccolo.table import Table

ID = "2026-12-14T10:00:00:500000"
VERSION = "1.38.0"
DESCRIPTION = "the default region and its members; one membership per user and region"

DEFAULT_REGION = "NAV Arbeidslivssenter"
# The roles that work in the company track for a region (regions.services.MEMBER_ROLES).
STAFF_ROLES = ("coordinator", "psychologist", "physician", "nav_counsellor")


class User(Table, tablename="app_user", schema=None):
    id = Serial(null=False, primary_key=True, db_column_name="id")
    role = Varchar(length=32)


class NavRegion(Table, tablename="nav_region", schema=None):
    id = Serial(null=False, primary_key=True, db_column_name="id")
    name = Varchar(length=100)
    is_default = Boolean(default=False)
    created_at = Timestamptz()


class RegionMembership(Table, tablename="region_membership", schema=None):
    id = Serial(null=False, primary_key=True, db_column_name="id")
    user = ForeignKey(references=User)
    region = ForeignKey(references=NavRegion)


class RawTable(Table):
    pass


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="regions", description=DESCRIPTION)

    async def seed() -> None:
        await RawTable.raw(
            'CREATE UNIQUE INDEX region_membership_user_region ON region_membership ("user", region)'
        )
        rows = await NavRegion.insert(
            NavRegion(name=DEFAULT_REGION, is_default=True, created_at=datetime.now(UTC))
        ).returning(NavRegion.id)
        region_id = rows[0]["id"]
        staff = await User.select(User.id).where(User.role.is_in(list(STAFF_ROLES)))
        if staff:
            await RegionMembership.insert(
                *[RegionMembership(user=row["id"], region=region_id) for row in staff]
            )

    async def unseed() -> None:
        await RawTable.raw("DROP INDEX region_membership_user_region")
        await RawTable.raw("DELETE FROM region_membership")
        await RawTable.raw("DELETE FROM nav_region WHERE is_default = {}", True)

    manager.add_raw(seed)
    manager.add_raw_backwards(unseed)
    return manager
