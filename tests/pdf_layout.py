"""Where a PDF's text lands: every run of text read back with pypdf, with its box on the page.

pypdf reports each text-showing operation with its matrices and font; the run's width comes
from the font's glyph widths (/W of the embedded CID font, by way of its /ToUnicode map).
"""

from __future__ import annotations

import io
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from pypdf import PdfReader
from pypdf.generic._font import Font

# A glyph may reach a hair past its advance; a run that ran off the page misses by far more.
TOLERANCE = 1.0


@dataclass(frozen=True)
class Run:
    text: str
    page: int
    left: float
    right: float
    baseline: float


def _width(font: Font, text: str) -> float:
    """Width of ``text`` in 1/1000 of the font size: ``character_map`` maps each glyph's code
    to the character it shows, and ``character_widths`` is keyed by that code."""
    code_of = {shown: code for code, shown in font.character_map.items()}
    default = font.character_widths["default"]
    return sum(font.character_widths.get(code_of.get(char, char), default) for char in text)


def text_runs(pdf: bytes) -> tuple[list[Run], list[tuple[float, float, float, float]]]:
    """The text runs of every page and each page's box (left, bottom, right, top)."""
    runs: list[Run] = []
    boxes = []
    for number, page in enumerate(PdfReader(io.BytesIO(pdf)).pages):
        box = page.mediabox
        boxes.append((float(box.left), float(box.bottom), float(box.right), float(box.top)))
        fonts: dict[int, Font] = {}

        def visit(
            text: str,
            cm: list[float],
            tm: list[float],
            font_dict: Any,
            font_size: float,
            number: int = number,
            fonts: dict[int, Font] = fonts,
        ) -> None:
            text = text.rstrip("\n")
            if not text.strip() or font_dict is None:
                return
            font = fonts.setdefault(id(font_dict), Font.from_font_resource(font_dict))
            a, b, c, d, e, f = cm
            left = tm[4] * a + tm[5] * c + e
            baseline = tm[4] * b + tm[5] * d + f
            width = _width(font, text) * font_size / 1000 * tm[0] * a
            runs.append(Run(text, number, left, left + width, baseline))

        page.extract_text(visitor_text=visit)
    return runs, boxes


def assert_all_text_on_the_page(pdf: bytes, *fields: str) -> None:
    """Every run of text lies inside its page's box, and each field's text is in the PDF
    whole (however it was wrapped)."""
    runs, boxes = text_runs(pdf)
    outside = [
        run
        for run in runs
        if run.left < boxes[run.page][0] - TOLERANCE
        or run.right > boxes[run.page][2] + TOLERANCE
        or not boxes[run.page][1] <= run.baseline <= boxes[run.page][3]
    ]
    assert not outside, [(r.text[:30], len(r.text), round(r.left), round(r.right)) for r in outside]
    # A wrapped field's lines start at one left edge; read each such column top to bottom,
    # page after page, so a table row broken across two pages reads as one.
    columns: dict[int, str] = defaultdict(str)
    for run in runs:
        columns[round(run.left)] += "".join(run.text.split())
    for field in fields:
        assert any("".join(field.split()) in text for text in columns.values()), field[:40]
