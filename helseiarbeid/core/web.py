"""Small helpers controllers share: who the caller is, as the services want it."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated, Any

from litestar import Request, Response
from litestar.params import PathParameter, QueryParameter

from helseiarbeid.core import kept_forms
from helseiarbeid.core.audit import Actor
from helseiarbeid.core.errors import InvalidInput
from helseiarbeid.core.schemas import MAX_DB_INT
from helseiarbeid.core.users import CurrentUser

# Path and query parameters that name rows or page through them, bounded so that no value can
# overflow the database's integers (a clear 4xx instead of a 500).
PathId = Annotated[int, PathParameter(ge=1, le=MAX_DB_INT)]
QueryId = Annotated[int | None, QueryParameter(ge=1, le=MAX_DB_INT)]
Offset = Annotated[int, QueryParameter(ge=0, le=MAX_DB_INT)]


def current_user(request: Request[Any, Any, Any]) -> CurrentUser:
    user: CurrentUser = request.scope["user"]  # the policy guard has made sure it is set
    return user


def actor_of(request: Request[Any, Any, Any]) -> Actor:
    user = current_user(request)
    auth = request.scope.get("auth")
    client = "api" if auth == "token" else "api-helseid" if auth == "helseid" else "web"
    return Actor(user_id=user.id, role=user.role.value, client=client)


async def kept_form(request: Request[Any, Any, Any]) -> kept_forms.Kept | None:
    """The form the signed-in user posted from this page just after their session expired,
    if it was kept (core/kept_forms.py); single use. The page is then shown with these values
    and base.html says the form was kept and must be sent again (nothing is sent for them)."""
    kept = await kept_forms.take(
        request.cookies.get(kept_forms.KEPT_FORM_COOKIE),
        current_user(request).id,
        request.url.path,
    )
    if kept is not None:
        request.state.kept_form = True
    return kept


CONFIRM_FIELD = "bekreft"


def require_confirmation(form: Mapping[str, Any], message: str) -> None:
    """A step that cannot be undone (withdrawing a referral, cancelling a programme, sending
    the report) needs its confirmation box ticked (_macros.html confirm_box), which works
    without JavaScript. Raises InvalidInput naming the box, so the page shows the form again."""
    if form.get(CONFIRM_FIELD) != "ja":
        raise InvalidInput({CONFIRM_FIELD: message})


def pdf_response(content: bytes, filename: str) -> Response[bytes]:
    """A PDF shown in the browser (inline), with a file name for saving it."""
    return Response(
        content,
        media_type="application/pdf",
        headers={"Content-Disposition": f'inline; filename="{filename}"'},
    )
