"""msgspec schemas shared by every domain, and core's own responses."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import msgspec

# Row ids are 32-bit on PostgreSQL (serial); anything larger can name no row.
MAX_DB_INT = 2_147_483_647
DbId = Annotated[int, msgspec.Meta(ge=1, le=MAX_DB_INT)]


class Schema(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    """Base for request and response bodies: unknown fields are refused, not ignored."""


class ErrorBody(Schema):
    """Every error answer under /api/: the status again, a message for people (Norwegian from
    the services), and for 422 a message per field (``errors``) where fields are named."""

    status_code: int
    detail: str
    errors: dict[str, str] | None = None


class Me(Schema):
    id: int
    email: str
    name: str
    role: str
    hpr_number: str | None


class Health(Schema):
    status: str
    database: str


class AuditEventOut(Schema):
    id: int
    occurred_at: datetime
    actor_name: str
    actor_role: str
    action: str
    resource_type: str
    resource_id: str
    patient_id: int | None
    referral_id: int | None
    purpose: str
    client: str


class AuditPage(Schema):
    items: list[AuditEventOut]
    limit: int
    offset: int
