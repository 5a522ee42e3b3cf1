"""A question's result as horizontal bars: geometry here, SVG drawn by the template macro
``surveys/_results.html`` ``chart`` (the host screen, the programme's survey page and the
evaluation report's page and PDF alike), in the house style of ``clinic_track/charts.py``.

Only a shown result (closed group, at least ``MIN_ANSWERS`` answers) has bars; below that the
template says «For få svar» and draws nothing, so no bar can tell a small count.

Every text is placed by its start, never with ``text-anchor``: WeasyPrint draws anchored SVG
text in a way PDF readers (and ``tests/pdf_layout.py``) place in the SVG's own coordinates
(see ``company_track/charts.py``). An option's text is wrapped into lines that fit the label
column, by an estimate of the glyphs' width.
"""

from __future__ import annotations

from dataclasses import dataclass

from helseiarbeid.core.shares import percentages
from helseiarbeid.surveys.schemas import QuestionResult, SurveyOut

WIDTH = 560
LABEL_WIDTH = 230
LABEL_SIZE = 13
LINE_HEIGHT = 16
ROW_GAP = 10
BAR_HEIGHT = 20
COLOUR = "#1f5fa8"
# An average glyph is about 0.55 em wide in DejaVu Sans and the browsers' sans-serif.
LABEL_CHARACTERS = int((LABEL_WIDTH - 10) / (LABEL_SIZE * 0.55))


def wrap(text: str, width: int = LABEL_CHARACTERS) -> list[str]:
    """``text`` in lines of at most ``width`` characters, broken between words (a longer word
    is cut)."""
    lines: list[str] = []
    line = ""
    for word in text.split():
        while len(word) > width:
            if line:
                lines.append(line)
                line = ""
            lines.append(word[:width])
            word = word[width:]
        candidate = f"{line} {word}" if line else word
        if len(candidate) <= width:
            line = candidate
        else:
            lines.append(line)
            line = word
    if line or not lines:
        lines.append(line)
    return lines


@dataclass(frozen=True)
class Row:
    y: float  # the row's top
    label: list[str]  # the option's text in lines
    count: int
    percent: int  # of the question's answers; the rows' add up to 100 (core.shares)
    width: float  # the bar's length in the bar area

    @property
    def text(self) -> str:
        return " ".join(self.label)


@dataclass(frozen=True)
class Chart:
    width: int
    height: int
    label_width: int
    bar_height: int
    line_height: int
    rows: list[Row]
    answered: int


def bars(question: QuestionResult) -> Chart | None:
    """One row per answer option (as tall as its wrapped text, at least a bar); the longest bar
    fills the bar area. None when the result is not shown."""
    if not question.shown or question.answered == 0:
        return None
    area = WIDTH - LABEL_WIDTH - 80  # room for the count after the bar
    largest = max(option.count for option in question.options)
    rows = []
    top = 0.0
    shares = percentages([option.count for option in question.options])
    for option, percent in zip(question.options, shares, strict=True):
        lines = wrap(option.text)
        rows.append(
            Row(
                y=top,
                label=lines,
                count=option.count,
                percent=percent,
                width=area * option.count / largest if largest else 0.0,
            )
        )
        top += max(BAR_HEIGHT + 4, len(lines) * LINE_HEIGHT) + ROW_GAP
    return Chart(WIDTH, round(top), LABEL_WIDTH, BAR_HEIGHT, LINE_HEIGHT, rows, question.answered)


def for_surveys(surveys: list[SurveyOut]) -> dict[int, Chart | None]:
    """Each question's chart by item id (None where the result is not shown), built once per
    page for the ``surveys/_results.html`` macros."""
    return {q.item_id: bars(q) for s in surveys for g in s.groups for q in g.questions}
