"""The programme plan's parts with their status, the parts actually held, and the evaluation
report built from what was delivered.

The parts are DOMAIN.md's: anchoring meeting, the three modules (each in one or more sittings)
and the evaluation meeting. Like a sub-theme of NAV's cooperation plan in Fia (a status with a
start and end date, navikt/fia-arbeidsgiver ``PlanUndertemaDto``; the evaluation asks about the
plan's parts), each part has a status — planlagt, pågår, fullført, avbrutt (issue 16) — and its
dates.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from helseiarbeid.company_track import charts
from helseiarbeid.company_track.schemas import (
    EnterpriseOut,
    PartStatus,
    ProgrammeOut,
    ProgrammeStatus,
    SessionKind,
    SessionOut,
    SessionState,
)
from helseiarbeid.company_track.services.enterprises import get_enterprise
from helseiarbeid.company_track.services.programmes import _programme_row, get_programme
from helseiarbeid.company_track.services.sick_leave import Series, Snapshot, programme_snapshots
from helseiarbeid.core.clock import OSLO, utcnow
from helseiarbeid.core.errors import NotFound
from helseiarbeid.core.users import CurrentUser

BEFORE_COLOUR = "#6e7781"
AFTER_COLOUR = "#1f5fa8"
INVITED_COLOUR = "#9ab7d8"
ATTENDED_COLOUR = "#1f5fa8"


@dataclass(frozen=True)
class PlanPart:
    """One part of the programme with every sitting booked for it (cancelled ones too)."""

    kind: SessionKind
    sittings: list[SessionOut]
    status: PartStatus

    @property
    def title(self) -> str:
        return self.kind.label

    @property
    def live(self) -> list[SessionOut]:
        return [s for s in self.sittings if s.state is not SessionState.CANCELLED]

    @property
    def first(self) -> datetime | None:
        return min((s.starts_at for s in self.live), default=None)

    @property
    def last(self) -> datetime | None:
        return max((s.ends_at for s in self.live), default=None)


def _held(sitting: SessionOut, now: datetime) -> bool:
    return sitting.state is SessionState.CONFIRMED and sitting.starts_at <= now


def _status(sittings: list[SessionOut], programme: ProgrammeStatus, now: datetime) -> PartStatus:
    """fullført: every live sitting confirmed and over (or some held when the programme was
    completed); pågår: some held, more to come; avbrutt: never held and the programme is over;
    planlagt: otherwise (booked, asked for, or still to book)."""
    live = [s for s in sittings if s.state is not SessionState.CANCELLED]
    held = [s for s in live if _held(s, now)]
    if live and all(_held(s, now) and s.ends_at <= now for s in live):
        return PartStatus.DONE
    if held:
        if programme is ProgrammeStatus.COMPLETED:
            return PartStatus.DONE
        if programme is ProgrammeStatus.CANCELLED:
            return PartStatus.CANCELLED
        return PartStatus.IN_PROGRESS
    if programme in (ProgrammeStatus.COMPLETED, ProgrammeStatus.CANCELLED):
        return PartStatus.CANCELLED
    return PartStatus.PLANNED


def plan_parts(programme: ProgrammeOut, now: datetime | None = None) -> list[PlanPart]:
    """The five parts in programme order, each with its sittings and status at ``now``."""
    moment = now or utcnow()
    return [
        PlanPart(
            kind,
            [s for s in programme.sessions if s.kind is kind],
            _status([s for s in programme.sessions if s.kind is kind], programme.status, moment),
        )
        for kind in SessionKind
    ]


async def held_parts(user: CurrentUser, programme_id: int) -> list[PlanPart]:
    """The parts actually held (at least one confirmed sitting has started), in programme
    order, each with all its sittings: what the evaluation survey asks about, besides the
    mandatory «Veien videre» section (issue 16, item 9). 404 for a programme the user may
    not see."""
    programme = await get_programme(user, programme_id)
    now = utcnow()
    return [part for part in plan_parts(programme, now) if any(_held(s, now) for s in part.live)]


@dataclass(frozen=True)
class ReportSection:
    """A section of the evaluation report that a domain above the track contributes (the
    surveys' results, issue 16 §8): ``template`` is a template part drawn in the page and the
    PDF alike (headings from h2), given ``section`` (this object) in its context."""

    template: str
    context: Mapping[str, Any]


ReportSectionSource = Callable[[ProgrammeOut, list[PlanPart]], Awaitable[ReportSection]]
_SECTIONS: list[ReportSectionSource] = []


def register_report_section(source: ReportSectionSource) -> None:
    """Add a section to every evaluation report, after the attendance, in registration order
    (idempotent). ``source`` is called with the programme and its parts once the reader's
    access is checked, so it needs no user."""
    if source not in _SECTIONS:
        _SECTIONS.append(source)


@dataclass(frozen=True)
class EvaluationReport:
    programme: ProgrammeOut
    enterprise: EnterpriseOut
    parts: list[PlanPart]
    before: Snapshot | None
    after: Snapshot | None
    figures_chart: charts.Chart
    attendance_chart: charts.Chart
    sections: list[ReportSection]

    @property
    def comparisons(self) -> list[tuple[str, Series | None, Series | None]]:
        return _comparisons(self.before, self.after)

    @property
    def module_sittings(self) -> list[SessionOut]:
        return _module_sittings(self.parts)


def _comparisons(
    before: Snapshot | None, after: Snapshot | None
) -> list[tuple[str, Series | None, Series | None]]:
    """(whose figures, before, after) for the enterprise, its industry and its sector, each
    that had figures at either meeting."""
    rows: list[tuple[str, Series | None, Series | None]] = []
    for name in ("enterprise", "industry", "sector"):
        old: Series | None = getattr(before.figures, name) if before else None
        new: Series | None = getattr(after.figures, name) if after else None
        either = old or new
        if either is not None and ((old and old.figures) or (new and new.figures)):
            rows.append((either.category.label, old, new))
    return rows


def _module_sittings(parts: list[PlanPart]) -> list[SessionOut]:
    """Every confirmed sitting of the three modules, in programme order."""
    return [
        s
        for part in parts
        if part.kind.is_module
        for s in part.live
        if s.state is SessionState.CONFIRMED
    ]


def _count(value: int | None) -> charts.Value:
    if value is None:
        return charts.Value(None, "ikke ført")
    return charts.Value(Decimal(value), str(value))


def _four_quarter_value(series: Series | None) -> charts.Value:
    four = series.four_quarters if series else None
    if four is None:
        return charts.Value(None, "Ingen tall")
    return charts.Value(four.percent, four.shown_percent)


async def evaluation_report(user: CurrentUser, programme_id: int) -> EvaluationReport:
    """The evaluation report: goals before/after, the sick-leave figures at anchoring and at
    evaluation (last four quarters) with a chart, attendance per module and sitting with a
    chart, the sections registered by the domains above the track (the module surveys), and
    the parts of the plan. 404 until the evaluation is recorded."""
    row = await _programme_row(user, programme_id)
    if row["evaluated_at"] is None:
        raise NotFound("Evalueringsrapporten lages når evalueringen er ført.")
    programme = await get_programme(user, programme_id)
    enterprise = await get_enterprise(user, row["enterprise"])
    snapshots = await programme_snapshots(programme_id)
    before, after = snapshots.get("anchoring"), snapshots.get("evaluation")
    parts = plan_parts(programme)
    figures_chart = charts.grouped(
        [
            (label, [_four_quarter_value(old), _four_quarter_value(new)])
            for label, old, new in _comparisons(before, after)
        ],
        [("Ved forankring", BEFORE_COLOUR), ("Ved evaluering", AFTER_COLOUR)],
    )
    attendance_chart = charts.grouped(
        [
            (
                f"{s.title.split(' –')[0]}\n{s.starts_at.astimezone(OSLO):%d.%m kl. %H:%M}",
                [_count(s.invited), _count(s.attended)],
            )
            for s in _module_sittings(parts)
        ],
        [("Invitert", INVITED_COLOUR), ("Møtt", ATTENDED_COLOUR)],
    )
    sections = [await source(programme, parts) for source in _SECTIONS]
    return EvaluationReport(
        programme, enterprise, parts, before, after, figures_chart, attendance_chart, sections
    )
