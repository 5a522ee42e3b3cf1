"""Log in and out: password, then the second factor where due (core/login.py), then the
session cookie; logging out clears it."""

from __future__ import annotations

from typing import Any, TypeVar
from urllib.parse import urlsplit

from litestar import Controller, Request, Response, get, post
from litestar.params import FromQuery, URLEncodedBody
from litestar.response import Redirect, Template

from helseiarbeid.core import csrf, kept_forms, login, oidc_login, sessions, totp
from helseiarbeid.core.errors import InvalidInput, ServiceError, TooManyAttempts
from helseiarbeid.core.policy import PUBLIC, SIGNED_IN
from helseiarbeid.settings import get_settings

FormBody = URLEncodedBody[dict[str, str]]
CODE_PAGE = "/login/kode"
ENROL_PAGE = "/login/totrinn"
R = TypeVar("R", Redirect, Template)


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


def _https(request: Request[Any, Any, Any]) -> bool:
    return request.url.scheme == "https"


def _retry_after(exc: ServiceError) -> dict[str, str] | None:
    if isinstance(exc, TooManyAttempts):
        return {"Retry-After": str(exc.retry_after_seconds)}
    return None


async def _code_context(state: login.Pending, error: str | None) -> dict[str, Any]:
    """The code page's context. The hint on fetching a demo account's code shows only in a demo
    (synthetic identities accepted) and only to a demo account: a real user's authenticator
    has no code to fetch from the terminal."""
    demo = get_settings().accept_synthetic_ids and await totp.has_demo_authenticator(state.user_id)
    return {"email": state.email, "error": error, "demo": demo}


def _enrol_context(state: login.Pending, error: str | None) -> dict[str, Any]:
    uri = totp.provisioning_uri(state.new_secret, state.email)
    return {
        "email": state.email,
        "error": error,
        "qr": totp.qr_svg(uri, f"QR-kode for å legge til HelseIArbeid ({state.email}) i appen"),
        "secret": totp.grouped(state.new_secret),
    }


async def _kept_page(request: Request[Any, Any, Any], user_id: int) -> str | None:
    """The page of a form kept over an expired session for this user (core/kept_forms.py)."""
    return await kept_forms.page_after_login(
        request.cookies.get(kept_forms.KEPT_FORM_COOKIE), user_id
    )


def _signed_in(
    request: Request[Any, Any, Any], response: R, cookie: str, kept_page: str | None
) -> R:
    """The response that ends a login: the session cookie set; the pending login's cookie,
    the pre-session CSRF cookie and a kept form's ticket that led nowhere cleared."""
    if request.cookies.get(kept_forms.KEPT_FORM_COOKIE) and kept_page is None:
        response.delete_cookie(kept_forms.KEPT_FORM_COOKIE, path="/")
    response.delete_cookie(login.PENDING_COOKIE, path=login.PENDING_PATH)
    response.delete_cookie(csrf.PRESESSION_COOKIE, path="/")
    response.set_cookie(
        sessions.SESSION_COOKIE,
        cookie,
        max_age=get_settings().session_absolute_minutes * 60,
        httponly=True,
        samesite="lax",
        secure=_https(request),
        path="/",
    )
    return response


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
    async def log_in(self, request: Request[Any, Any, Any], data: FormBody) -> Response[Any]:
        email = data.get("email", "")
        target = safe_next(data.get("next"))
        try:
            step = await login.log_in(
                email, data.get("password", ""), _client_address(request), target
            )
        except (InvalidInput, TooManyAttempts) as exc:
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
                headers=_retry_after(exc),
            )
        if step.stage is login.Stage.DONE:
            kept_page = await _kept_page(request, step.user_id)
            redirect = Redirect(kept_page or target, status_code=303)
            return _signed_in(request, redirect, step.cookie, kept_page)
        page = CODE_PAGE if step.stage is login.Stage.CODE else ENROL_PAGE
        response = Redirect(page, status_code=303)
        response.set_cookie(
            login.PENDING_COOKIE,
            step.cookie,
            max_age=int(login.PENDING_FOR.total_seconds()),
            httponly=True,
            samesite="lax",
            secure=_https(request),
            path=login.PENDING_PATH,
        )
        return response

    @get(CODE_PAGE, opt=PUBLIC)
    async def code_page(self, request: Request[Any, Any, Any]) -> Response[Any]:
        state = await login.pending(request.cookies.get(login.PENDING_COOKIE))
        if state is None or state.stage is not login.Stage.CODE:
            return Redirect(ENROL_PAGE if state else "/login?expired_code=1")
        return Template("login_code.html", context=await _code_context(state, None))

    @post(CODE_PAGE, opt=PUBLIC)
    async def enter_code(self, request: Request[Any, Any, Any], data: FormBody) -> Response[Any]:
        ticket = request.cookies.get(login.PENDING_COOKIE) or ""
        state = await login.pending(ticket)
        if state is None or state.stage is not login.Stage.CODE:
            return Redirect("/login?expired_code=1", status_code=303)
        try:
            cookie = await login.enter_code(
                ticket, state, data.get("code", ""), _client_address(request)
            )
        except (InvalidInput, TooManyAttempts) as exc:
            return Template(
                "login_code.html",
                context=await _code_context(state, exc.message),
                status_code=exc.status_code,
                headers=_retry_after(exc),
            )
        kept_page = await _kept_page(request, state.user_id)
        redirect = Redirect(kept_page or state.next_path, status_code=303)
        return _signed_in(request, redirect, cookie, kept_page)

    @get(ENROL_PAGE, opt=PUBLIC)
    async def enrol_page(self, request: Request[Any, Any, Any]) -> Response[Any]:
        state = await login.pending(request.cookies.get(login.PENDING_COOKIE))
        if state is None or state.stage is not login.Stage.ENROL:
            return Redirect(CODE_PAGE if state else "/login?expired_code=1")
        return Template("login_enrol.html", context=_enrol_context(state, None))

    @post(ENROL_PAGE, opt=PUBLIC)
    async def confirm_enrolment(
        self, request: Request[Any, Any, Any], data: FormBody
    ) -> Response[Any]:
        ticket = request.cookies.get(login.PENDING_COOKIE) or ""
        state = await login.pending(ticket)
        if state is None or state.stage is not login.Stage.ENROL:
            return Redirect("/login?expired_code=1", status_code=303)
        try:
            cookie, codes = await login.confirm_enrolment(
                ticket, state, data.get("code", ""), _client_address(request)
            )
        except (InvalidInput, TooManyAttempts) as exc:
            return Template(
                "login_enrol.html",
                context=_enrol_context(state, exc.message),
                status_code=exc.status_code,
                headers=_retry_after(exc),
            )
        kept_page = await _kept_page(request, state.user_id)
        page = Template(
            "login_recovery_codes.html",
            context={"codes": codes, "next": kept_page or state.next_path},
        )
        return _signed_in(request, page, cookie, kept_page)

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
