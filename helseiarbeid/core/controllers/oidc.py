"""«Logg inn med HelseID»: the two legs of an OpenID Connect login (core/oidc_login.py)."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Controller, Request, get
from litestar.exceptions import NotFoundException
from litestar.params import FromPath, FromQuery, QueryParameter
from litestar.response import Redirect, Template

from helseiarbeid.core import oidc_login, sessions
from helseiarbeid.core.controllers.auth import login_providers, safe_next
from helseiarbeid.core.oidc import ProviderUnavailable
from helseiarbeid.core.policy import PUBLIC
from helseiarbeid.settings import OidcProvider, get_settings

UNAVAILABLE = "Innloggingstjenesten svarer ikke akkurat nå. Prøv igjen om litt."


def _provider(name: str) -> OidcProvider:
    provider = get_settings().oidc_provider(name)
    if provider is None:
        raise NotFoundException("Denne innloggingstjenesten er ikke satt opp.")
    return provider


def _refused(message: str, status: int) -> Template:
    return Template(
        "login.html",
        context={
            "next": "/",
            "email": "",
            "error": message,
            "form_kept": False,
            "providers": login_providers(),
            "provider_error": True,
        },
        status_code=status,
    )


class OidcLoginController(Controller):
    path = "/login/oidc/{name:str}"
    include_in_schema = False

    @get("/", opt=PUBLIC)
    async def start(
        self,
        request: Request[Any, Any, Any],
        name: FromPath[str],
        next: FromQuery[str | None] = None,
    ) -> Redirect | Template:
        """To the provider's login page, with a flow cookie that ties its answer to this
        browser."""
        provider = _provider(name)
        try:
            url, flow = await oidc_login.begin(provider, str(request.base_url), safe_next(next))
        except ProviderUnavailable:
            return _refused(UNAVAILABLE, 503)
        response = Redirect(url, status_code=303)
        response.set_cookie(
            oidc_login.FLOW_COOKIE,
            flow,
            max_age=int(oidc_login.FLOW_LIFETIME.total_seconds()),
            httponly=True,
            samesite="lax",
            secure=request.url.scheme == "https",
            path=f"/login/oidc/{provider.name}",
        )
        return response

    @get("/callback", opt=PUBLIC)
    async def callback(
        self,
        request: Request[Any, Any, Any],
        name: FromPath[str],
        code: FromQuery[str] = "",
        answer_state: Annotated[str, QueryParameter(name="state")] = "",
        error: FromQuery[str] = "",
    ) -> Redirect | Template:
        """The provider's answer: a session and on to the page asked for, or the login page
        saying why not."""
        provider = _provider(name)
        if error or not code:
            return _refused(f"Innloggingen gjennom {provider.display_name} ble avbrutt.", 400)
        try:
            cookie, _, target = await oidc_login.finish(
                provider,
                str(request.base_url),
                request.cookies.get(oidc_login.FLOW_COOKIE),
                code,
                answer_state,
            )
        except oidc_login.LoginRefused as exc:
            return _refused(exc.message, exc.status)
        except ProviderUnavailable:
            return _refused(UNAVAILABLE, 503)
        response = Redirect(safe_next(target), status_code=303)
        response.delete_cookie(oidc_login.FLOW_COOKIE, path=f"/login/oidc/{provider.name}")
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
