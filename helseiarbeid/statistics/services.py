"""The national statistics: the figures the programme is steered by, built from the domains'
aggregate services (``company_track.services.region_months`` / ``sick_leave_outcomes``,
``clinic_track.services.individual_months``) — never a table of theirs, never a case.

Every count leaves through ``core.small_counts.protect_table`` (counts 1–4 «<5», complementary
suppression «x» so no hidden count can be solved from the totals). A median or 90th percentile
needs at least 5 values; a share is shown only when its count and the rest of its total are
both 0 or at least 5. A region's sick-leave outcome needs at least 5 enterprises.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from helseiarbeid.clinic_track import services as clinic
from helseiarbeid.clinic_track.schemas import Destination
from helseiarbeid.clinics import services as clinics
from helseiarbeid.company_track import services as company
from helseiarbeid.company_track.schemas import MODULES
from helseiarbeid.core import audit, small_counts
from helseiarbeid.core.audit import Actor, AuditAction
from helseiarbeid.core.clock import today_in_oslo
from helseiarbeid.core.database import write_transaction
from helseiarbeid.core.small_counts import ProtectedTable, Shown
from helseiarbeid.core.timefmt import format_number
from helseiarbeid.referrals.schemas import Complaint
from helseiarbeid.regions import services as regions

MONTHS = 12
EXPORT_PURPOSE = "nasjonal statistikk for styring av HelseIArbeid"
MONTH_NAMES = (
    "januar",
    "februar",
    "mars",
    "april",
    "mai",
    "juni",
    "juli",
    "august",
    "september",
    "oktober",
    "november",
    "desember",
)


def month_label(month: str) -> str:
    """ "2026-11" → «november 2026»."""
    return f"{MONTH_NAMES[int(month[5:7]) - 1]} {month[:4]}"


def _months(today: date, months: int) -> list[str]:
    year, month = today.year, today.month
    found = []
    for _ in range(months):
        found.append(f"{year:04d}-{month:02d}")
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return list(reversed(found))


@dataclass(frozen=True)
class FigureTable:
    """One protected table: ``rows`` (month labels) × ``columns`` with totals."""

    key: str
    title: str
    columns: list[str]
    rows: list[str]
    table: ProtectedTable


@dataclass(frozen=True)
class MonthRow:
    """Individual-track waiting times and shares for one month, as they may leave."""

    month: str
    median_to_assessment: str
    p90_to_assessment: str
    within_deadline: str
    right_to_care: str
    median_to_report: str


@dataclass(frozen=True)
class OutcomeRow:
    region: str
    enterprises: Shown
    before: str
    after: str
    change: str
    meets_goal: str


@dataclass(frozen=True)
class NationalStatistics:
    months: list[str]
    company_tables: list[FigureTable]
    individual_tables: list[FigureTable]
    waiting: list[MonthRow]
    outcomes: list[OutcomeRow]
    ia_goal: str


def _number(value: float | Decimal | None) -> str:
    return "" if value is None else format_number(float(value))


def _one_decimal(value: Decimal | None) -> str:
    """A percentage as NAV writes it: one decimal, decimal comma («8,0»)."""
    return "" if value is None else f"{value:.1f}".replace(".", ",")


def _share(part: int, whole: int) -> str:
    """The share in per cent, one decimal; «–» without 5 in the whole, «<5» when the part or
    the rest is from 1 to 4 (either would point at people)."""
    if whole < small_counts.LIMIT:
        return "–"
    if small_counts.is_small(part) or small_counts.is_small(whole - part):
        return small_counts.SUPPRESSED
    return f"{format_number(round(100 * part / whole, 1))} %"


def _stat(count: int, value: float | None) -> str:
    return _number(value) if count >= small_counts.LIMIT and value is not None else "–"


def _table(
    key: str, title: str, columns: list[str], rows: list[str], cells: list[list[int]]
) -> FigureTable:
    return FigureTable(key, title, columns, rows, small_counts.protect_table(cells))


async def national_statistics(months: int = MONTHS) -> NationalStatistics:
    """The last ``months`` months (this one included), both tracks, as they may leave.

    The individual track is shown for all clinics together, and only the referrals received
    per clinic side by side: one clinic's own tables beside the national ones would let a
    reader subtract their way to a suppressed cell."""
    clinic_names = await clinics.clinic_names()
    wanted = _months(today_in_oslo(), months)
    since = date(int(wanted[0][:4]), int(wanted[0][5:]), 1)
    labels = [month_label(m) for m in wanted]
    names = await regions.region_names()
    region_ids = list(names)
    by_key = {(r.region_id, r.month): r for r in await company.region_months(since)}

    def grid(value: object) -> list[list[int]]:
        return [
            [int(value(by_key.get((region, month)))) for region in region_ids]  # type: ignore[operator]
            for month in wanted
        ]

    region_columns = [names[r] for r in region_ids]
    company_tables = [
        _table(
            "virksomheter",
            "Virksomheter nådd (med minst én modul holdt i måneden)",
            region_columns,
            labels,
            grid(lambda r: r.enterprises_reached if r else 0),
        ),
        _table(
            "program_fullfort",
            "Program fullført (evaluering holdt)",
            region_columns,
            labels,
            grid(lambda r: r.programmes_completed if r else 0),
        ),
        _table(
            "samlinger",
            "Modulsamlinger holdt",
            region_columns,
            labels,
            grid(lambda r: r.sittings_held if r else 0),
        ),
    ]
    for module in MODULES:
        company_tables.append(
            _table(
                f"oppmote_{module.value}",
                f"Ansatte som deltok: {module.label}",
                region_columns,
                labels,
                grid(lambda r, kind=module.value: r.attendance.get(kind, 0) if r else 0),
            )
        )
    individual = {m.month: m for m in await clinic.individual_months(since)}
    empty = clinic.IndividualMonth("")
    months_of = [individual.get(month, empty) for month in wanted]
    complaints = list(Complaint)
    destinations = list(Destination)
    per_clinic = await clinic.received_by_clinic(since)
    individual_tables = [
        _table(
            "henvisninger_klinikk",
            "Henvisninger mottatt per klinikk (alle klinikker)",
            [name for _, name in clinic_names.values()],
            labels,
            [[per_clinic.get((cid, month), 0) for cid in clinic_names] for month in wanted],
        ),
        _table(
            "henvisninger",
            "Henvisninger mottatt, etter plager",
            [c.label for c in complaints],
            labels,
            [[m.by_complaint.get(c.value, 0) for c in complaints] for m in months_of],
        ),
        _table(
            "videre",
            "Videre henvist, etter hvor",
            [d.label for d in destinations],
            labels,
            [[m.onward.get(d.value, 0) for d in destinations] for m in months_of],
        ),
        _table(
            "avsluttet",
            "Saker avsluttet med rapport til fastlege",
            ["Saker"],
            labels,
            [[m.completed] for m in months_of],
        ),
    ]
    waiting = []
    for label, m in zip(labels, months_of, strict=True):
        to_assessment = m.assessment_stats()
        to_report = m.report_stats()
        waiting.append(
            MonthRow(
                month=label,
                median_to_assessment=_stat(to_assessment.count, to_assessment.median),
                p90_to_assessment=_stat(to_assessment.count, to_assessment.p90),
                within_deadline=_share(m.within_deadline, m.assessed),
                right_to_care=_share(m.right_to_care, m.assessed),
                median_to_report=_stat(to_report.count, to_report.median),
            )
        )
    outcomes = []
    found = {o.region_id: o for o in await company.sick_leave_outcomes()}
    for region in region_ids:
        outcome = found.get(region)
        count = outcome.enterprises if outcome else 0
        enough = outcome is not None and count >= small_counts.LIMIT
        change = outcome.change_percent if outcome and enough else None
        outcomes.append(
            OutcomeRow(
                region=names[region],
                enterprises=small_counts.shown(count),
                before=f"{_one_decimal(outcome.before_percent)} %" if outcome and enough else "–",
                after=f"{_one_decimal(outcome.after_percent)} %" if outcome and enough else "–",
                change=(
                    f"{'+' if change > 0 else ''}{_one_decimal(change)} %"
                    if change is not None
                    else "–"
                ),
                meets_goal=(
                    "–"
                    if change is None
                    else ("Ja" if outcome and outcome.meets_ia_goal else "Nei")
                ),
            )
        )
    return NationalStatistics(
        months=labels,
        company_tables=company_tables,
        individual_tables=individual_tables,
        waiting=waiting,
        outcomes=outcomes,
        ia_goal=f"{_number(company.IA_GOAL_PERCENT)} %",
    )


def _protected_rows(table: FigureTable) -> list[list[Shown]]:
    shown = table.table
    rows: list[list[Shown]] = []
    for label, cells, total in zip(table.rows, shown.cells, shown.row_totals, strict=True):
        rows.append([label, *cells, total])
    rows.append(["Sum", *shown.column_totals, shown.total])
    return rows


def csv_bytes(figures: NationalStatistics) -> bytes:
    """Long form for Norwegian Excel (UTF-8 with BOM, «;», decimal comma): one line per
    table, row and column — «del;tabell;rad;kolonne;verdi» — then the waiting times and the
    outcomes, every value exactly as on the page."""
    output = io.StringIO()
    writer = csv.writer(output, delimiter=";", lineterminator="\r\n")
    writer.writerow(["Del", "Tabell", "Rad", "Kolonne", "Verdi"])
    for part, tables in (
        ("Bedriftstiltak", figures.company_tables),
        ("Individtiltak", figures.individual_tables),
    ):
        for table in tables:
            for row in _protected_rows(table):
                for column, value in zip([*table.columns, "Sum"], row[1:], strict=True):
                    writer.writerow([part, table.title, row[0], column, value])
    for month in figures.waiting:
        for column, value in (
            ("Median virkedager til vurdering", month.median_to_assessment),
            ("90-persentil virkedager til vurdering", month.p90_to_assessment),
            ("Andel vurdert innen 10 virkedager", month.within_deadline),
            ("Andel med rett til helsehjelp", month.right_to_care),
            ("Median virkedager til rapport", month.median_to_report),
        ):
            writer.writerow(["Individtiltak", "Ventetider og andeler", month.month, column, value])
    for outcome in figures.outcomes:
        for column, value in (
            ("Virksomheter", outcome.enterprises),
            ("Sykefravær ved forankring", outcome.before),
            ("Sykefravær ved evaluering", outcome.after),
            ("Endring", outcome.change),
            (f"Nådd IA-målet ({figures.ia_goal})", outcome.meets_goal),
        ):
            writer.writerow(["Resultater", "Endring i sykefravær", outcome.region, column, value])
    return output.getvalue().encode("utf-8-sig")


async def export(actor: Actor) -> bytes:
    """The CSV, recorded in the access log as an export (it holds no one)."""
    async with write_transaction():
        figures = await national_statistics()
        await audit.record(
            actor, AuditAction.EXPORT, "national_statistics", "csv", purpose=EXPORT_PURPOSE
        )
    return csv_bytes(figures)
