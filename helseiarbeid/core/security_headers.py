"""Response headers that keep health data out of caches, frames and other sites' hands.

Every HTTP response of the service, including errors and redirects, gets them here, so no
route can forget one:

- ``Cache-Control: no-store`` unless the handler chose its own (calendar feeds revalidate with
  ETags; static files may be cached): after «Logg ut» the browser's Back button must not show
  a case from its cache. ``/static/`` is left to the static files' own headers.
- ``Content-Security-Policy``: only this origin's scripts (no inline script), styles from this
  origin and in ``style`` attributes (chart geometry), no framing (``frame-ancestors 'none'``,
  and ``X-Frame-Options: DENY`` for older browsers), forms post only here.
- ``X-Content-Type-Options: nosniff``, ``Referrer-Policy: same-origin`` (a case URL never
  leaves in a Referer), and ``Strict-Transport-Security`` when the request came over https.

Source: issue 12 §3 (Normen; OWASP ASVS 14.4).
"""

from __future__ import annotations

from functools import lru_cache
from urllib.parse import urlsplit

from litestar.datastructures import MutableScopeHeaders
from litestar.types import Message, Scope

from helseiarbeid.settings import get_settings

CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; object-src 'none'; base-uri 'none'; form-action 'self'{providers}; "
    "frame-ancestors 'none'"
)


@lru_cache(maxsize=4)
def content_security_policy(issuers: tuple[str, ...] = ()) -> str:
    """The policy, with the origins of these OpenID providers' issuer URLs in form-action."""
    origins = sorted({"{0.scheme}://{0.netloc}".format(urlsplit(issuer)) for issuer in issuers})
    return CONTENT_SECURITY_POLICY.format(providers="".join(f" {o}" for o in origins))


ALWAYS = {
    "x-content-type-options": "nosniff",
    "x-frame-options": "DENY",
    "referrer-policy": "same-origin",
}
HSTS = "max-age=31536000; includeSubDomains"
_STATIC_PREFIX = "/static/"


async def add_security_headers(message: Message, scope: Scope) -> None:
    """The app's ``before_send`` hook: adds the headers above to every HTTP response's start,
    routed or not (a 404 for an unknown path passes no route middleware)."""
    if message["type"] != "http.response.start":
        return
    headers = MutableScopeHeaders.from_message(message)
    for name, value in ALWAYS.items():
        headers[name] = value
    headers["content-security-policy"] = content_security_policy(
        tuple(provider.issuer for provider in get_settings().oidc_providers)
    )
    if not scope["path"].startswith(_STATIC_PREFIX) and "cache-control" not in headers:
        headers["cache-control"] = "no-store"
    if scope.get("scheme") == "https":
        headers["strict-transport-security"] = HSTS
