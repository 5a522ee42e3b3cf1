"""CSRF tokens bound to the session (issue 12 §6; OWASP ASVS 4.2.2).

Every unsafe request to a page route (everything but the bearer-token API, the OpenAPI
schema and the calendar feeds) must carry a token in the form field ``_csrf_token`` or the
``X-CSRFToken`` header, equal to an HMAC-SHA-256, under the service's secret key, of the
request's strongest login cookie:

- the session cookie (``hia_session``) once signed in;
- else the pending login's ticket (``hia_login``) between password and second factor;
- else a random pre-session cookie (``hia_csrf``, set on the first page view) for the login
  page itself.

A token is thus valid only with the cookie it was made for: a token an attacker took from
their own session or pre-session cookie is refused in the victim's browser (403, with a
message saying to reload the page), and a new session after login makes every older token
void. Only the cookie value's digest goes into the HMAC, so the token in the page's HTML
reveals nothing of the session cookie. Unlike the double-submit cookie it replaces, the
pre-session cookie is not the token, and it is ``Secure`` when the request came over https
(``scope["scheme"]``: behind a proxy, uvicorn takes it from X-Forwarded-Proto only when the
proxy's address is in FORWARDED_ALLOW_IPS).

A form posted just after its session expired still carries a token for that (expired)
session cookie and passes, so the form can be kept for the next login (core/kept_forms.py).
"""

from __future__ import annotations

import hashlib
import hmac
from typing import Any, cast

from litestar import Request
from litestar.datastructures import Cookie, Headers, MutableScopeHeaders
from litestar.enums import RequestEncodingType, ScopeType
from litestar.exceptions import PermissionDeniedException
from litestar.middleware import ASGIMiddleware
from litestar.types import ASGIApp, HTTPScope, Message, Receive, Scope, Send
from litestar.utils.scope.state import ScopeState

from helseiarbeid.core.login import PENDING_COOKIE
from helseiarbeid.core.sessions import SESSION_COOKIE
from helseiarbeid.core.tokens import digest, new_secret
from helseiarbeid.settings import get_settings

PRESESSION_COOKIE = "hia_csrf"
FIELD = "_csrf_token"
HEADER = "x-csrftoken"
# The bearer-token API (middleware.py refuses its writes over a session cookie), the OpenAPI
# schema, the calendar feeds (secret URLs, GET only) and static files.
NOT_CHECKED = ("/api/", "/schema", "/calendar/", "/static/")
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})
REFUSED = (
    "Skjemaet ble avvist fordi sikkerhetsnøkkelen (CSRF) ikke hører til økten din. "
    "Last siden på nytt og send skjemaet igjen."
)


def _cookie(headers: Headers, name: str) -> str | None:
    for chunk in headers.get("cookie", "").split(";"):
        key, _, value = chunk.strip().partition("=")
        if key == name and value:
            return value
    return None


def binding(headers: Headers) -> tuple[str, str] | None:
    """The cookie a token must be bound to: (kind, value), strongest first; None if none."""
    for kind, name in (
        ("session", SESSION_COOKIE),
        ("login", PENDING_COOKIE),
        ("pre", PRESESSION_COOKIE),
    ):
        value = _cookie(headers, name)
        if value:
            return kind, value
    return None


def token_for(kind: str, cookie_value: str) -> str:
    """The form token for a cookie: hex HMAC-SHA-256(secret key, kind ‖ SHA-256(cookie))."""
    message = f"{kind}:{digest(cookie_value)}".encode()
    return hmac.new(get_settings().secret_key.encode(), message, hashlib.sha256).hexdigest()


class CSRFMiddleware(ASGIMiddleware):
    """Checks unsafe requests' tokens and gives safe ones the token for their forms
    (``csrf_input`` in templates). Runs after AuthenticationMiddleware, so a form over an
    expired session is kept before a refusal here would lose it."""

    scopes = (ScopeType.HTTP,)
    should_bypass_for_scope = staticmethod(lambda scope: scope["path"].startswith(NOT_CHECKED))

    async def handle(self, scope: Scope, receive: Receive, send: Send, next_app: ASGIApp) -> None:
        headers = Headers.from_scope(scope)
        bound = binding(headers)
        state = ScopeState.from_scope(scope)
        if cast("HTTPScope", scope)["method"] in SAFE_METHODS:
            if bound is None:
                bound = ("pre", new_secret())
                send = _setting_cookie(send, bound[1], secure=scope.get("scheme") == "https")
            state.csrf_token = token_for(*bound)
            await next_app(scope, receive, send)
            return
        sent = headers.get(HEADER)
        if not sent:
            request: Request[Any, Any, Any] = Request(scope, receive)
            if request.content_type[0] in {
                RequestEncodingType.URL_ENCODED,
                RequestEncodingType.MULTI_PART,
            }:
                value = (await request.form()).get(FIELD)
                sent = value if isinstance(value, str) else None
        if bound is None or not sent or not hmac.compare_digest(sent, token_for(*bound)):
            raise PermissionDeniedException(REFUSED)
        state.csrf_token = sent
        await next_app(scope, receive, send)


def _setting_cookie(send: Send, value: str, *, secure: bool) -> Send:
    """``send``, adding the new pre-session cookie to the response's headers."""
    cookie = Cookie(
        key=PRESESSION_COOKIE, value=value, path="/", httponly=True, samesite="lax", secure=secure
    )

    async def wrapped(message: Message) -> None:
        if message["type"] == "http.response.start":
            MutableScopeHeaders.from_message(message).add("set-cookie", cookie.to_header(header=""))
        await send(message)

    return wrapped
