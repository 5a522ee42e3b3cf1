"""Who is asking: a bearer token (system clients), a DPoP-bound HelseID access token (system
clients, core/access_tokens.py) or the session cookie (browsers).

Sets ``scope["user"]`` (a CurrentUser or None) and ``scope["auth"]`` ("token", "helseid",
"session" or None); for a HelseID token also ``scope["system_caller"]`` (its scopes and
organisation). A HelseID token that fails its checks, or a DPoP-bound token sent as a bearer
token, is answered here: 401 with a ``WWW-Authenticate: DPoP`` challenge (RFC 9449 § 7.1).

When a session cookie has just expired, ``scope["expired_user_id"]`` says whose it was,
and a page form posted with it is kept for that user (core/kept_forms.py):
``scope["kept_form"]`` then holds the ticket and the page for the redirect to the login.

Unsafe API requests must carry a bearer token: browser sessions are for the HTML pages, whose
forms are CSRF-protected; this keeps the JSON API out of reach of cross-site requests.
"""

from __future__ import annotations

import json
from typing import cast
from urllib.parse import parse_qsl, urlsplit

from litestar.datastructures import Headers
from litestar.enums import ScopeType
from litestar.middleware import ASGIMiddleware
from litestar.types import (
    ASGIApp,
    HTTPResponseBodyEvent,
    HTTPResponseStartEvent,
    HTTPScope,
    Receive,
    ReceiveMessage,
    Scope,
    Send,
)

from helseiarbeid.core import access_tokens, kept_forms, sessions, tokens
from helseiarbeid.core.users import CurrentUser
from helseiarbeid.settings import get_settings

API_PREFIX = "/api/"
UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


def _credentials(headers: Headers, scheme_wanted: str) -> str | None:
    value = headers.get("authorization", "")
    scheme, _, token = value.partition(" ")
    if scheme.lower() == scheme_wanted and token.strip():
        return token.strip()
    return None


def _request_url(scope: Scope, headers: Headers) -> str:
    """The URL the client sent the request to (for a DPoP proof's htu): scheme, Host, path."""
    host = headers.get("host") or "{}:{}".format(*(scope.get("server") or ("localhost", 80)))
    return f"{scope.get('scheme', 'http')}://{host}{scope.get('root_path', '')}{scope['path']}"


async def _refuse(send: Send, refusal: access_tokens.Refused) -> None:
    """Answer a refused HelseID token: JSON error and the DPoP challenge (RFC 9449 § 7.1),
    with a ``DPoP-Nonce`` when the proof lacked a current nonce (§ 9)."""
    body = json.dumps(access_tokens.json_body(refusal), ensure_ascii=False).encode()
    headers = [
        (b"content-type", b"application/json"),
        (b"content-length", str(len(body)).encode()),
        (b"www-authenticate", refusal.challenge.encode()),
        (b"cache-control", b"no-store"),
    ]
    if refusal.nonce is not None:
        headers.append((b"dpop-nonce", refusal.nonce.encode()))
    start: HTTPResponseStartEvent = {
        "type": "http.response.start",
        "status": refusal.status,
        "headers": headers,
    }
    await send(start)
    end: HTTPResponseBodyEvent = {"type": "http.response.body", "body": body, "more_body": False}
    await send(end)


async def _helseid_caller(scope: Scope, headers: Headers, token: str) -> access_tokens.SystemCaller:
    if not access_tokens.accepted():
        raise access_tokens.Refused("invalid_token", "HelseID-tokens er ikke tatt i bruk her.")
    proofs = headers.getall("dpop", [])
    if len(proofs) > 1:
        raise access_tokens.Refused("invalid_dpop_proof", "Bare ett DPoP-bevis per forespørsel.")
    method = cast("HTTPScope", scope)["method"]
    return await access_tokens.caller_for(
        token, proofs[0] if proofs else None, method, _request_url(scope, headers)
    )


def _cookie(headers: Headers, name: str) -> str | None:
    for chunk in headers.get("cookie", "").split(";"):
        key, _, value = chunk.strip().partition("=")
        if key == name and value:
            return value
    return None


async def _buffered_body(receive: Receive, limit: int) -> tuple[bytes | None, Receive]:
    """The whole request body (None if it is larger than ``limit``), and a ``receive`` that
    hands the same messages on to the application."""
    messages: list[ReceiveMessage] = []
    chunks: list[bytes] = []
    size, complete = 0, False
    while not complete and size <= limit:
        message = await receive()
        messages.append(message)
        if message["type"] != "http.request":
            break
        chunks.append(message.get("body", b""))
        size += len(chunks[-1])
        complete = not message.get("more_body", False)

    async def replay() -> ReceiveMessage:
        return messages.pop(0) if messages else await receive()

    if not complete or size > limit:
        return None, replay
    return b"".join(chunks), replay


def _form_page(headers: Headers, path: str) -> str:
    """The page a form was posted from: the Referer's path on this site, else the form's
    action (the same page for most forms)."""
    referer = urlsplit(headers.get("referer", ""))
    if referer.netloc == headers.get("host") and referer.path.startswith("/"):
        return referer.path
    return path


async def _keep_posted_form(
    scope: Scope, receive: Receive, headers: Headers, user_id: int
) -> Receive:
    """Keep a page form posted over an expired session; returns the receive to go on with."""
    is_form = headers.get("content-type", "").startswith("application/x-www-form-urlencoded")
    if not is_form or scope["path"] in kept_forms.NOT_KEPT_PATHS:
        return receive
    body, receive = await _buffered_body(receive, get_settings().max_body_bytes)
    if body is None:
        return receive
    fields = parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True)
    page = _form_page(headers, scope["path"])
    ticket = await kept_forms.keep(user_id, page, scope["path"], fields)
    scope["kept_form"] = (ticket, page)  # type: ignore[typeddict-unknown-key]
    return receive


class AuthenticationMiddleware(ASGIMiddleware):
    scopes = (ScopeType.HTTP,)

    @staticmethod
    def should_bypass_for_scope(scope: Scope) -> bool:
        """Static files need no user. By the request path, as Litestar 2.19+ wants it: its
        ``exclude_path_pattern`` is deprecated for a pattern that matches the request path
        but not the route handler's (``/static`` serves ``/static/app.css``)."""
        return scope["path"].startswith("/static/")

    async def handle(self, scope: Scope, receive: Receive, send: Send, next_app: ASGIApp) -> None:
        headers = Headers.from_scope(scope)
        user: CurrentUser | None = None
        auth: str | None = None
        token = _credentials(headers, "bearer")
        dpop_token = _credentials(headers, "dpop")
        if dpop_token is not None:
            try:
                caller = await _helseid_caller(scope, headers, dpop_token)
            except access_tokens.Refused as refusal:
                await _refuse(send, refusal)
                return
            user, auth = caller.user, "helseid"
            scope["system_caller"] = caller  # type: ignore[typeddict-unknown-key]
        elif token is not None:
            if not token.startswith(tokens.API_TOKEN_PREFIX) and access_tokens.looks_dpop_bound(
                token
            ):
                message = (
                    "Tokenet er bundet til en nøkkel (DPoP): send det som «Authorization: DPoP» "
                    "med et DPoP-bevis."
                )
                await _refuse(send, access_tokens.Refused("invalid_token", message))
                return
            user = await tokens.user_for_api_token(token)
            auth = "token" if user else None
        else:
            cookie = _cookie(headers, sessions.SESSION_COOKIE)
            method = cast("HTTPScope", scope)["method"]
            is_api_write = scope["path"].startswith(API_PREFIX) and method in UNSAFE_METHODS
            if cookie and not is_api_write:
                user = await sessions.user_for_session(cookie)
                auth = "session" if user else None
            if cookie and user is None and not scope["path"].startswith(API_PREFIX):
                expired_user = await sessions.close_expired(cookie)
                scope["expired_user_id"] = expired_user  # type: ignore[typeddict-unknown-key]
                if expired_user is not None and method == "POST":
                    receive = await _keep_posted_form(scope, receive, headers, expired_user)
        scope["user"] = user
        scope["auth"] = auth
        await next_app(scope, receive, send)
