"""The worklist and dashboard repeat the open-cases index's predicate as a constant; it must
stay the predicate of the index and name exactly the open statuses."""

from __future__ import annotations

import importlib
import re

from helseiarbeid.referrals.status import OPEN, OPEN_SQL


def test_the_queries_and_the_index_use_one_predicate() -> None:
    migration = importlib.import_module(
        "helseiarbeid.referrals.piccolo_migrations.referrals_2026_11_22t00_45_00_000000"
    )
    assert migration.OPEN_SQL == OPEN_SQL
    assert set(re.findall(r"'(\w+)'", OPEN_SQL)) == {status.value for status in OPEN}
