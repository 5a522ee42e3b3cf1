"""Who is on each case already (referral_case_member, issue 12 §4): everyone booked to one of
its consultations or who booked one, assessed it, wrote a triage note, the clarification or
an onward referral. One row per (case, person); the responsible person was added by the
referrals migration before this one."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.table import Table

ID = "2026-12-01T10:00:02:000000"
VERSION = "1.38.0"
DESCRIPTION = "clinic track: backfill case members from the work recorded on each case"

WORKED_ON = """
SELECT c.referral AS referral, s.staff AS member, c.created_at AS since
  FROM consultation_staff s JOIN consultation c ON c.id = s.consultation
UNION ALL SELECT referral, created_by, created_at FROM consultation
UNION ALL SELECT referral, assessed_by, assessed_at FROM assessment
UNION ALL SELECT referral, author, created_at FROM triage_note
UNION ALL SELECT referral, updated_by, updated_at FROM clarification
UNION ALL SELECT referral, created_by, created_at FROM onward_referral
"""


class RawTable(Table):
    pass


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="clinic_track", description=DESCRIPTION)

    async def backfill() -> None:
        await RawTable.raw(
            "INSERT INTO referral_case_member (referral, member, since) "  # noqa: S608 - constant SQL
            f"SELECT w.referral, w.member, MIN(w.since) FROM ({WORKED_ON}) w "
            "WHERE NOT EXISTS (SELECT 1 FROM referral_case_member m "
            "WHERE m.referral = w.referral AND m.member = w.member) "
            "GROUP BY w.referral, w.member"
        )

    manager.add_raw(backfill)
    return manager
