"""The start page: what each role does first."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from typing import Any

from litestar import Request, get
from litestar.response import Template

from helseiarbeid.core.policy import SIGNED_IN
from helseiarbeid.core.users import CurrentUser

# What a domain adds to the start page for a user (e.g. how many referrals wait for the GP's
# answer). The app factory hands them over in ``app.state.start_page_facts``, so core imports
# no domain.
StartPageFacts = Callable[[CurrentUser], Awaitable[dict[str, Any]]]


@get("/", opt=SIGNED_IN, include_in_schema=False)
async def start_page(request: Request[Any, Any, Any]) -> Template:
    context: dict[str, Any] = {"user": request.user}
    providers: Sequence[StartPageFacts] = request.app.state.get("start_page_facts", ())
    for facts in providers:
        context.update(await facts(request.user))
    return Template("home.html", context=context)
