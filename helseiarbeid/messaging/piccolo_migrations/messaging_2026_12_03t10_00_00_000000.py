"""The health-message log (table ``health_message``).

Raw DDL, one statement per engine difference (the id column), so the unique index on
``dedupe_key`` — the lock two deliveries of one message race on — is exactly as written.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.table import Table

ID = "2026-12-03T10:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "messaging: the health-message log"

COLUMNS = """
    direction VARCHAR(3) NOT NULL,
    dedupe_key VARCHAR(140) NULL,
    msg_id VARCHAR(128) NOT NULL DEFAULT '',
    msg_type VARCHAR(64) NOT NULL DEFAULT '',
    standard VARCHAR(32) NOT NULL DEFAULT '',
    serv_type VARCHAR(1) NOT NULL DEFAULT '',
    document_id VARCHAR(128) NOT NULL DEFAULT '',
    sender_her_id VARCHAR(16) NOT NULL DEFAULT '',
    sender_name VARCHAR(200) NOT NULL DEFAULT '',
    receiver_her_id VARCHAR(16) NOT NULL DEFAULT '',
    receiver_name VARCHAR(200) NOT NULL DEFAULT '',
    body_sha256 VARCHAR(64) NOT NULL,
    raw_xml TEXT NOT NULL,
    received_at TIMESTAMPTZ NOT NULL,
    apprec_status INTEGER NULL,
    apprec_errors TEXT NOT NULL DEFAULT '',
    apprec_xml TEXT NOT NULL DEFAULT '',
    referral INTEGER NULL REFERENCES referral (id) ON DELETE SET NULL,
    outcome VARCHAR(200) NOT NULL DEFAULT ''
"""


class RawTable(Table):
    pass


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="messaging", description=DESCRIPTION)

    async def create() -> None:
        sqlite = RawTable._meta.db.engine_type == "sqlite"
        id_column = "id INTEGER PRIMARY KEY" if sqlite else "id SERIAL PRIMARY KEY"
        await RawTable.raw(f"CREATE TABLE health_message ({id_column}, {COLUMNS})")
        await RawTable.raw(
            "CREATE UNIQUE INDEX health_message_dedupe_key ON health_message (dedupe_key)"
        )
        for column in ("direction", "document_id", "received_at", "referral"):
            await RawTable.raw(f"CREATE INDEX health_message_{column} ON health_message ({column})")

    async def drop() -> None:
        await RawTable.raw("DROP TABLE IF EXISTS health_message")

    manager.add_raw(create)
    manager.add_raw_backwards(drop)
    return manager
