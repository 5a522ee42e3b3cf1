"""Health messages in: ``POST /api/v1/messages`` (the message body in, the AppRec out) for
system accounts with the role ``messaging``, and the «Meldinger» pages for the coordinator
and the administrator."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from litestar import Controller, Request, get, post
from litestar.exceptions import HTTPException
from litestar.openapi.spec import OpenAPIMediaType, OpenAPIType, Operation, RequestBody, Schema
from litestar.params import FromQuery, URLEncodedBody
from litestar.response import Redirect, Response, Template

from helseiarbeid.core.errors import InvalidInput
from helseiarbeid.core.openapi import BEARER_REQUIRED, api_errors
from helseiarbeid.core.policy import allow
from helseiarbeid.core.roles import Role
from helseiarbeid.core.web import PathId, actor_of, current_user, require_confirmation
from helseiarbeid.messaging import services
from helseiarbeid.settings import get_settings

# Largest message accepted: a referral with a few scanned PDF pages (base64 adds a third).
MAX_MESSAGE_BYTES = 8 * 1024 * 1024
XML_TYPES = frozenset({"application/xml", "text/xml"})


@dataclass
class _XmlBodyOperation(Operation):
    """The operation as documented, with its XML body: the handler reads the raw body itself
    (a ``data`` parameter would be decoded as JSON), so the body is declared here."""

    def __post_init__(self) -> None:
        self.request_body = RequestBody(
            content={
                "application/xml": OpenAPIMediaType(
                    schema=Schema(type=OpenAPIType.STRING, description="A health message")
                )
            },
            required=True,
            description="MsgHead 1.2 with Henvisning 2.0, or a Henvisning 1.1 / 1.0 Message",
        )


class MessageApiController(Controller):
    path = "/api/v1/messages"
    tags = ("messages",)
    security = BEARER_REQUIRED

    @post(
        "/",
        opt=allow(Role.MESSAGING),
        status_code=200,
        media_type="application/xml",
        request_max_body_size=MAX_MESSAGE_BYTES,
        responses=api_errors(403, 415, body=True),
        operation_class=_XmlBodyOperation,
    )
    async def receive(self, request: Request[Any, Any, Any]) -> Response[Any]:
        """Receive one health message (MsgHead 1.2 with Henvisning 2.0, or Henvisning 1.1 /
        1.0) as an ``application/xml`` body; answers 200 with its AppRec 1.1, also when the
        message is rejected (AppRec status 2). When the sender's HER-id cannot be read (not
        well-formed XML, an unknown kind of message, no sender HER-id), there is no one to send
        an AppRec to: the message is logged as rejected and the answer is 422 with
        ``errors`` mapping each AppRec error code (8221) to its Norwegian text, for the
        message server to reject it by. 413 above 8 MiB, 415 for another media type, 422
        without a body.
        """
        media_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
        if media_type not in XML_TYPES:
            raise HTTPException(status_code=415, detail="Meldingen må sendes som application/xml.")
        answer = await services.receive(await request.body(), actor_of(request))
        if answer.apprec_xml is None:
            # Rejected and logged, but there is no sender to address an AppRec to.
            return Response(
                {
                    "status_code": 422,
                    "detail": services.NO_SENDER,
                    "errors": dict(answer.errors),
                },
                status_code=422,
                media_type="application/json",
                headers={"AppRec-Status": str(answer.status)},
            )
        return Response(
            answer.apprec_xml,
            status_code=200,
            media_type="application/xml",
            headers={"AppRec-Status": str(answer.status)},
        )


class MessagePageController(Controller):
    path = "/meldinger"
    include_in_schema = False
    opt = allow(Role.COORDINATOR, Role.ADMIN)

    @get("/")
    async def page(self, request: Request[Any, Any, Any]) -> Template:
        return Template(
            "messaging/list.html",
            context={
                "messages": await services.list_messages(current_user(request)),
                "message_server_on": get_settings().message_server_on,
            },
        )

    @get("/{message_id:int}")
    async def one(
        self, request: Request[Any, Any, Any], message_id: PathId, sendt: FromQuery[bool] = False
    ) -> Template:
        view = await services.read_message(current_user(request), actor_of(request), message_id)
        return Template(
            "messaging/message.html", context={"view": view, "sent_again": sendt, "errors": {}}
        )

    @post("/{message_id:int}/send-igjen")
    async def send_again(
        self,
        request: Request[Any, Any, Any],
        message_id: PathId,
        data: URLEncodedBody[dict[str, Any]],
    ) -> Template | Redirect:
        """«Send igjen» for a failed sent message, with its confirmation box ticked (else the
        message again with the box marked, 422)."""
        user, actor = current_user(request), actor_of(request)
        try:
            require_confirmation(data, "Kryss av for å bekrefte at meldingen skal sendes igjen.")
        except InvalidInput as exc:
            view = await services.read_message(user, actor, message_id)
            return Template(
                "messaging/message.html",
                context={"view": view, "sent_again": False, "errors": exc.fields},
                status_code=422,
            )
        resent = await services.send_again(user, actor, message_id)
        return Redirect(f"/meldinger/{resent}?sendt=1", status_code=303)
