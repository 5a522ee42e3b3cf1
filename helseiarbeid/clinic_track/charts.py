"""Server-rendered bar charts: geometry computed here, drawn as SVG by the templates.

The charts are anonymised figures that may leave the clinic (a screenshot, a slide), so a
count from 1 to 4 is not drawn and reads «<5» (``core.small_counts``): a bar's height would
tell the count as well as its label.
"""

from __future__ import annotations

from dataclasses import dataclass

from helseiarbeid.clinic_track.schemas import MonthCount
from helseiarbeid.core import small_counts
from helseiarbeid.referrals.status import Status

WIDTH = 640
BAR_AREA_HEIGHT = 180
LABEL_HEIGHT = 40
COMPLAINT_COLOURS = {"musculoskeletal": "#1f5fa8", "mental": "#b0452f", "both": "#6b4c9a"}
COMPLAINT_LABELS = {"musculoskeletal": "Muskel og skjelett", "mental": "Psykisk", "both": "Begge"}


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    label: str
    shown: str  # the count, or «<5»
    colour: str


@dataclass(frozen=True)
class Chart:
    width: int
    height: int
    bars: list[Bar]
    labels: list[tuple[float, str]]
    maximum: int


def _scale(value: int, maximum: int) -> float:
    return BAR_AREA_HEIGHT * value / maximum if maximum else 0.0


def _drawn(value: int) -> int:
    """What a bar may show of a count: nothing from 1 to 4."""
    return 0 if small_counts.is_small(value) else value


def status_bars(counts: dict[str, int]) -> Chart:
    statuses = list(Status)
    slot = WIDTH / len(statuses)
    maximum = max((_drawn(value) for value in counts.values()), default=0)
    bars, labels = [], []
    for index, status in enumerate(statuses):
        value = counts.get(status.value, 0)
        height = _scale(_drawn(value), maximum)
        x = index * slot + slot * 0.15
        shown = small_counts.shown_text(value)
        bars.append(
            Bar(x, BAR_AREA_HEIGHT - height, slot * 0.7, height, status.label, shown, "#1f5fa8")
        )
        labels.append((index * slot + slot / 2, status.label))
    return Chart(WIDTH, BAR_AREA_HEIGHT + LABEL_HEIGHT, bars, labels, maximum)


def month_bars(months: list[MonthCount]) -> Chart:
    """Stacked bars per month: musculoskeletal, mental, both (a segment of 1–4 left out)."""
    slot = WIDTH / max(len(months), 1)
    maximum = max(
        (sum(_drawn(getattr(m, key)) for key in COMPLAINT_COLOURS) for m in months), default=0
    )
    bars, labels = [], []
    for index, month in enumerate(months):
        y = float(BAR_AREA_HEIGHT)
        for key in COMPLAINT_COLOURS:
            value = getattr(month, key)
            height = _scale(_drawn(value), maximum)
            y -= height
            bars.append(
                Bar(
                    index * slot + slot * 0.15,
                    y,
                    slot * 0.7,
                    height,
                    f"{month.month}, {COMPLAINT_LABELS[key].lower()}",
                    small_counts.shown_text(value),
                    COMPLAINT_COLOURS[key],
                )
            )
        labels.append((index * slot + slot / 2, month.month[5:] + "." + month.month[2:4]))
    return Chart(WIDTH, BAR_AREA_HEIGHT + LABEL_HEIGHT, bars, labels, maximum)
