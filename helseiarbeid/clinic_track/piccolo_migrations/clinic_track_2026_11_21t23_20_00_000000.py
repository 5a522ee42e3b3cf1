"""Fill the referrals' new waiting-time columns from the assessments and consultations
recorded before they existed. Runs after the referrals app has added the columns."""

from collections import defaultdict
from datetime import date, datetime
from zoneinfo import ZoneInfo

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.table import Table

from helseiarbeid.core.working_days import working_days_between

ID = "2026-11-21T23:20:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "referrals: backfill working days to first decision and first consultation"

OSLO = ZoneInfo("Europe/Oslo")
CHUNK = 500
FIRST_TIMES = """
SELECT r.id, r.received_at,
       (SELECT MIN(a.assessed_at) FROM assessment a
        WHERE a.referral = r.id AND a.decision IN ('accepted', 'returned')) AS decided,
       (SELECT MIN(c.starts_at) FROM consultation c
        WHERE c.referral = r.id AND c.cancelled_at IS NULL) AS consulted
FROM referral r
"""


class RawTable(Table):
    pass


def _oslo_day(moment: datetime | str) -> date:
    # SQLite hands back MIN() over a timestamp column as its stored text.
    value = datetime.fromisoformat(moment) if isinstance(moment, str) else moment
    return value.astimezone(OSLO).date()


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="clinic_track", description=DESCRIPTION)

    async def run() -> None:
        by_values: dict[tuple[int | None, int | None], list[int]] = defaultdict(list)
        for row in await RawTable.raw(FIRST_TIMES):
            if row["decided"] is None and row["consulted"] is None:
                continue
            received = _oslo_day(row["received_at"])
            key = tuple(
                None if row[name] is None else working_days_between(received, _oslo_day(row[name]))
                for name in ("decided", "consulted")
            )
            by_values[key].append(row["id"])  # type: ignore[index]
        for (to_assessment, to_consultation), ids in by_values.items():
            for start in range(0, len(ids), CHUNK):
                chunk = ids[start : start + CHUNK]
                placeholders = ", ".join("{}" for _ in chunk)
                update = (
                    "UPDATE referral SET working_days_to_assessment = {}, "  # noqa: S608
                    f"working_days_to_first_consultation = {{}} WHERE id IN ({placeholders})"
                )
                await RawTable.raw(update, to_assessment, to_consultation, *chunk)

    manager.add_raw(run)
    return manager
