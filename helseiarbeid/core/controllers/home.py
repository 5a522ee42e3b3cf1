"""The start page: what each role does first."""

from __future__ import annotations

from typing import Any

from litestar import Request, get
from litestar.response import Template

from helseiarbeid.core.policy import SIGNED_IN


@get("/", opt=SIGNED_IN, include_in_schema=False)
async def start_page(request: Request[Any, Any, Any]) -> Template:
    return Template("home.html", context={"user": request.user})
