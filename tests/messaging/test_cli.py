"""`helseiarbeid messages receive FILE…`: the same processing as the API, AppRec printed."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from lxml import etree

from helseiarbeid.messaging.standards import SchemaSet, validate
from helseiarbeid.referrals.tables import Referral
from tests.cast import Cast
from tests.messaging.conftest import EXAMPLES, HER_IDS, NEW_11, NEW_20


def _run(database: str, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "HELSEIARBEID_DATABASE_URL": database, "HELSEIARBEID_HER_IDS": HER_IDS}
    return subprocess.run(
        [sys.executable, "-m", "helseiarbeid", "messages", "receive", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


async def test_receive_prints_each_apprec_and_stores_the_referrals(
    database: str, cast: Cast
) -> None:
    result = _run(
        database, "--account", "msh@test.example", str(EXAMPLES / NEW_20), str(EXAMPLES / NEW_11)
    )
    assert result.returncode == 0, result.stderr
    receipts = [
        etree.fromstring(("<?xml" + part).encode())
        for part in result.stdout.split("<?xml")
        if part.strip()
    ]
    assert len(receipts) == 2
    for receipt in receipts:
        assert validate(SchemaSet.APPREC_11, receipt) == []
        assert receipt.find("{*}Status").get("V") == "1"  # type: ignore[union-attr]
    assert await Referral.count() == 2


async def test_a_rejected_file_exits_1_and_another_role_is_refused(
    database: str, cast: Cast, tmp_path: Path
) -> None:
    broken = tmp_path / "broken.xml"
    broken.write_bytes(b"<MsgHead>")
    result = _run(database, "--account", "msh@test.example", str(broken))
    assert result.returncode == 1
    assert "avvist" in result.stderr
    assert "T01 Meldingen er ikke velformet XML" in result.stderr
    assert "ingen å sende en applikasjonskvittering" in result.stderr  # no sender: no AppRec
    refused = _run(database, "--account", "kari@test.example", str(EXAMPLES / NEW_20))
    assert refused.returncode == 2
    assert "messaging" in refused.stderr
    assert await Referral.count() == 0
