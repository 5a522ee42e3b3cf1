"""Issue 13 §11: the message server goes away in the middle of the worker's run — the stand-in's
process ends by itself mid-run, with messages half received and messages waiting to be sent —
and comes back. The real `helseiarbeid worker` runs throughout. Nothing is lost, nothing is
done twice: every received message is stored once, answered with exactly one AppRec and
marked read; every outgoing message is posted exactly once."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from helseiarbeid.core import outbox
from helseiarbeid.core.tables import OutboxMessage
from helseiarbeid.messaging.tables import HealthMessage
from helseiarbeid.referrals.tables import Referral
from tests.cast import Cast
from tests.clinic_track.conftest import Pathway
from tests.messaging.conftest import NEW_20, example, post_message
from tests.messaging.msh import ROOT, StandIn, message_server_for_tests

ORIGINAL_MSG_ID = b"76665c90-3198-11e8-b566-0800200c9a66"
OFFICE_HER_ID = 91096
CLINIC_HER_ID = 59
INCOMING = 5
OUTGOING = 2


@pytest.fixture
def msh(database: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[StandIn]:
    with message_server_for_tests(monkeypatch, tmp_path) as stand_in:
        yield stand_in


def _copy(number: int) -> tuple[bytes, str]:
    msg_id = ORIGINAL_MSG_ID[:-4] + f"{number:04d}".encode()
    return example(NEW_20).replace(ORIGINAL_MSG_ID, msg_id), msg_id.decode()


def _start_worker(env: dict[str, str]) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "helseiarbeid", "worker"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )


async def _everything_done(msh: StandIn) -> bool:
    try:
        state = msh.state()
    except httpx.TransportError:
        return False
    inbox_done = all(message["read"] for message in state["inbox"].values())
    waiting = await OutboxMessage.count().where(OutboxMessage.delivered_at.is_null())
    unposted = await HealthMessage.count().where(
        (HealthMessage.direction == "out") & (HealthMessage.server_id == "")
    )
    return inbox_done and waiting == 0 and unposted == 0


@pytest.mark.parametrize(
    "crash",
    [
        # A received message answered (AppRec handed over) but not yet marked read.
        ("PUT", r"/Messages/[^/]+/read/\d+", 1),
        # A received message fetched and stored, its AppRec not yet handed over.
        ("POST", r"/Messages/[^/]+/apprec/\d+", 2),
        # One outgoing message posted, the next not.
        ("POST", r"/Messages", 2),
    ],
    ids=["before-read", "before-apprec", "between-posts"],
)
async def test_the_server_going_away_mid_run_loses_nothing_and_doubles_nothing(
    client: httpx.AsyncClient,
    cast: Cast,
    msh: StandIn,
    database: str,
    crash: tuple[str, str, int],
) -> None:
    # Two referrals came in through the API; their assessments wait in the outbox.
    for number in range(OUTGOING):
        body, _ = _copy(100 + number)
        await post_message(client, cast, body)
    for row in await Referral.select(Referral.id):
        assert (await Pathway(client, cast, row["id"]).accept()).status_code == 201
    assert await OutboxMessage.count().where(OutboxMessage.channel == "health_message") == OUTGOING
    # Five more wait on the message server.
    for number in range(INCOMING):
        body, msg_id = _copy(number)
        msh.deliver(body, receiver=CLINIC_HER_ID, sender=OFFICE_HER_ID, msg_id=msg_id)
    # The server will end, as if it crashed, when the request ``crash`` names arrives.
    msh.stop()
    msh.start(die_on=crash)

    env = {
        **os.environ,
        "HELSEIARBEID_DATABASE_URL": database,
        "HELSEIARBEID_OUTBOX_POLL_SECONDS": "0.2",
        "HELSEIARBEID_MSH_POLL_SECONDS": "0.3",
    }
    worker = _start_worker(env)
    try:
        msh.wait_for_death(timeout=60)
        assert not await _everything_done(msh)
        await asyncio.sleep(1.0)  # the worker meets a server that is not there
        msh.start()
        deadline = time.monotonic() + 120
        for _ in range(240):  # the backoff after the outage is 10 s, then 20 s
            if await _everything_done(msh) or time.monotonic() > deadline:
                break
            await asyncio.sleep(0.5)
        assert await _everything_done(msh), msh.state()["requests"]
    finally:
        worker.send_signal(signal.SIGTERM)
        output, _ = worker.communicate(timeout=30)
    assert worker.returncode == 0, output.decode()
    assert b"message server" in output

    state = msh.state()
    # Received: each stored once, one AppRec each (OK), read.
    assert await Referral.count() == OUTGOING + INCOMING
    assert await HealthMessage.count().where(HealthMessage.direction == "in") == (
        OUTGOING + INCOMING
    )
    for message in state["inbox"].values():
        assert [receipt["appRecStatus"] for receipt in message["apprecs"]] == ["Ok"]
        assert message["read"] is True
    # Sent: each MsgId posted exactly once, and what was posted is what was stored.
    posted = Counter(item["msgId"] for item in state["sent"].values())
    stored = await HealthMessage.select(HealthMessage.msg_id, HealthMessage.server_id).where(
        HealthMessage.direction == "out"
    )
    assert posted == Counter(row["msg_id"] for row in stored)
    assert set(posted.values()) == {1}
    assert {row["server_id"] for row in stored} == set(state["sent"])
    # The outage showed as transient failures (tried again), never as a failed delivery.
    assert await OutboxMessage.count().where(OutboxMessage.failed_at.is_not_null()) == 0
    assert await outbox.deliver_due() == 0
