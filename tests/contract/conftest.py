"""One seeded database for the whole contract module, served in-process by schemathesis.

Schemathesis calls the ASGI app synchronously from its own event-loop thread. So the data is
seeded first, in this module's loop; on PostgreSQL that loop's pool is then closed, and the app's
own start-up (run by schemathesis on the first call) opens a pool in schemathesis's loop, which
its shut-down closes again when the module is done.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import httpx
import pytest
import pytest_asyncio
from piccolo.engine.postgres import PostgresEngine
from schemathesis.python import asgi as schemathesis_asgi

from helseiarbeid.app import create_app
from helseiarbeid.core.database import current_engine
from tests.conftest import empty_database
from tests.contract.seed import Seeded, seed


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def seeded(
    migrated_template: str, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[Seeded]:
    directory: Path = tmp_path_factory.mktemp("contract")
    async with empty_database(migrated_template, directory):
        transport = httpx.ASGITransport(app=create_app(), client=("127.0.0.1", 50000))
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
            data = await seed(http)
        engine = current_engine()
        if isinstance(engine, PostgresEngine):
            await engine.close_connection_pool()
        yield data


@pytest.fixture(scope="module")
def contract(seeded: Seeded) -> Iterator[Seeded]:
    """The seeded callers, with the app's start-up and shut-down around the module's calls."""
    yield seeded
    schemathesis_asgi.shutdown_lifespans()
