"""Calendar subscription tokens."""

from __future__ import annotations

from piccolo.columns import ForeignKey, OnDelete, Serial, Timestamptz, Varchar
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
