"""The company track's figures for the national statistics (issue 15 §5, issue 16 §11): counts
per NAV region and month, and the change in sick leave across completed programmes. Only
aggregates leave here — counts and pooled percentages, never an enterprise; the caller
suppresses small numbers (``core.small_counts``) before anything is shown.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

from helseiarbeid.company_track.schemas import MODULES, SessionState
from helseiarbeid.company_track.services.sick_leave import programme_snapshots
from helseiarbeid.company_track.tables import Programme, ProgrammeSession
from helseiarbeid.core.clock import OSLO, utcnow

# The national IA goal 2019–2022: sick leave down 10 % from the 2018 average (IA agreement,
# seeds 000/001; the HelseIArbeid booklet, seed 002).
IA_GOAL_PERCENT = Decimal(-10)


@dataclass
class RegionMonth:
    """One region's company-track work in one month (Oslo time): enterprises with a module
    sitting held, programmes completed (evaluation recorded), module sittings held, and the
    employees who attended per module (``SessionKind`` value → count)."""

    region_id: int
    month: str  # "2026-11"
    enterprises_reached: int = 0
    programmes_completed: int = 0
    sittings_held: int = 0
    attendance: dict[str, int] = field(default_factory=dict)


def _month(moment: datetime) -> str:
    return moment.astimezone(OSLO).strftime("%Y-%m")


async def region_months(since: date) -> list[RegionMonth]:
    """Per region and month from ``since`` (inclusive) to now, in (region, month) order. A
    sitting is held when it was confirmed and has started."""
    start = datetime(since.year, since.month, since.day, tzinfo=OSLO)
    now = utcnow()
    sittings = await ProgrammeSession.select(
        ProgrammeSession.kind,
        ProgrammeSession.starts_at,
        ProgrammeSession.attended,
        ProgrammeSession.programme.enterprise,
        ProgrammeSession.programme._.enterprise._.region,
    ).where(
        ProgrammeSession.kind.is_in([kind.value for kind in MODULES])
        & (ProgrammeSession.state == SessionState.CONFIRMED.value)
        & (ProgrammeSession.starts_at >= start)
        & (ProgrammeSession.starts_at <= now)
    )
    completed = await Programme.select(Programme.evaluated_at, Programme.enterprise.region).where(
        (Programme.evaluated_at >= start) & (Programme.cancelled_at.is_null())
    )
    figures: dict[tuple[int, str], RegionMonth] = {}
    reached: dict[tuple[int, str], set[int]] = defaultdict(set)

    def entry(region: int | None, month: str) -> RegionMonth:
        key = (int(region or 0), month)
        if key not in figures:
            figures[key] = RegionMonth(key[0], month, attendance={k.value: 0 for k in MODULES})
        return figures[key]

    for row in sittings:
        month = _month(row["starts_at"])
        item = entry(row["programme.enterprise.region"], month)
        item.sittings_held += 1
        item.attendance[row["kind"]] += int(row["attended"] or 0)
        reached[(item.region_id, month)].add(row["programme.enterprise"])
    for row in completed:
        entry(row["enterprise.region"], _month(row["evaluated_at"])).programmes_completed += 1
    for key, enterprises in reached.items():
        figures[key].enterprises_reached = len(enterprises)
    return [figures[key] for key in sorted(figures)]


@dataclass(frozen=True)
class RegionOutcome:
    """Completed programmes of a region with sick-leave figures at both anchoring and
    evaluation (``enterprises``), and the pooled sick-leave percentage of the last four
    quarters before and after (Σ tapte / Σ mulige over those enterprises; NAV's rule), with
    the relative change in per cent (after / before − 1) × 100."""

    region_id: int
    enterprises: int
    before_percent: Decimal | None
    after_percent: Decimal | None

    @property
    def change_percent(self) -> Decimal | None:
        if not self.before_percent or self.after_percent is None:
            return None
        change = (self.after_percent / self.before_percent - 1) * 100
        return change.quantize(Decimal("0.1"))

    @property
    def meets_ia_goal(self) -> bool | None:
        change = self.change_percent
        return None if change is None else change <= IA_GOAL_PERCENT


def _pooled(lost: Decimal, possible: Decimal) -> Decimal | None:
    return (lost / possible * 100).quantize(Decimal("0.1")) if possible else None


async def sick_leave_outcomes() -> list[RegionOutcome]:
    """Per region: every completed programme whose anchoring and evaluation snapshots both
    hold an unmasked four-quarter figure for the enterprise counts once."""
    programmes = await Programme.select(Programme.id, Programme.enterprise.region).where(
        Programme.evaluated_at.is_not_null() & Programme.cancelled_at.is_null()
    )
    sums: dict[int, list[Decimal]] = defaultdict(lambda: [Decimal(0)] * 4)
    counts: dict[int, int] = defaultdict(int)
    for programme in programmes:
        snapshots = await programme_snapshots(programme["id"])
        pair = []
        for moment in ("anchoring", "evaluation"):
            snapshot = snapshots.get(moment)
            four = snapshot.figures.enterprise.four_quarters if snapshot else None
            if four is None or four.masked or not four.quarters:
                break
            chosen = [
                figure
                for figure in snapshot.figures.enterprise.figures  # type: ignore[union-attr]
                if figure.quarter in four.quarters
            ]
            lost = sum((f.lost for f in chosen), Decimal(0))
            pair.append((lost, sum((f.possible for f in chosen), Decimal(0))))
        if len(pair) != 2:
            continue
        region = int(programme["enterprise.region"] or 0)
        counts[region] += 1
        totals = sums[region]
        sums[region] = [
            totals[0] + pair[0][0],
            totals[1] + pair[0][1],
            totals[2] + pair[1][0],
            totals[3] + pair[1][1],
        ]
    return [
        RegionOutcome(
            region_id=region,
            enterprises=counts[region],
            before_percent=_pooled(sums[region][0], sums[region][1]),
            after_percent=_pooled(sums[region][2], sums[region][3]),
        )
        for region in sorted(counts)
    ]
