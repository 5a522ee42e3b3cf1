"""/statistikk: the national figures (page and CSV), for the statistics role and the
administrator. Aggregates only (services.py)."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, Response, get
from litestar.response import Template

from helseiarbeid.core import small_counts
from helseiarbeid.core.policy import allow
from helseiarbeid.core.roles import Role
from helseiarbeid.core.web import actor_of
from helseiarbeid.statistics import services

READERS = allow(Role.STATISTICS, Role.ADMIN)


class StatisticsController(Controller):
    include_in_schema = False

    @get("/statistikk", opt=READERS)
    async def page(self) -> Template:
        return Template(
            "statistics/statistics.html",
            context={
                "figures": await services.national_statistics(),
                "complement_rule": small_counts.COMPLEMENT_RULE,
            },
        )

    @get("/statistikk.csv", opt=READERS, media_type="text/csv")
    async def csv(self, request: Request[Any, Any, Any]) -> Response[bytes]:
        return Response(
            await services.export(actor_of(request)),
            media_type="text/csv",
            headers={
                "Content-Disposition": 'attachment; filename="helseiarbeid-nasjonal-statistikk.csv"'
            },
        )
