"""Errors as users meet them: JSON for the API, friendly Norwegian pages for the browser.

No handler ever shows a traceback; a 500 is logged with its exception type and a reference
the user can quote to support.
"""

from __future__ import annotations

import logging
import secrets
from http import HTTPStatus
from typing import Any, cast
from urllib.parse import quote

from litestar import MediaType, Request, Response
from litestar.exceptions import HTTPException, SerializationException, ValidationException
from litestar.response import Redirect, Template
from litestar.status_codes import (
    HTTP_400_BAD_REQUEST,
    HTTP_401_UNAUTHORIZED,
    HTTP_403_FORBIDDEN,
    HTTP_422_UNPROCESSABLE_ENTITY,
    HTTP_500_INTERNAL_SERVER_ERROR,
    HTTP_503_SERVICE_UNAVAILABLE,
)

from helseiarbeid.core import database
from helseiarbeid.core.errors import InvalidInput, ServiceError, TooManyAttempts
from helseiarbeid.core.kept_forms import KEEP_FOR, KEPT_FORM_COOKIE
from helseiarbeid.core.middleware import API_PREFIX
from helseiarbeid.core.parse_errors import describe
from helseiarbeid.core.sessions import SESSION_COOKIE

log = logging.getLogger("helseiarbeid.errors")

PAGE_TITLES = {
    400: "Ugyldig forespørsel",
    401: "Du må logge inn",
    403: "Ingen tilgang",
    404: "Fant ikke siden",
    405: "Metoden er ikke tillatt",
    409: "Konflikt",
    413: "For stor forespørsel",
    422: "Ugyldige opplysninger",
    429: "For mange forsøk",
    500: "Noe gikk galt",
    503: "Tjenesten er utilgjengelig",
}
GENERIC_MESSAGES = {
    401: "Du må logge inn for å se denne siden.",
    403: "Du har ikke tilgang til denne siden.",
    404: "Siden finnes ikke, eller du har ikke tilgang til den.",
    405: "Denne adressen støtter ikke denne metoden.",
    413: "Forespørselen er for stor.",
}


def _wants_json(request: Request[Any, Any, Any]) -> bool:
    return request.url.path.startswith(API_PREFIX) or request.url.path.startswith("/schema")


def _respond(
    request: Request[Any, Any, Any],
    status: int,
    detail: str,
    *,
    errors: dict[str, str] | None = None,
    headers: dict[str, str] | None = None,
) -> Response[Any]:
    if _wants_json(request):
        body: dict[str, Any] = {"status_code": status, "detail": detail}
        if errors:
            body["errors"] = errors
        return Response(body, status_code=status, media_type=MediaType.JSON, headers=headers)
    return Template(
        "errors/error.html",
        context={
            "status": status,
            "title": PAGE_TITLES.get(status, "Feil"),
            "detail": detail,
        },
        status_code=status,
        headers=headers,
    )


def validation_error(request: Request[Any, Any, Any], exc: ValidationException) -> Response[Any]:
    """A body or parameter that fails its schema: 400 for unreadable JSON, else 422 per field."""
    extra = exc.extra if isinstance(exc.extra, list) else []
    errors: dict[str, str] = {}
    malformed = False
    for item in extra:
        if isinstance(item, dict):
            message = str(item.get("message", ""))
            malformed = malformed or "malformed" in message.lower()
            field, said = describe(str(item.get("key") or ""), message)
            errors[field or "body"] = said
    if malformed or not errors:
        return _respond(request, HTTP_400_BAD_REQUEST, "Innholdet er ikke gyldig JSON.")
    detail = "; ".join(f"{name}: {message}" for name, message in errors.items())
    return _respond(request, HTTP_422_UNPROCESSABLE_ENTITY, detail, errors=errors)


def service_error(request: Request[Any, Any, Any], exc: ServiceError) -> Response[Any]:
    headers = None
    if isinstance(exc, TooManyAttempts):
        headers = {"Retry-After": str(exc.retry_after_seconds)}
    errors = exc.fields if isinstance(exc, InvalidInput) else None
    return _respond(request, exc.status_code, exc.message, errors=errors, headers=headers)


def _to_login(request: Request[Any, Any, Any]) -> Redirect:
    """To the login page, and back here after it. A form posted over an expired session was
    kept by the middleware: the browser gets its ticket, and the login leads to its page."""
    target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    expired = "&expired=1" if request.cookies.get(SESSION_COOKIE) else ""
    kept = cast("tuple[str, str] | None", request.scope.get("kept_form"))
    if kept:
        target = kept[1]
    response = Redirect(f"/login?next={quote(target, safe='')}{expired}")
    if kept:
        response.set_cookie(
            KEPT_FORM_COOKIE,
            kept[0],
            max_age=int(KEEP_FOR.total_seconds()),
            httponly=True,
            samesite="lax",
            secure=request.url.scheme == "https",
            path="/",
        )
    return response


def http_error(request: Request[Any, Any, Any], exc: HTTPException) -> Response[Any]:
    status = exc.status_code
    # A page form posted just after the session expired fails for want of a login (401), or
    # first on its CSRF token if the browser has lost that cookie too (403): both go to login.
    lost_session = status == HTTP_401_UNAUTHORIZED or (
        status == HTTP_403_FORBIDDEN and request.scope.get("expired_user_id") is not None
    )
    if lost_session and not _wants_json(request):
        return _to_login(request)
    if isinstance(exc.__cause__, SerializationException):
        return _respond(request, HTTP_400_BAD_REQUEST, "Innholdet er ikke gyldig JSON.")
    # Litestar's own exceptions carry the English status phrase; show ours instead.
    detail = exc.detail if exc.detail and exc.detail != HTTPStatus(status).phrase else ""
    detail = detail or GENERIC_MESSAGES.get(status, PAGE_TITLES.get(status, "Feil"))
    headers = dict(exc.headers) if exc.headers else {}
    if status == HTTP_401_UNAUTHORIZED:
        headers["WWW-Authenticate"] = "Bearer"
    return _respond(request, status, detail, headers=headers or None)


# Seconds a client is asked to wait before retrying while the database cannot be reached.
RETRY_AFTER_SECONDS = 5


def server_error(request: Request[Any, Any, Any], exc: Exception) -> Response[Any]:
    """An exception nobody handled: 503 with Retry-After when the database cannot be reached or
    written now (``database.is_unavailable``), else a 500 with a reference for support."""
    if database.is_unavailable(exc):
        log.warning(
            "database unavailable (%s) on %s %s",
            type(exc).__name__,
            request.method,
            request.url.path,
            extra={"path": request.url.path, "status": 503},
        )
        return _respond(
            request,
            HTTP_503_SERVICE_UNAVAILABLE,
            "Databasen svarer ikke akkurat nå. Prøv igjen om litt.",
            headers={"Retry-After": str(RETRY_AFTER_SECONDS)},
        )
    reference = secrets.token_hex(4)
    log.error(
        "unhandled %s on %s %s (reference %s)",
        type(exc).__name__,
        request.method,
        request.url.path,
        reference,
        exc_info=exc,
        extra={"path": request.url.path, "status": 500},
    )
    return _respond(
        request,
        HTTP_500_INTERNAL_SERVER_ERROR,
        f"Det oppstod en feil hos oss. Oppgi referanse {reference} hvis du kontakter brukerstøtte.",
    )


EXCEPTION_HANDLERS: dict[Any, Any] = {
    ValidationException: validation_error,
    ServiceError: service_error,
    HTTPException: http_error,
    Exception: server_error,
}
