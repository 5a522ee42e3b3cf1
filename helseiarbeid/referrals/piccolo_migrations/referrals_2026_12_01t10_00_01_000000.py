"""Backfill for the NAV consent state: a referral that carried the patient's consent gets the
state «given» and an event dated the day of receipt (source: the referral); the others stay
«not recorded». The responsible person becomes a member of the case. One member row per
(case, person).

A separate migration because Piccolo runs raw steps before column changes, and this needs the
columns and tables of the one before.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine.sqlite import SQLiteEngine
from piccolo.table import Table

ID = "2026-12-01T10:00:01:000000"
VERSION = "1.38.0"
DESCRIPTION = "referrals: backfill NAV consent state and events; responsible as case member"


class RawTable(Table):
    pass


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="referrals", description=DESCRIPTION)

    async def backfill() -> None:
        await RawTable.raw(
            "CREATE UNIQUE INDEX referral_case_member_once "
            "ON referral_case_member (referral, member)"
        )
        await RawTable.raw(
            "UPDATE referral SET nav_consent = CASE WHEN consent_nav_participation "
            "THEN 'given' ELSE 'not_recorded' END"
        )
        day_of_receipt = (
            "date(received_at)"
            if isinstance(RawTable._meta.db, SQLiteEngine)
            else "CAST(received_at AS DATE)"
        )
        await RawTable.raw(
            "INSERT INTO referral_nav_consent_event "  # noqa: S608
            "(referral, state, effective_on, source, note, recorded_by, recorded_at) "
            f"SELECT id, 'given', COALESCE(received_on, {day_of_receipt}), 'referral', '', "
            "NULL, received_at FROM referral WHERE consent_nav_participation"
        )
        await RawTable.raw(
            "INSERT INTO referral_case_member (referral, member, since) "
            "SELECT id, responsible, updated_at FROM referral WHERE responsible IS NOT NULL"
        )

    async def undo() -> None:
        await RawTable.raw("DROP INDEX IF EXISTS referral_case_member_once")

    manager.add_raw(backfill)
    manager.add_raw_backwards(undo)
    return manager
