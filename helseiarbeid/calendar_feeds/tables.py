"""Calendar subscription tokens."""

from __future__ import annotations

from piccolo.columns import Date, ForeignKey, OnDelete, Serial, Text, Timestamptz, Varchar
from piccolo.table import Table

from helseiarbeid.core.tables import User


class CalendarFeed(Table, tablename="calendar_feed"):
    """A secret subscription URL. The token is "<lookup key>.<secret>": the lookup key finds
    the row, and the secret's SHA-256 is compared in constant time. The secret is never stored."""

    id: Serial  # added by Piccolo; declared for type checkers
    owner = ForeignKey(references=User, on_delete=OnDelete.cascade, index=True)
    kind = Varchar(length=16)
    name = Varchar(length=100, default="")
    lookup_key = Varchar(length=32, unique=True, index=True)
    secret_hash = Varchar(length=64)
    created_at = Timestamptz()
    revoked_at = Timestamptz(null=True, default=None)


class CalendarEventLines(Table, tablename="calendar_event_lines"):
    """One event as icalendar writes it, kept for every process: keyed by the SHA-256 of
    what the event says (``core.ical.event_digest``), so a changed event is a new row and a
    row never goes stale. Rows no feed has used for a week are pruned."""

    digest = Varchar(length=64, primary_key=True)
    lines = Text()
    used_on = Date(index=True)
