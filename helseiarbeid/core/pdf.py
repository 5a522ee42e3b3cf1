"""Letters, receipts and reports as PDF: a Jinja2 template rendered by WeasyPrint.

WeasyPrint is CPU-bound (tens to hundreds of milliseconds a page), so it runs in a worker
thread and never blocks the event loop.
"""

from __future__ import annotations

from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape
from litestar.concurrency import sync_to_thread
from weasyprint import HTML

from helseiarbeid.core.templating import TEMPLATE_DIRECTORIES, register_filters

_ENVIRONMENT = Environment(
    loader=FileSystemLoader([str(path) for path in TEMPLATE_DIRECTORIES]),
    autoescape=select_autoescape(default=True),
)
register_filters(_ENVIRONMENT)


def _render(template: str, context: dict[str, Any]) -> bytes:
    html = _ENVIRONMENT.get_template(template).render(**context)
    document: bytes = HTML(string=html).write_pdf()
    return document


async def render_pdf(template: str, context: dict[str, Any]) -> bytes:
    return await sync_to_thread(_render, template, context)
