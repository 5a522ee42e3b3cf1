"""The first clinic, from the settings of a single-clinic installation: its name
(HELSEIARBEID_CLINIC_NAME) and HER-ids (HELSEIARBEID_HER_IDS); every clinic staff member
(coordinator, psychologist, physician, NAV counsellor) becomes a member of it. One membership
row per (clinic, member). Existing referrals and messages follow in their apps' migrations.

A separate migration because Piccolo runs raw steps before column changes, and this needs the
tables of the one before.
"""

import re
import unicodedata

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.table import Table

from helseiarbeid.core.clock import utcnow
from helseiarbeid.settings import get_settings

ID = "2026-12-13T10:00:01:000000"
VERSION = "1.38.0"
DESCRIPTION = "clinics: the first clinic from the settings; staff become its members"


class RawTable(Table):
    pass


def _slug(name: str) -> str:
    folded = unicodedata.normalize("NFKD", name.lower().replace("ø", "o").replace("æ", "ae"))
    ascii_name = folded.encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_name).strip("-")[:40] or "klinikk"


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="clinics", description=DESCRIPTION)

    async def seed() -> None:
        await RawTable.raw(
            "CREATE UNIQUE INDEX clinic_membership_once ON clinic_membership (clinic, member)"
        )
        settings = get_settings()
        now = utcnow()
        await RawTable.raw(
            "INSERT INTO clinic (name, slug, opening_hours, created_at) VALUES ({}, {}, '', {})",
            settings.clinic_name,
            _slug(settings.clinic_name),
            now,
        )
        rows = await RawTable.raw("SELECT MIN(id) AS id FROM clinic")
        clinic = rows[0]["id"]
        for her_id in dict.fromkeys(settings.her_ids):
            await RawTable.raw(
                "INSERT INTO clinic_her_id (clinic, her_id) VALUES ({}, {})", clinic, her_id
            )
        await RawTable.raw(
            "INSERT INTO clinic_membership (clinic, member, since) "
            "SELECT {}, id, {} FROM app_user WHERE role IN "
            "('coordinator', 'psychologist', 'physician', 'nav_counsellor')",
            clinic,
            now,
        )

    async def undo() -> None:
        await RawTable.raw("DROP INDEX IF EXISTS clinic_membership_once")

    manager.add_raw(seed)
    manager.add_raw_backwards(undo)
    return manager
