"""The database role the running service uses on PostgreSQL: it does not own the tables.

Migrations run as the owner of the tables (the user of the migration's database URL). The
service itself should connect as a role that may read and write rows but not change the
tables: it has no TRUNCATE, cannot ALTER a table or switch a trigger off, and on the access log
it may only INSERT and SELECT — so even the running service cannot erase or edit the log.

``grant_service_role`` creates the role if needed (LOGIN, no password: set one, or use the
server's other authentication, as operations see fit) and grants exactly that. Run it after
every migration (``helseiarbeid db-roles --role NAME``), since new tables need their grants.
Source: issue 12 §2 (Normen fact sheet 15: the log must be protected from change).
"""

from __future__ import annotations

import re

from helseiarbeid.core.database import current_engine, is_sqlite
from helseiarbeid.core.errors import InvalidInput
from helseiarbeid.core.tables import AuditEvent

_ROLE_NAME = re.compile(r"[a-z_][a-z0-9_]{0,62}")
# Tables the service may read but not write: the migration log and the access log (which it
# may append to).
_READ_ONLY = ("migration",)
_APPEND_ONLY = ("audit_event",)


async def grant_service_role(role: str, password: str | None = None) -> list[str]:
    """Create ``role`` (lower-case letters, digits, _) if missing and grant it what the service
    needs on every table of the public schema; with ``password``, set the role's password
    (quoted by the server; never in the returned list). Returns the statements run.

    Raises InvalidInput for a bad role name, an empty password, or on SQLite, which has no
    roles."""
    if is_sqlite():
        raise InvalidInput({"role": "SQLite has no database roles; this is for PostgreSQL."})
    if not _ROLE_NAME.fullmatch(role):
        raise InvalidInput({"role": f"{role!r} is not a role name (a-z, 0-9, _)"})
    quoted = f'"{role}"'
    statements = [
        "DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = "
        f"'{role}') THEN CREATE ROLE {quoted} LOGIN; END IF; END $$",
        f"GRANT USAGE ON SCHEMA public TO {quoted}",
        f"REVOKE ALL ON ALL TABLES IN SCHEMA public FROM {quoted}",
        f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {quoted}",
        f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {quoted}",
        *(f'REVOKE INSERT, UPDATE, DELETE ON "{t}" FROM {quoted}' for t in _READ_ONLY),
        *(f'REVOKE UPDATE, DELETE ON "{t}" FROM {quoted}' for t in _APPEND_ONLY),
    ]
    if password is not None and not password:
        raise InvalidInput({"password": "The role's password is empty."})
    engine = current_engine()
    async with engine.transaction():
        for statement in statements:
            await AuditEvent.raw(statement)
        if password is not None:
            # ALTER ROLE takes no parameters: the server quotes the password itself.
            rows = await AuditEvent.raw(
                "SELECT format('ALTER ROLE %I PASSWORD %L', {}::text, {}::text) AS sql",
                role,
                password,
            )
            await AuditEvent.raw(rows[0]["sql"])
    return statements
