"""Structured (JSON-lines) application logs that never carry a national ID.

Health text never reaches a log call by convention (services log ids, not content); national
IDs are also masked here as a safety net, wherever an 11-digit run slips into a message.
"""

from __future__ import annotations

import json
import logging
import re
import sys
from datetime import UTC, datetime

_NATIONAL_ID = re.compile(r"(?<!\d)\d{6}[ -]?\d{5}(?!\d)")
# A calendar feed's URL is its password; uvicorn's access log would otherwise keep it.
_FEED_URL = re.compile(r"/calendar/[^/\s\"?]+\.ics")
MASK = "[fnr fjernet]"
FEED_MASK = "/calendar/[skjult].ics"


def redact(text: str) -> str:
    return _FEED_URL.sub(FEED_MASK, _NATIONAL_ID.sub(MASK, text))


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": redact(record.getMessage()),
        }
        for key in ("request_id", "path", "status", "user_id"):
            if hasattr(record, key):
                entry[key] = getattr(record, key)
        if record.exc_info and record.exc_info[0] is not None:
            entry["exception"] = record.exc_info[0].__name__
        return json.dumps(entry, ensure_ascii=False)


class _StderrHandler(logging.StreamHandler):  # type: ignore[type-arg]
    """Writes to whatever sys.stderr is at the time of the call (test capture swaps it)."""

    def __init__(self) -> None:
        super().__init__()

    @property
    def stream(self) -> object:
        return sys.stderr

    @stream.setter
    def stream(self, _value: object) -> None:
        pass


def configure_logging(level: str = "INFO") -> None:
    """JSON lines to stderr for our loggers and uvicorn's. Tracebacks stay out of the log line:
    exception type only, since a traceback's locals and messages may carry patient data."""
    handler = _StderrHandler()
    handler.setFormatter(JsonFormatter())
    for name in ("helseiarbeid", "uvicorn", "uvicorn.error", "uvicorn.access", "litestar"):
        logger = logging.getLogger(name)
        logger.handlers = [handler]
        logger.setLevel(level)
        logger.propagate = False
