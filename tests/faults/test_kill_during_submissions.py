"""Kill -9 while GP systems submit referrals: nothing answered is lost, no retry duplicates.

Each round streams submissions from several clients into a server, SIGKILLs it mid-stream,
starts a new one on the same database, checks what was stored, and retries every submission
that got no answer with its own Idempotency-Key and body, as a GP's record system would.
Rounds repeat until HELSEIARBEID_SOAK_SECONDS have passed.
"""

from __future__ import annotations

import asyncio
import random
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from helseiarbeid.referrals.tables import Referral, SubmissionKey
from tests.cast import Cast, bearer
from tests.faults.servers import SOAK_SECONDS, Servers
from tests.live_server import Server
from tests.referrals.factories import referral_body

CLIENTS = 8


@dataclass
class Submission:
    key: str
    marker: str
    body: dict[str, Any] = field(repr=False)
    sent_at: float
    status: int | None = None  # None: the connection died before an answer came
    referral_id: int | None = None


def _new_submission() -> Submission:
    marker = f"Innsending {uuid.uuid4().hex}: smerter i korsrygg og nakke."
    return Submission(
        key=uuid.uuid4().hex,
        marker=marker,
        body=referral_body(description=marker),
        sent_at=time.monotonic(),
    )


async def _post(
    http: httpx.AsyncClient, headers: dict[str, str], submission: Submission
) -> httpx.Response:
    return await http.post(
        "/api/v1/referrals",
        json=submission.body,
        headers={**headers, "Idempotency-Key": submission.key},
    )


async def _submit_until_the_connection_dies(
    http: httpx.AsyncClient, headers: dict[str, str], submissions: list[Submission]
) -> None:
    while True:
        submission = _new_submission()
        submissions.append(submission)
        try:
            response = await _post(http, headers, submission)
        except httpx.TransportError:
            return
        submission.status = response.status_code
        if response.status_code == 201:
            submission.referral_id = response.json()["id"]


async def _stream_then_kill(
    server: Server, headers: dict[str, str]
) -> tuple[list[Submission], float]:
    """Submissions from CLIENTS tasks; the server is killed after 1–2 s. Returns the kill time."""
    submissions: list[Submission] = []
    async with httpx.AsyncClient(base_url=server.base_url, timeout=30) as http:
        clients = [
            asyncio.create_task(_submit_until_the_connection_dies(http, headers, submissions))
            for _ in range(CLIENTS)
        ]
        try:
            await asyncio.sleep(random.uniform(1.0, 2.0))
            killed_at = time.monotonic()
            server.kill()
            await asyncio.wait_for(asyncio.gather(*clients), timeout=30)
        finally:
            for task in clients:
                task.cancel()
    return submissions, killed_at


async def _stored_ids_by_marker() -> dict[str, list[int]]:
    stored: dict[str, list[int]] = {}
    for row in await Referral.select(Referral.id, Referral.description).order_by(Referral.id):
        stored.setdefault(row["description"], []).append(row["id"])
    return stored


async def _stored_keys(gp_id: int) -> dict[str, int]:
    """Idempotency-Key → referral id, for the keys the database holds."""
    rows = await SubmissionKey.select(SubmissionKey.scoped_key, SubmissionKey.referral)
    prefix = f"{gp_id}:"
    return {row["scoped_key"].removeprefix(prefix): row["referral"] for row in rows}


async def test_a_killed_server_loses_no_answered_referral_and_retries_never_duplicate(
    database: str, cast: Cast, tmp_path: Path
) -> None:
    anne = cast["gp_anne"]
    headers = await bearer(anne)
    everything: list[Submission] = []
    rounds = replayed = 0
    with Servers(database, tmp_path) as servers:
        server = servers.start()
        deadline = time.monotonic() + SOAK_SECONDS
        while rounds == 0 or time.monotonic() < deadline:
            rounds += 1
            submissions, killed_at = await _stream_then_kill(server, headers)
            everything += submissions
            answered = [s for s in submissions if s.status is not None]
            unanswered = [s for s in submissions if s.status is None]
            assert answered, "the kill came before any submission was answered"
            assert {s.status for s in answered} == {201}, [s.status for s in answered]
            assert any(s.sent_at < killed_at for s in unanswered), "nothing was in flight"

            server = servers.start()  # the same database, as after a crash
            stored = await _stored_ids_by_marker()
            for submission in answered:
                assert stored.get(submission.marker) == [submission.referral_id], submission
            assert all(len(ids) == 1 for ids in stored.values()), "a referral was stored twice"

            keys_before_retry = await _stored_keys(anne.id)
            async with httpx.AsyncClient(base_url=server.base_url, timeout=30) as http:
                for submission in unanswered:
                    retry = await _post(http, headers, submission)
                    assert retry.status_code == 201, retry.text
                    earlier = keys_before_retry.get(submission.key)
                    if earlier is not None:
                        replayed += 1
                        assert retry.headers["idempotent-replayed"] == "true"
                        assert retry.json()["id"] == earlier
                    else:
                        assert "idempotent-replayed" not in retry.headers

            stored = await _stored_ids_by_marker()
            counts = Counter({marker: len(ids) for marker, ids in stored.items()})
            assert counts == Counter(s.marker for s in everything), "lost or duplicated"
    print(
        f"\n{rounds} kills, {len(everything)} submissions, "
        f"{sum(s.status is None for s in everything)} unanswered and retried, "
        f"{replayed} of those stored before the kill and replayed"
    )
