"""Log in and out with email and password; sets and clears the session cookie."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from litestar import Controller, Request, get, post
from litestar.params import FromQuery, URLEncodedBody
from litestar.response import Redirect, Template

from helseiarbeid.core import kept_forms, login, oidc_login, sessions
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


def login_providers() -> list[tuple[str, str]]:
    """(name, display name) of each OpenID provider «Logg inn med ...» is offered for."""
    return [(p.name, p.display_name) for p in get_settings().oidc_providers]


class AuthController(Controller):
    include_in_schema = False

    @get("/login", opt=PUBLIC)
    async def login_page(
        self, request: Request[Any, Any, Any], next: FromQuery[str | None] = None
    ) -> Template:
        return Template(
            "login.html",
            context={
                "next": safe_next(next),
                "email": "",
                "error": None,
                "form_kept": bool(request.cookies.get(kept_forms.KEPT_FORM_COOKIE)),
                "providers": login_providers(),
            },
        )

    @post("/login", opt=PUBLIC)
    async def log_in(self, request: Request[Any, Any, Any], data: FormBody) -> Template | Redirect:
        email = data.get("email", "")
        target = safe_next(data.get("next"))
        try:
            cookie, user_id = await login.log_in(
                email, data.get("password", ""), _client_address(request)
            )
        except (InvalidInput, TooManyAttempts) as exc:
            headers = (
                {"Retry-After": str(exc.retry_after_seconds)}
                if isinstance(exc, TooManyAttempts)
                else None
            )
            return Template(
                "login.html",
                context={
                    "next": target,
                    "email": email,
                    "error": exc.message,
                    "form_kept": False,
                    "providers": login_providers(),
                },
                status_code=exc.status_code,
                headers=headers,
            )
        ticket = request.cookies.get(kept_forms.KEPT_FORM_COOKIE)
        kept_page = await kept_forms.page_after_login(ticket, user_id)
        response = Redirect(kept_page or target, status_code=303)
        if ticket and kept_page is None:
            response.delete_cookie(kept_forms.KEPT_FORM_COOKIE, path="/")
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

    @post("/okt/forleng", opt=SIGNED_IN)
    async def keep_alive(self, request: Request[Any, Any, Any]) -> Redirect:
        """«Fortsett å være innlogget»: reaching here has already refreshed the session's idle
        timer (the middleware touches it); back to the page the button was on."""
        referer = urlsplit(request.headers.get("referer", ""))
        same_site = referer.netloc == request.headers.get("host")
        return Redirect(safe_next(referer.path if same_site else None), status_code=303)

    @post("/logout", opt=SIGNED_IN)
    async def log_out(self, request: Request[Any, Any, Any]) -> Redirect:
        """End the session; after a provider's login, go on to the provider's logout too
        (RP-initiated logout) when it offers one."""
        cookie = request.cookies.get(sessions.SESSION_COOKIE)
        provider_name = await sessions.end_session(cookie) if cookie else ""
        provider = get_settings().oidc_provider(provider_name) if provider_name else None
        provider_logout = (
            await oidc_login.logout_url(provider, str(request.base_url)) if provider else None
        )
        response = Redirect(provider_logout or "/login?logged_out=1", status_code=303)
        response.delete_cookie(sessions.SESSION_COOKIE, path="/")
        return response
