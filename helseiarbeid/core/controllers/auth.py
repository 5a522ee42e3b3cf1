"""Log in and out with email and password; sets and clears the session cookie."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, get, post
from litestar.params import FromQuery, URLEncodedBody
from litestar.response import Redirect, Template

from helseiarbeid.core import login, sessions
from helseiarbeid.core.errors import InvalidInput, TooManyAttempts
from helseiarbeid.core.policy import PUBLIC, SIGNED_IN
from helseiarbeid.settings import get_settings

FormBody = URLEncodedBody[dict[str, str]]


def safe_next(target: str | None) -> str:
    """Only local paths, so the login page cannot be used to redirect somewhere else."""
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return "/"


def _client_address(request: Request[Any, Any, Any]) -> str:
    return request.client.host if request.client else "unknown"


class AuthController(Controller):
    include_in_schema = False

    @get("/login", opt=PUBLIC)
    async def login_page(self, next: FromQuery[str | None] = None) -> Template:
        return Template(
            "login.html",
            context={"next": safe_next(next), "email": "", "error": None},
        )

    @post("/login", opt=PUBLIC)
    async def log_in(self, request: Request[Any, Any, Any], data: FormBody) -> Template | Redirect:
        email = data.get("email", "")
        target = safe_next(data.get("next"))
        try:
            cookie = await login.log_in(email, data.get("password", ""), _client_address(request))
        except (InvalidInput, TooManyAttempts) as exc:
            headers = (
                {"Retry-After": str(exc.retry_after_seconds)}
                if isinstance(exc, TooManyAttempts)
                else None
            )
            return Template(
                "login.html",
                context={"next": target, "email": email, "error": exc.message},
                status_code=exc.status_code,
                headers=headers,
            )
        response = Redirect(target, status_code=303)
        response.set_cookie(
            sessions.SESSION_COOKIE,
            cookie,
            max_age=get_settings().session_absolute_minutes * 60,
            httponly=True,
            samesite="lax",
            secure=request.url.scheme == "https",
            path="/",
        )
        return response

    @post("/logout", opt=SIGNED_IN)
    async def log_out(self, request: Request[Any, Any, Any]) -> Redirect:
        cookie = request.cookies.get(sessions.SESSION_COOKIE)
        if cookie:
            await sessions.end_session(cookie)
        response = Redirect("/login?logged_out=1", status_code=303)
        response.delete_cookie(sessions.SESSION_COOKIE, path="/")
        return response
