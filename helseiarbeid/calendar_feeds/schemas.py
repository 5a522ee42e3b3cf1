"""Request and response bodies of the calendar-feed API."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Annotated

import msgspec

from helseiarbeid.core.schemas import Schema


class FeedKind(enum.StrEnum):
    ENTERPRISE = "enterprise"
    STAFF = "staff"
    CLINIC = "clinic"

    @property
    def label(self) -> str:
        return {
            "enterprise": "Virksomhetens program",
            "staff": "Mine samlinger og konsultasjoner",
            "clinic": "Hele klinikken",
        }[self.value]


class FeedCreate(Schema):
    kind: FeedKind
    name: Annotated[str, msgspec.Meta(max_length=100)] = ""


class FeedOut(Schema):
    id: int
    kind: FeedKind
    name: str
    created_at: datetime
    # Only in the answer that creates or rotates the feed: the URL is not stored anywhere.
    url: str | None = None
