"""Two server processes on one database count one client's requests together.

Before the limits moved to the database (issue 15 § 9), each process kept its own counts, so
behind a proxy with two processes a code guesser had 40 tries per 10 minutes instead of 20 and a
calendar client twice its rate. Here 30 wrong survey codes from one address go to two processes
at once, half to each: exactly 20 are looked at and 10 are refused with 429 and Retry-After.
"""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from pathlib import Path

import httpx

from helseiarbeid.surveys.services import WRONG_CODES
from tests.faults.servers import Servers
from tests.surveys.conftest import Phone

GUESSES = 30


async def _clear_of_a_window_boundary() -> None:
    """Start well inside a counting window, so the test sees one window, not a sliding mix."""
    into = time.time() % WRONG_CODES.seconds
    if WRONG_CODES.seconds - into < 20:
        await asyncio.sleep(WRONG_CODES.seconds - into + 1)


async def test_the_wrong_code_limit_holds_across_two_server_processes(
    database: str, tmp_path: Path
) -> None:
    assert WRONG_CODES.limit < GUESSES
    await _clear_of_a_window_boundary()
    with Servers(database, tmp_path) as servers:
        first, second = servers.start_many(2)
        # One cookie jar per phone, as on real phones; all from the same address.
        clients = [
            httpx.AsyncClient(base_url=(first, second)[n % 2].base_url, timeout=60)
            for n in range(GUESSES)
        ]
        try:
            answers = await asyncio.gather(
                *(Phone(http).join(f"QQQ{n:03d}") for n, http in enumerate(clients))
            )
        finally:
            await asyncio.gather(*(http.aclose() for http in clients))
    by_status = Counter(answer.status_code for answer in answers)
    assert by_status == {422: WRONG_CODES.limit, 429: GUESSES - WRONG_CODES.limit}
    refused = next(answer for answer in answers if answer.status_code == 429)
    assert int(refused.headers["retry-after"]) > 0
    assert "For mange feil koder" in refused.text
