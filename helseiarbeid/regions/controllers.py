"""/admin/regioner: the administrator manages NAV regions, the municipalities each serves and
who works for each (the CLI's `helseiarbeid regions …` does the same for scripts)."""

from __future__ import annotations

from typing import Any

from litestar import Controller, get, post
from litestar.params import FromQuery, URLEncodedBody
from litestar.response import Redirect, Template

from helseiarbeid.core.errors import Conflict, InvalidInput, NotFound
from helseiarbeid.core.policy import allow
from helseiarbeid.core.roles import Role
from helseiarbeid.core.tables import User
from helseiarbeid.regions import services

DONE = {
    "region": "Regionen er lagt til.",
    "kommune": "Kommunen er flyttet til regionen; virksomhetene der fulgte med.",
    "fjernet": "Kommunen er tatt ut; virksomhetene der hører nå til standardregionen.",
    "medlem": "Personen arbeider nå for regionen.",
    "ut": "Personen arbeider ikke lenger for regionen.",
}


def _id(value: object, field: str) -> int:
    try:
        return int(str(value))
    except ValueError:
        raise InvalidInput({field: "Velg fra listen."}) from None


class RegionAdminController(Controller):
    path = "/admin/regioner"
    opt = allow(Role.ADMIN)
    include_in_schema = False

    async def _page(
        self, done: str | None = None, errors: dict[str, str] | None = None, status: int = 200
    ) -> Template:
        staff = (
            await User.select(User.id, User.name, User.role)
            .where(
                User.role.is_in([r.value for r in services.MEMBER_ROLES]) & (User.is_active == True)  # noqa: E712
            )
            .order_by(User.name)
        )
        return Template(
            "regions/regions.html",
            context={
                "regions": await services.list_regions(),
                "staff": staff,
                "done": DONE.get(done or ""),
                "errors": errors or {},
            },
            status_code=status,
        )

    @get("/")
    async def page(self, lagret: FromQuery[str | None] = None) -> Template:
        return await self._page(lagret)

    async def _act(self, done: str, action: Any) -> Template | Redirect:
        try:
            await action
        except InvalidInput as exc:
            return await self._page(errors=exc.fields, status=exc.status_code)
        except (Conflict, NotFound) as exc:
            return await self._page(errors={"form": exc.message}, status=exc.status_code)
        return Redirect(f"/admin/regioner?lagret={done}", status_code=303)

    @post("/")
    async def create(self, data: URLEncodedBody[dict[str, Any]]) -> Template | Redirect:
        return await self._act("region", services.create_region(str(data.get("name", ""))))

    @post("/kommuner")
    async def municipality(self, data: URLEncodedBody[dict[str, Any]]) -> Template | Redirect:
        async def act() -> None:
            region = _id(data.get("region"), "region")
            await services.assign_municipality(str(data.get("municipality", "")), region)

        return await self._act("kommune", act())

    @post("/kommuner/fjern")
    async def remove_municipality(
        self, data: URLEncodedBody[dict[str, Any]]
    ) -> Template | Redirect:
        return await self._act(
            "fjernet", services.remove_municipality(str(data.get("municipality", "")))
        )

    @post("/medlemmer")
    async def member(self, data: URLEncodedBody[dict[str, Any]]) -> Template | Redirect:
        async def act() -> None:
            user, region = _id(data.get("user"), "user"), _id(data.get("region"), "region")
            if data.get("remove") == "1":
                await services.remove_member(user, region)
            else:
                await services.add_member(user, region)

        return await self._act("ut" if data.get("remove") == "1" else "medlem", act())
