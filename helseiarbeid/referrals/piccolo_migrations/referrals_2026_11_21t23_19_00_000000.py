"""Fill in the Oslo day of receipt, and add a covering index for the clinic dashboard, which
reads a year of referrals by that day: PostgreSQL answers from the index alone (INCLUDE),
SQLite from a composite index."""

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine.sqlite import SQLiteEngine
from piccolo.table import Table

ID = "2026-11-21T23:19:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "referrals: backfill the day of receipt; covering index for the dashboard"

OSLO = ZoneInfo("Europe/Oslo")
INDEX = "referral_received_on_covering"
COVERED = "complaint, status, working_days_to_assessment, working_days_to_first_consultation"


class RawTable(Table):
    pass


def _as_datetime(value: datetime | str) -> datetime:
    # SQLite hands back MIN() and MAX() over a timestamp column as its stored text.
    return datetime.fromisoformat(value) if isinstance(value, str) else value


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="referrals", description=DESCRIPTION)

    async def backfill_and_index() -> None:
        bounds = await RawTable.raw(
            "SELECT MIN(received_at) AS first, MAX(received_at) AS last FROM referral"
        )
        if bounds[0]["first"] is not None:
            day = _as_datetime(bounds[0]["first"]).astimezone(OSLO).date()
            last = _as_datetime(bounds[0]["last"]).astimezone(OSLO).date()
            while day <= last:
                start = datetime.combine(day, time(0), tzinfo=OSLO)
                end = datetime.combine(day + timedelta(days=1), time(0), tzinfo=OSLO)
                await RawTable.raw(
                    "UPDATE referral SET received_on = {} "
                    "WHERE received_at >= {} AND received_at < {}",
                    day,
                    start,
                    end,
                )
                day += timedelta(days=1)
        if isinstance(RawTable._meta.db, SQLiteEngine):
            await RawTable.raw(f"CREATE INDEX {INDEX} ON referral (received_on, {COVERED})")
        else:
            await RawTable.raw(
                f"CREATE INDEX {INDEX} ON referral (received_on) INCLUDE ({COVERED})"
            )

    async def drop_index() -> None:
        await RawTable.raw(f"DROP INDEX IF EXISTS {INDEX}")

    manager.add_raw(backfill_and_index)
    manager.add_raw_backwards(drop_index)
    return manager
