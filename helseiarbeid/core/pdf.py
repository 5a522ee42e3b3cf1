"""Letters, receipts and reports as PDF: a Jinja2 template rendered by WeasyPrint.

WeasyPrint is CPU-bound (tens to hundreds of milliseconds a page), so it runs in a worker
thread and never blocks the event loop.
"""

from __future__ import annotations

import threading
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape
from litestar.concurrency import sync_to_thread
from weasyprint import HTML
from weasyprint.text.fonts import FontConfiguration

from helseiarbeid.core.templating import TEMPLATE_DIRECTORIES, register_filters

_ENVIRONMENT = Environment(
    loader=FileSystemLoader([str(path) for path in TEMPLATE_DIRECTORIES]),
    autoescape=select_autoescape(default=True),
)
register_filters(_ENVIRONMENT)


_THREAD = threading.local()


def _font_config() -> FontConfiguration:
    """One font configuration per worker thread. Left to itself WeasyPrint makes one per
    document, and part of each stays behind in Pango: the process grew by about 220 kB a PDF
    (bench/README.md). Pango's font maps are not to be shared between threads."""
    config: FontConfiguration | None = getattr(_THREAD, "font_config", None)
    if config is None:
        config = _THREAD.font_config = FontConfiguration()
    return config


def _render(template: str, context: dict[str, Any]) -> bytes:
    html = _ENVIRONMENT.get_template(template).render(**context)
    document: bytes = HTML(string=html).write_pdf(font_config=_font_config())
    return document


async def render_pdf(template: str, context: dict[str, Any]) -> bytes:
    return await sync_to_thread(_render, template, context)
