"""Liveness and database reachability for load balancers and monitoring."""

from __future__ import annotations

from litestar import Response, get

from helseiarbeid.core import database
from helseiarbeid.core.policy import PUBLIC
from helseiarbeid.core.schemas import Health


@get("/health", opt=PUBLIC, tags=["operations"], cache=False)
async def health() -> Response[Health]:
    if await database.ping():
        return Response(Health(status="ok", database="ok"), status_code=200)
    return Response(Health(status="error", database="error"), status_code=503)
