"""Every route declares who may use it, and every role is refused where it does not belong."""

from __future__ import annotations

import re

import httpx
import pytest
from litestar import Litestar
from litestar.routes import HTTPRoute

from helseiarbeid.app import create_app
from helseiarbeid.core.policy import Policy, policy_of
from helseiarbeid.core.roles import Role
from tests.cast import Cast, bearer, csrf_token

APP = create_app()
_PATH_PARAM = re.compile(r"\{[^}]+\}")


def _endpoints(app: Litestar) -> list[tuple[str, str, Policy | None]]:
    found = []
    for route in app.routes:
        if not isinstance(route, HTTPRoute):
            continue
        for handler in route.route_handlers:
            for method in sorted(handler.http_methods):
                if method in {"HEAD", "OPTIONS"}:
                    continue
                found.append((method, route.path, policy_of(handler)))
    return found


ENDPOINTS = _endpoints(APP)


def test_every_route_declares_a_policy() -> None:
    missing = [f"{method} {path}" for method, path, policy in ENDPOINTS if policy is None]
    assert ENDPOINTS, "the app should have routes"
    assert missing == [], f"routes without a role policy: {missing}"


def test_a_route_without_policy_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    """Fail closed: a handler that forgot its policy is not open to everyone."""
    from litestar import get
    from litestar.testing import create_test_client

    from helseiarbeid.core.policy import enforce_policy

    @get("/forgotten", sync_to_thread=False)
    def forgotten() -> str:
        return "secret"

    with create_test_client([forgotten], guards=[enforce_policy]) as test_client:
        response = test_client.get("/forgotten")
    assert response.status_code == 403


RESTRICTED = [
    (method, path, role)
    for method, path, policy in ENDPOINTS
    if policy is not None and not policy.public
    for role in Role
    if role not in policy.roles
]


@pytest.mark.parametrize(("method", "path", "role"), RESTRICTED)
async def test_role_is_refused_where_it_does_not_belong(
    client: httpx.AsyncClient, cast: Cast, method: str, path: str, role: Role
) -> None:
    headers = await bearer(cast.by_role(role))
    headers["x-csrftoken"] = await csrf_token(client)
    url = _PATH_PARAM.sub("1", path)
    response = await client.request(method, url, headers=headers)
    assert response.status_code == 403, (
        f"{role.value} got {response.status_code} on {method} {path}"
    )


@pytest.mark.parametrize(
    ("method", "path"),
    [(method, path) for method, path, policy in ENDPOINTS if policy and not policy.public],
)
async def test_anonymous_caller_is_sent_to_login_or_refused(
    client: httpx.AsyncClient, database: str, method: str, path: str
) -> None:
    headers = {"x-csrftoken": await csrf_token(client)}
    response = await client.request(method, _PATH_PARAM.sub("1", path), headers=headers)
    if path.startswith("/api/"):
        assert response.status_code == 401
    else:
        assert response.status_code in (302, 303)
        assert response.headers["location"].startswith("/login?next=")


def test_every_route_cleans_its_body_in_one_place() -> None:
    """Litestar runs only the innermost before_request hook: a handler or controller with its
    own would skip core.request_input's cleaning of every JSON body and form."""
    from helseiarbeid.core.request_input import clean_request_body

    skipped = [
        f"{method} {route.path}"
        for route in APP.routes
        if isinstance(route, HTTPRoute)
        for handler in route.route_handlers
        for method in handler.http_methods
        if handler.resolve_before_request() is not clean_request_body
    ]
    assert skipped == []
