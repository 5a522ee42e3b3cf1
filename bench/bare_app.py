"""The bare stack for comparison: one Litestar endpoint, one INSERT through the same Piccolo
engine and driver, committed. POST /bare answers 201."""

from __future__ import annotations

from litestar import Litestar, post

from helseiarbeid.core import database
from helseiarbeid.core.database import current_engine, write_transaction
from helseiarbeid.core.tables import User


@post("/bare", status_code=201)
async def bare(data: dict[str, object]) -> dict[str, int]:
    async with write_transaction():
        rows = await User.raw(
            "INSERT INTO bench_bare (body) VALUES ({}) RETURNING id", str(data)[:200]
        )
    return {"id": int(rows[0]["id"])}


async def _start() -> None:
    engine = current_engine()
    await database.start(engine)
    key = (
        "INTEGER PRIMARY KEY AUTOINCREMENT" if database.is_sqlite(engine) else "SERIAL PRIMARY KEY"
    )
    await User.raw(f"CREATE TABLE IF NOT EXISTS bench_bare (id {key}, body TEXT)")


app = Litestar([bare], on_startup=[_start], debug=False)
