"""Apply every app's Piccolo migrations, in dependency order, to the configured database."""

from __future__ import annotations

import contextlib
import io

from piccolo.apps.migrations.commands.forwards import run_forwards

from helseiarbeid.core.database import current_engine, prepare_sqlite_file


class MigrationError(RuntimeError):
    pass


async def apply_migrations(*, quiet: bool = False) -> str:
    """Run all pending migrations; returns Piccolo's report. Safe to run again."""
    output = io.StringIO()
    with contextlib.redirect_stdout(output) if quiet else contextlib.nullcontext():
        result = await run_forwards(app_name="all")
    if not result.success:
        raise MigrationError(result.message or "migrations failed")
    prepare_sqlite_file(current_engine())
    return output.getvalue()
