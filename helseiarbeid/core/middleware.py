"""Who is asking: a bearer token (system clients) or the session cookie (browsers).

Sets ``scope["user"]`` (a CurrentUser or None) and ``scope["auth"]`` ("token", "session" or
None). Unsafe API requests must carry a bearer token: browser sessions are for the HTML pages,
whose forms are CSRF-protected; this keeps the JSON API out of reach of cross-site requests.
"""

from __future__ import annotations

from typing import cast

from litestar.datastructures import Headers
from litestar.enums import ScopeType
from litestar.middleware import ASGIMiddleware
from litestar.types import ASGIApp, HTTPScope, Receive, Scope, Send

from helseiarbeid.core import sessions, tokens
from helseiarbeid.core.users import CurrentUser

API_PREFIX = "/api/"
UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


def _bearer_token(headers: Headers) -> str | None:
    value = headers.get("authorization", "")
    scheme, _, token = value.partition(" ")
    if scheme.lower() == "bearer" and token.strip():
        return token.strip()
    return None


def _cookie(headers: Headers, name: str) -> str | None:
    for chunk in headers.get("cookie", "").split(";"):
        key, _, value = chunk.strip().partition("=")
        if key == name and value:
            return value
    return None


class AuthenticationMiddleware(ASGIMiddleware):
    scopes = (ScopeType.HTTP,)
    exclude_path_pattern = ("^/static/",)

    async def handle(self, scope: Scope, receive: Receive, send: Send, next_app: ASGIApp) -> None:
        headers = Headers.from_scope(scope)
        user: CurrentUser | None = None
        auth: str | None = None
        token = _bearer_token(headers)
        if token is not None:
            user = await tokens.user_for_api_token(token)
            auth = "token" if user else None
        else:
            cookie = _cookie(headers, sessions.SESSION_COOKIE)
            method = cast("HTTPScope", scope)["method"]
            is_api_write = scope["path"].startswith(API_PREFIX) and method in UNSAFE_METHODS
            if cookie and not is_api_write:
                user = await sessions.user_for_session(cookie)
                auth = "session" if user else None
        scope["user"] = user
        scope["auth"] = auth
        await next_app(scope, receive, send)
