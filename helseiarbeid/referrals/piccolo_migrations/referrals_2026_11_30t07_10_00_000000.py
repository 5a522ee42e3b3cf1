"""An urgent referral's internal assessment target (working days after receipt, setting
HELSEIARBEID_URGENT_ASSESSMENT_DAYS), filled in for the urgent referrals already received.

Raw SQL because Piccolo runs a migration's raw steps before its column changes, and the
backfill needs the column. The rule is written out here (as in
``referrals.services.assessment_target`` when this was written) so the migration does not
change when the service does.
"""

from datetime import date

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.table import Table

from helseiarbeid.core.working_days import add_working_days
from helseiarbeid.settings import get_settings

ID = "2026-11-30T07:10:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "referrals: internal assessment target of urgent referrals"


class RawTable(Table):
    pass


def _as_date(value: date | str) -> date:
    # SQLite hands back a date column in a raw query as its stored text.
    return date.fromisoformat(value) if isinstance(value, str) else value


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="referrals", description=DESCRIPTION)

    async def add_and_backfill() -> None:
        await RawTable.raw("ALTER TABLE referral ADD COLUMN assessment_target DATE")
        days = await RawTable.raw(
            "SELECT DISTINCT received_on FROM referral "
            "WHERE urgency = 'urgent' AND received_on IS NOT NULL"
        )
        target_days = min(max(get_settings().urgent_assessment_days, 1), 10)
        for row in days:
            received = _as_date(row["received_on"])
            await RawTable.raw(
                "UPDATE referral SET assessment_target = {} "
                "WHERE urgency = 'urgent' AND received_on = {}",
                add_working_days(received, target_days),
                received,
            )

    async def drop_column() -> None:
        await RawTable.raw("ALTER TABLE referral DROP COLUMN assessment_target")

    manager.add_raw(add_and_backfill)
    manager.add_raw_backwards(drop_column)
    return manager
