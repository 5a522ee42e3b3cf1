"""The app under contract, the document it publishes, and who may call each operation."""

from __future__ import annotations

import asyncio
import re
from collections.abc import Callable
from typing import Any

import httpx
import schemathesis
from litestar import Litestar
from litestar.routes import HTTPRoute
from schemathesis.schemas import APIOperation, BaseSchema

from helseiarbeid.app import create_app
from helseiarbeid.core.policy import SCOPE_KEY, Policy, policy_of

APP = create_app()


async def _fetch_published_schema() -> dict[str, Any]:
    """The document as clients get it. No database is touched: the path is public."""
    transport = httpx.ASGITransport(app=APP)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
        response = await http.get("/schema/openapi.json")
    assert response.status_code == 200, response.text
    document: dict[str, Any] = response.json()
    return document


PUBLISHED = asyncio.run(_fetch_published_schema())
_TYPED_PARAMETER = re.compile(r"\{(\w+):\w+\}")


def _policies(app: Litestar) -> dict[tuple[str, str], Policy]:
    """(method, path as published) → the route's policy."""
    found = {}
    for route in app.routes:
        if isinstance(route, HTTPRoute):
            for handler in route.route_handlers:
                policy = policy_of(handler)
                for method in handler.http_methods:
                    if policy is not None:
                        found[(method, _TYPED_PARAMETER.sub(r"{\1}", route.path))] = policy
    return found


POLICIES = _policies(APP)


def _token_scopes(app: Litestar) -> dict[tuple[str, str], str]:
    """(method, path as published) → the scope a HelseID token needs there (``needs_scope``),
    for the routes open to HelseID tokens."""
    found = {}
    for route in app.routes:
        if isinstance(route, HTTPRoute):
            for handler in route.route_handlers:
                scope = handler.opt.get(SCOPE_KEY)
                for method in handler.http_methods:
                    if isinstance(scope, str):
                        found[(method, _TYPED_PARAMETER.sub(r"{\1}", route.path))] = scope
    return found


TOKEN_SCOPES = _token_scopes(APP)


def policy_for(operation: APIOperation) -> Policy:
    return POLICIES[(operation.method.upper(), operation.path)]


def load(
    config: schemathesis.Config | None = None,
    operations: Callable[[APIOperation], bool] = lambda operation: True,
) -> BaseSchema:
    """The /api/ operations for which ``operations`` is true (one filter: several are or-ed),
    sent to the app in-process."""
    schema = schemathesis.openapi.from_dict(PUBLISHED, config=config or schemathesis.Config())
    schema.app = APP
    return schema.include(
        lambda ctx: ctx.operation.path.startswith("/api/") and operations(ctx.operation)
    )
