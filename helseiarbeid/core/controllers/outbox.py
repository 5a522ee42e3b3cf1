"""The coordinator's view of what has not left yet: failed mail, with «Send igjen»."""

from __future__ import annotations

from litestar import Controller, get, post
from litestar.params import FromQuery
from litestar.response import Redirect, Template

from helseiarbeid.core import outbox
from helseiarbeid.core.policy import allow
from helseiarbeid.core.roles import Role
from helseiarbeid.core.web import PathId

COORDINATORS = allow(Role.COORDINATOR, Role.ADMIN)


class OutboxController(Controller):
    path = "/utsendinger"
    include_in_schema = False
    opt = COORDINATORS

    @get("/")
    async def page(self, sendt: FromQuery[bool] = False) -> Template:
        return Template(
            "outbox.html",
            context={
                "entries": await outbox.undelivered(),
                "sent_again": sendt,
                "max_attempts": outbox.MAX_ATTEMPTS,
            },
        )

    @post("/{message_id:int}/send-igjen")
    async def send_again(self, message_id: PathId) -> Redirect:
        await outbox.send_again(message_id)
        return Redirect("/utsendinger?sendt=1", status_code=303)
