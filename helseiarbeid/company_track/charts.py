"""Server-rendered grouped bar charts for the evaluation report: geometry here, drawn as SVG by
``templates/company_track/_chart.html`` in the page and the PDF alike (the house style of
``clinic_track.charts``).

A bar without a value (a masked or missing sick-leave figure) is not drawn and its label says
why, so a bar's height never tells what a label hides.

Texts are placed by their start, centred by an estimate of their width and kept inside the
chart, rather than with ``text-anchor="middle"``: WeasyPrint draws anchored SVG text in a way
PDF readers (and ``tests/pdf_layout.py``) place in the SVG's own coordinates.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

WIDTH = 640
BAR_AREA_HEIGHT = 180
TOP = 20  # room for the value above the tallest bar
LABEL_HEIGHT = 40
LABEL_SIZE = 11
VALUE_SIZE = 10


def text_start(centre: float, text: str, size: int) -> float:
    """Where a text of ``size`` px centred on ``centre`` starts (its longest line), kept inside
    the chart (an average glyph is about 0.55 em wide in DejaVu Sans and the browsers'
    sans-serif)."""
    width = max(len(line) for line in text.split("\n")) * size * 0.55
    return min(max(centre - width / 2, 0.0), WIDTH - width)


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    label: str  # what the bar is, for its tooltip and the table beside the chart
    shown: str  # the value as text, or why there is none
    colour: str

    @property
    def text_x(self) -> float:
        return text_start(self.x + self.width / 2, self.shown, VALUE_SIZE)


@dataclass(frozen=True)
class Chart:
    width: int
    height: int
    baseline: int
    bars: list[Bar]
    labels: list[tuple[float, str]]  # (where the text starts, text of one or two lines)
    legend: list[tuple[str, str]]  # (colour, series name)


@dataclass(frozen=True)
class Value:
    number: Decimal | None
    shown: str


def grouped(groups: list[tuple[str, list[Value]]], series: list[tuple[str, str]]) -> Chart:
    """One group per (label, values), one bar per series (name, colour) in each group, all on
    one scale from 0 to the largest value."""
    slot = WIDTH / max(len(groups), 1)
    maximum = max(
        (value.number for _, values in groups for value in values if value.number is not None),
        default=Decimal(0),
    )
    bar_width = slot * 0.7 / max(len(series), 1)
    bars, labels = [], []
    for index, (label, values) in enumerate(groups):
        left = index * slot + slot * 0.15
        for position, ((name, colour), value) in enumerate(zip(series, values, strict=True)):
            height = (
                float(BAR_AREA_HEIGHT * value.number / maximum)
                if value.number is not None and maximum > 0
                else 0.0
            )
            bars.append(
                Bar(
                    left + position * bar_width,
                    TOP + BAR_AREA_HEIGHT - height,
                    bar_width * 0.9,
                    height,
                    f"{label}, {name.lower()}",
                    value.shown,
                    colour,
                )
            )
        labels.append((text_start(index * slot + slot / 2, label, LABEL_SIZE), label))
    return Chart(
        WIDTH,
        TOP + BAR_AREA_HEIGHT + LABEL_HEIGHT,
        TOP + BAR_AREA_HEIGHT,
        bars,
        labels,
        series,
    )
