"""Application logs are JSON lines and never carry a national ID."""

from __future__ import annotations

import json
import logging
from datetime import date

import pytest

from helseiarbeid.core.identifiers import synthetic_national_id
from helseiarbeid.core.logs import MASK, JsonFormatter, redact


def test_national_ids_are_masked_in_any_form() -> None:
    number = synthetic_national_id(date(1975, 12, 24))
    for form in (number, f"{number[:6]} {number[6:]}", f"{number[:6]}-{number[6:]}"):
        assert redact(f"patient {form} looked up") == f"patient {MASK} looked up"


def test_other_numbers_are_left_alone() -> None:
    assert redact("referral 123456 and org 990123456 at 2026-11-21") == (
        "referral 123456 and org 990123456 at 2026-11-21"
    )


def test_a_log_line_is_json_with_the_id_masked(caplog: pytest.LogCaptureFixture) -> None:
    number = synthetic_national_id(date(1980, 1, 2))
    record = logging.LogRecord(
        "helseiarbeid.x", logging.WARNING, __file__, 1, "lookup %s", (number,), None
    )
    line = json.loads(JsonFormatter().format(record))
    assert line["level"] == "warning"
    assert line["logger"] == "helseiarbeid.x"
    assert number not in line["message"]
    assert MASK in line["message"]


def test_feed_secrets_are_masked_in_log_lines() -> None:
    line = '127.0.0.1:5000 - "GET /calendar/0a1b2c3d4e5f6789.s3cr3t-T0k3n_x.ics HTTP/1.1" 200'
    assert "s3cr3t" not in redact(line)
    assert "/calendar/[skjult].ics" in redact(line)
