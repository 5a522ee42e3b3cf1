"""The API caller's own identity: lets a GP system check that its token works."""

from __future__ import annotations

from typing import Any

from litestar import Request, get

from helseiarbeid.core.openapi import BEARER_REQUIRED, api_errors, helseid_allowed
from helseiarbeid.core.policy import SIGNED_IN, needs_scope
from helseiarbeid.core.schemas import Me
from helseiarbeid.core.web import current_user


@get(
    "/api/v1/me",
    opt=SIGNED_IN | needs_scope("referrals.read"),
    tags=["identity"],
    security=[*BEARER_REQUIRED, *helseid_allowed("referrals.read")],
    responses=api_errors(),
)
async def me(request: Request[Any, Any, Any]) -> Me:
    user = current_user(request)
    return Me(
        id=user.id,
        email=user.email,
        name=user.name,
        role=user.role.value,
        hpr_number=user.hpr_number,
    )
