"""Who may use which route. Every route handler declares a policy in its ``opt``; one guard
enforces it, and a route without a policy is refused (fail closed) and fails a test.

    @get("/x", opt=allow(Role.GP))        # only GPs
    @get("/y", opt=SIGNED_IN)             # any signed-in user
    @get("/z", opt=PUBLIC)                # anyone, e.g. /health and the login page
    @post("/api/v1/x", opt=allow(Role.GP) | needs_scope("referrals.write"))

A HelseID access token (core/access_tokens.py) reaches only routes that name the scope it
must grant (``needs_scope``); others refuse it with 403 ``insufficient_scope`` (RFC 6750 § 3.1).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from litestar.connection import ASGIConnection
from litestar.exceptions import NotAuthorizedException, PermissionDeniedException
from litestar.handlers import HTTPRouteHandler
from litestar.handlers.base import BaseRouteHandler

from helseiarbeid.core.access_tokens import SystemCaller, has_scope
from helseiarbeid.core.roles import ALL_ROLES, Role
from helseiarbeid.core.users import CurrentUser

POLICY_KEY = "policy"
SCOPE_KEY = "token_scope"


@dataclass(frozen=True)
class Policy:
    roles: frozenset[Role]
    public: bool = False


def allow(*roles: Role | frozenset[Role]) -> dict[str, Any]:
    allowed: set[Role] = set()
    for item in roles:
        allowed |= item if isinstance(item, frozenset) else {item}
    if not allowed:
        raise ValueError("allow() needs at least one role; use PUBLIC for open routes")
    return {POLICY_KEY: Policy(roles=frozenset(allowed))}


def needs_scope(scope: str) -> dict[str, Any]:
    """The scope (without HELSEIARBEID_API_SCOPE_PREFIX) a HelseID token must grant here."""
    return {SCOPE_KEY: scope}


PUBLIC: dict[str, Any] = {POLICY_KEY: Policy(roles=ALL_ROLES, public=True)}
SIGNED_IN: dict[str, Any] = allow(ALL_ROLES)


def policy_of(handler: BaseRouteHandler) -> Policy | None:
    policy = handler.opt.get(POLICY_KEY)
    return policy if isinstance(policy, Policy) else None


async def enforce_policy(
    connection: ASGIConnection[Any, Any, Any, Any], handler: BaseRouteHandler
) -> None:
    """App-wide guard."""
    if isinstance(handler, HTTPRouteHandler) and handler.http_methods == {"OPTIONS"}:
        # Litestar's automatic OPTIONS answer: its Allow list goes stale on paths with several
        # methods, and it inherits a controller's policy but not a route's. The service answers
        # no OPTIONS (there is no CORS), so it is refused everywhere alike.
        raise PermissionDeniedException("Denne adressen svarer ikke på OPTIONS.")
    policy = policy_of(handler)
    if policy is None:
        raise PermissionDeniedException("Denne siden har ingen tilgangsregel.")
    if policy.public:
        return
    user: CurrentUser | None = connection.scope.get("user")
    if user is None:
        raise NotAuthorizedException("Du må logge inn.")
    if user.role not in policy.roles:
        raise PermissionDeniedException("Du har ikke tilgang til denne siden.")
    caller = connection.scope.get("system_caller")
    if isinstance(caller, SystemCaller):
        needed = handler.opt.get(SCOPE_KEY)
        if not isinstance(needed, str) or not has_scope(caller, needed):
            raise PermissionDeniedException(
                f"Tokenet gir ikke tilgang til dette (mangler scope «{needed or 'ingen'}»).",
                headers={"WWW-Authenticate": 'DPoP error="insufficient_scope"'},
            )
