"""A single-clinic installation keeps working (issue 15): the migration makes the first clinic
from HELSEIARBEID_CLINIC_NAME and HELSEIARBEID_HER_IDS, so messages to those HER-ids reach it
without any set-up."""

from __future__ import annotations

import os
import subprocess
import sys

from tests.core.test_migrations import _helseiarbeid, empty_database_url  # noqa: F401 - fixture


def test_the_migration_makes_the_first_clinic_from_the_settings(
    empty_database_url: str,  # noqa: F811 - the fixture
) -> None:
    env = {
        **os.environ,
        "HELSEIARBEID_DATABASE_URL": empty_database_url,
        "HELSEIARBEID_CLINIC_NAME": "HelseIArbeid, Nordlandssykehuset Bodø",
        "HELSEIARBEID_HER_IDS": "8110001,8110002",
    }
    migrated = subprocess.run(
        [sys.executable, "-m", "helseiarbeid", "migrate"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert migrated.returncode == 0, migrated.stderr
    listed = _helseiarbeid(empty_database_url, "clinics", "list")
    assert listed.returncode == 0, listed.stderr
    assert listed.stdout.splitlines() == [
        "helseiarbeid-nordlandssykehuset-bodo\tHelseIArbeid, Nordlandssykehuset Bodø\t"
        "HER-id: 8110001, 8110002\tkommuner: -\tmedlemmer: -"
    ]
