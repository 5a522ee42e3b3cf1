"""A partial index on the deadlines of open cases, for the worklist and the dashboard.

Open cases all carry recent deadlines; ordered by deadline through the full index, PostgreSQL
read every ended case first (about 100 ms at 200,000 referrals, growing with them). The
predicate is the constant ``referrals.status.OPEN_SQL`` that the queries repeat.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.table import Table

ID = "2026-11-22T00:45:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "referrals: partial index on the deadlines of open cases"

INDEX = "referral_open_due"
OPEN_SQL = "status IN ('received', 'under_assessment', 'accepted', 'in_progress')"


class RawTable(Table):
    pass


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="referrals", description=DESCRIPTION)

    async def create_index() -> None:
        await RawTable.raw(
            f"CREATE INDEX {INDEX} ON referral (assessment_due, received_at) WHERE {OPEN_SQL}"
        )

    async def drop_index() -> None:
        await RawTable.raw(f"DROP INDEX IF EXISTS {INDEX}")

    manager.add_raw(create_index)
    manager.add_raw_backwards(drop_index)
    return manager
