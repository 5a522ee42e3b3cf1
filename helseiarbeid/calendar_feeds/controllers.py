"""Calendar routes: the feeds themselves (no login), their management, single events."""

from __future__ import annotations

from email.utils import format_datetime as http_date
from email.utils import parsedate_to_datetime
from typing import Any

from litestar import Controller, Request, Response, delete, get, post
from litestar.params import FromPath, JSONBody, URLEncodedBody
from litestar.response import Redirect, Template

from helseiarbeid.calendar_feeds import services
from helseiarbeid.calendar_feeds.schemas import FeedCreate, FeedKind, FeedOut
from helseiarbeid.clinic_track import services as clinic
from helseiarbeid.company_track import services as company
from helseiarbeid.core.errors import InvalidInput, NotFound, TooManyAttempts
from helseiarbeid.core.openapi import BEARER_REQUIRED, api_errors
from helseiarbeid.core.policy import PUBLIC, allow
from helseiarbeid.core.ratelimit import RequestLimit
from helseiarbeid.core.roles import CLINIC_STAFF, Role
from helseiarbeid.core.web import PathId, actor_of, current_user

SUBSCRIBERS = allow(CLINIC_STAFF, Role.ENTERPRISE_CONTACT)
ICS = "text/calendar"  # Litestar adds "; charset=utf-8" to text types
# Calendar clients poll about hourly; these leave room for a person pressing "refresh".
PER_TOKEN = RequestLimit("calendar-feed-token", limit=60, seconds=60)
PER_ADDRESS = RequestLimit("calendar-feed-address", limit=300, seconds=60)


def _base_url(request: Request[Any, Any, Any]) -> str:
    return str(request.base_url).rstrip("/")


def _not_modified(request: Request[Any, Any, Any], rendered: services.Validators) -> bool:
    """If-None-Match decides when present; If-Modified-Since only without it."""
    if_none_match = request.headers.get("if-none-match")
    if if_none_match is not None:
        tags = [tag.strip() for tag in if_none_match.split(",")]
        return rendered.etag in tags or "*" in tags
    since = request.headers.get("if-modified-since")
    if since and rendered.last_modified is not None:
        try:
            return rendered.last_modified.replace(microsecond=0) <= parsedate_to_datetime(since)
        except (TypeError, ValueError):
            return False
    return False


def _calendar_response(
    body: bytes,
    filename: str,
    *,
    etag: str | None = None,
    last_modified: Any = None,
    attachment: bool = False,
) -> Response[bytes]:
    headers = {
        "Content-Disposition": f'{"attachment" if attachment else "inline"}; filename="{filename}"',
        "Cache-Control": "private, max-age=0, must-revalidate",
    }
    if etag:
        headers["ETag"] = etag
    if last_modified is not None:
        headers["Last-Modified"] = http_date(last_modified, usegmt=True)
    return Response(body, media_type=ICS, headers=headers)


@get("/calendar/{filename:str}", opt=PUBLIC, include_in_schema=False, cache=False)
async def feed(request: Request[Any, Any, Any], filename: FromPath[str]) -> Response[bytes]:
    """The subscription itself. Unknown, malformed and revoked tokens all give 404."""
    token = filename.removesuffix(".ics")
    address = request.client.host if request.client else "unknown"
    if not await PER_ADDRESS.allow(address) or not await PER_TOKEN.allow(token):
        raise TooManyAttempts(
            "For mange forespørsler etter kalenderen. Prøv igjen om et minutt.", 60
        )
    found = await services.resolve(token) if filename.endswith(".ics") else None
    if found is None:
        raise NotFound("Kalenderen finnes ikke.")
    base_url = _base_url(request)
    unchanged = await services.unchanged_validators(found, base_url)
    if unchanged is not None and _not_modified(request, unchanged):
        return _not_modified_response(unchanged)
    rendered = await services.render_feed(found, base_url)
    if _not_modified(request, rendered.validators):
        return _not_modified_response(rendered.validators)
    return _calendar_response(
        rendered.body,
        "helseiarbeid.ics",
        etag=rendered.validators.etag,
        last_modified=rendered.validators.last_modified,
    )


def _not_modified_response(validators: services.Validators) -> Response[bytes]:
    headers = {"ETag": validators.etag, "Cache-Control": "private, max-age=0, must-revalidate"}
    return Response(b"", status_code=304, headers=headers)


class CalendarFeedApiController(Controller):
    path = "/api/v1/calendar-feeds"
    tags = ("calendar",)
    opt = SUBSCRIBERS
    security = BEARER_REQUIRED

    @post("/", status_code=201, responses=api_errors(403, body=True))
    async def create(self, request: Request[Any, Any, Any], data: JSONBody[FeedCreate]) -> FeedOut:
        """A new subscription URL; it is in this answer only."""
        return await services.create_feed(
            current_user(request), data.kind, data.name, _base_url(request)
        )

    @get("/", responses=api_errors(403))
    async def index(self, request: Request[Any, Any, Any]) -> list[FeedOut]:
        return await services.list_feeds(current_user(request))

    @delete("/{feed_id:int}", status_code=204, responses=api_errors(403, 404, 422))
    async def revoke(self, request: Request[Any, Any, Any], feed_id: PathId) -> None:
        await services.revoke_feed(current_user(request), feed_id)

    @post("/{feed_id:int}/rotate", status_code=201, responses=api_errors(403, 404, 422))
    async def rotate(self, request: Request[Any, Any, Any], feed_id: PathId) -> FeedOut:
        return await services.rotate_feed(current_user(request), feed_id, _base_url(request))


class CalendarPageController(Controller):
    include_in_schema = False
    opt = SUBSCRIBERS

    async def _page(
        self, request: Request[Any, Any, Any], new: FeedOut | None = None, error: str | None = None
    ) -> Template:
        user = current_user(request)
        return Template(
            "calendar_feeds/feeds.html",
            context={
                "feeds": await services.list_feeds(user),
                "kinds": services.kinds_for(user.role),
                "new": new,
                "error": error,
            },
            status_code=422 if error else 200,
        )

    @get("/kalender")
    async def page(self, request: Request[Any, Any, Any]) -> Template:
        return await self._page(request)

    @post("/kalender", status_code=200)
    async def create(
        self, request: Request[Any, Any, Any], data: URLEncodedBody[dict[str, str]]
    ) -> Template:
        kind = data.get("kind", "")
        if kind not in set(FeedKind):
            return await self._page(request, error="Velg hvilken kalender du vil abonnere på.")
        try:
            created = await services.create_feed(
                current_user(request), FeedKind(kind), data.get("name", ""), _base_url(request)
            )
        except InvalidInput as exc:
            return await self._page(request, error=exc.message)
        return await self._page(request, new=created)

    @post("/kalender/{feed_id:int}/ny-adresse", status_code=200)
    async def rotate(self, request: Request[Any, Any, Any], feed_id: PathId) -> Template:
        rotated = await services.rotate_feed(current_user(request), feed_id, _base_url(request))
        return await self._page(request, new=rotated)

    @post("/kalender/{feed_id:int}/slett")
    async def revoke(self, request: Request[Any, Any, Any], feed_id: PathId) -> Redirect:
        await services.revoke_feed(current_user(request), feed_id)
        return Redirect("/kalender?slettet=1", status_code=303)

    @get(
        "/calendar/events/session/{session_id:int}",
        opt=allow(CLINIC_STAFF, Role.ENTERPRISE_CONTACT),
    )
    async def session_event(
        self, request: Request[Any, Any, Any], session_id: PathId
    ) -> Response[bytes]:
        """ "Add to calendar" for one company session the user may see."""
        item = await company.session_for_calendar(
            current_user(request), session_id, _base_url(request)
        )
        return _calendar_response(
            services.single_event(item), f"samling-{session_id}.ics", attachment=True
        )

    @get("/calendar/events/consultation/{consultation_id:int}", opt=allow(CLINIC_STAFF))
    async def consultation_event(
        self, request: Request[Any, Any, Any], consultation_id: PathId
    ) -> Response[bytes]:
        """ "Add to calendar" for one consultation (clinic staff only; no patient details)."""
        item = await clinic.consultation_event(
            actor_of(request), consultation_id, _base_url(request)
        )
        return _calendar_response(
            services.single_event(item), f"konsultasjon-{consultation_id}.ics", attachment=True
        )
