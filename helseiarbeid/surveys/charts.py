"""A question's result as horizontal bars: geometry here, SVG drawn by the templates
(``surveys/_chart.html``), in the house style of ``clinic_track/charts.py``.

Only a shown result (closed group, at least ``MIN_ANSWERS`` answers) has bars; below that the
template says «For få svar» and draws nothing, so no bar can tell a small count.
"""

from __future__ import annotations

from dataclasses import dataclass

from helseiarbeid.surveys.schemas import QuestionResult

WIDTH = 560
LABEL_WIDTH = 230
ROW_HEIGHT = 30
BAR_HEIGHT = 20
COLOUR = "#1f5fa8"


@dataclass(frozen=True)
class Row:
    y: float
    label: str
    count: int
    percent: int  # of the question's answers, rounded
    width: float  # the bar's length in the bar area


@dataclass(frozen=True)
class Chart:
    width: int
    height: int
    label_width: int
    bar_height: int
    rows: list[Row]
    answered: int


def bars(question: QuestionResult) -> Chart | None:
    """One row per answer option; the longest bar fills the bar area. None when the result is
    not shown."""
    if not question.shown or question.answered == 0:
        return None
    area = WIDTH - LABEL_WIDTH - 80  # room for the count after the bar
    largest = max(option.count for option in question.options)
    rows = [
        Row(
            y=index * ROW_HEIGHT,
            label=option.text,
            count=option.count,
            percent=round(100 * option.count / question.answered),
            width=area * option.count / largest if largest else 0.0,
        )
        for index, option in enumerate(question.options)
    ]
    return Chart(WIDTH, len(rows) * ROW_HEIGHT, LABEL_WIDTH, BAR_HEIGHT, rows, question.answered)
