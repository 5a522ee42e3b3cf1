"""Server-rendered bar charts: geometry computed here, drawn as SVG by the templates."""

from __future__ import annotations

from dataclasses import dataclass

from helseiarbeid.clinic_track.schemas import MonthCount
from helseiarbeid.referrals.status import Status

WIDTH = 640
BAR_AREA_HEIGHT = 180
LABEL_HEIGHT = 40
COMPLAINT_COLOURS = {"musculoskeletal": "#1f5fa8", "mental": "#b0452f", "both": "#6b4c9a"}


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    label: str
    value: int
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


def status_bars(counts: dict[str, int]) -> Chart:
    statuses = list(Status)
    slot = WIDTH / len(statuses)
    maximum = max(counts.values(), default=0)
    bars, labels = [], []
    for index, status in enumerate(statuses):
        value = counts.get(status.value, 0)
        height = _scale(value, maximum)
        x = index * slot + slot * 0.15
        bars.append(
            Bar(x, BAR_AREA_HEIGHT - height, slot * 0.7, height, status.label, value, "#1f5fa8")
        )
        labels.append((index * slot + slot / 2, status.label))
    return Chart(WIDTH, BAR_AREA_HEIGHT + LABEL_HEIGHT, bars, labels, maximum)


def month_bars(months: list[MonthCount]) -> Chart:
    """Stacked bars per month: musculoskeletal, mental, both."""
    slot = WIDTH / max(len(months), 1)
    maximum = max((m.musculoskeletal + m.mental + m.both for m in months), default=0)
    bars, labels = [], []
    for index, month in enumerate(months):
        y = float(BAR_AREA_HEIGHT)
        for key in ("musculoskeletal", "mental", "both"):
            value = getattr(month, key)
            height = _scale(value, maximum)
            y -= height
            bars.append(
                Bar(
                    index * slot + slot * 0.15,
                    y,
                    slot * 0.7,
                    height,
                    key,
                    value,
                    COMPLAINT_COLOURS[key],
                )
            )
        labels.append((index * slot + slot / 2, month.month[5:] + "." + month.month[2:4]))
    return Chart(WIDTH, BAR_AREA_HEIGHT + LABEL_HEIGHT, bars, labels, maximum)
