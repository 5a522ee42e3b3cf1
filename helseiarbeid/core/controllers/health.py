"""Liveness and database reachability for load balancers and monitoring."""

from __future__ import annotations

from litestar import Response, get

from helseiarbeid.core import database
from helseiarbeid.core.policy import PUBLIC
from helseiarbeid.core.schemas import Health
from helseiarbeid.core.web_errors import RETRY_AFTER_SECONDS


@get("/health", opt=PUBLIC, tags=["operations"], cache=False)
async def health() -> Response[Health]:
    """200 when the database answers within 2 s, else 503 (with Retry-After) within about 2 s."""
    if await database.ping():
        return Response(Health(status="ok", database="ok"), status_code=200)
    return Response(
        Health(status="error", database="error"),
        status_code=503,
        headers={"Retry-After": str(RETRY_AFTER_SECONDS)},
    )
