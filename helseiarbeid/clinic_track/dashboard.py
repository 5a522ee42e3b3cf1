"""The clinic dashboard's figures, and the anonymised statistics export.

Everything is counted by the database over index ranges (receipt time, status): the request
costs the same however many years of referrals lie behind it. Waiting times in working days,
which only Python knows how to count, are stored on each referral as they happen
(``clinic_track.services.assessment._refresh_waiting_times``); here they are only tallied.
"""

from __future__ import annotations

import csv
import enum
import io
import statistics
from collections import Counter, defaultdict
from datetime import date, timedelta
from typing import Any, NamedTuple

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from piccolo.columns.combination import WhereRaw
from piccolo.query.functions.aggregate import Count

from helseiarbeid.clinic_track.schemas import (
    Dashboard,
    DurationStats,
    MonthCount,
    PeriodStats,
    StaffUpcoming,
    UpcomingConsultation,
)
from helseiarbeid.clinic_track.tables import (
    ConsultationStaff,
    OnwardReferral,
)
from helseiarbeid.clinics import services as clinics
from helseiarbeid.core import audit, small_counts
from helseiarbeid.core.audit import Actor, AuditAction
from helseiarbeid.core.clock import oslo_midnight, today_in_oslo, utcnow
from helseiarbeid.core.database import write_transaction
from helseiarbeid.core.roles import TEAM_ROLES
from helseiarbeid.core.tables import User
from helseiarbeid.core.timefmt import format_number
from helseiarbeid.core.working_days import add_working_days
from helseiarbeid.referrals.schemas import Complaint, Urgency
from helseiarbeid.referrals.status import AWAITING_ASSESSMENT, OPEN, OPEN_SQL, Status
from helseiarbeid.referrals.tables import Referral

PERIODS = (30, 90, 365)
MONTHS = 12
UPCOMING_DAYS = 14
YEAR = 365


def _value_at(histogram: list[tuple[int, int]], index: int) -> int:
    """The ``index``-th smallest value (0-based) of the values a sorted histogram counts."""
    seen = 0
    for value, count in histogram:
        seen += count
        if index < seen:
            return value
    raise IndexError(index)


def stats_from_counts(counts: Counter[int]) -> DurationStats:
    """Median and 90th percentile of the values counted, exactly as ``statistics.median`` and
    ``statistics.quantiles(method="inclusive")`` give them (the whole population is known)."""
    total = sum(counts.values())
    if not total:
        return DurationStats(count=0, median=None, p90=None)
    histogram = sorted(counts.items())

    def nth(index: int) -> int:
        return _value_at(histogram, index)

    middle = total // 2
    median = nth(middle) if total % 2 else (nth(middle - 1) + nth(middle)) / 2
    if total == 1:
        return DurationStats(count=1, median=float(median), p90=float(median))
    # quantiles(n=10, method="inclusive")[8]: interpolate at 9/10 of the way through.
    below, delta = divmod(9 * (total - 1), 10)
    p90 = (nth(below) * (10 - delta) + nth(below + 1) * delta) / 10
    return DurationStats(count=total, median=float(median), p90=round(p90, 1))


# Both read the last year's referrals from the covering index on the day of receipt.
_YEAR_SQL = """
SELECT received_on >= {} AS within_30, received_on >= {} AS within_90, status,
       working_days_to_assessment AS to_assessment,
       working_days_to_first_consultation AS to_consultation, COUNT(*) AS referrals
FROM referral
WHERE received_on >= {}{clinics}
GROUP BY 1, 2, 3, 4, 5
"""
_DAYS_SQL = """
SELECT received_on, complaint, COUNT(*) AS referrals
FROM referral
WHERE received_on >= {} AND received_on < {}{clinics}
GROUP BY 1, 2
"""


def _in_clinics(column: str, clinic_ids: list[int] | None) -> str:
    """SQL to add to a WHERE: ``column`` among ``clinic_ids`` (ids from the database, made
    integers here, so nothing from a request reaches the SQL); "" for every clinic (None)."""
    if clinic_ids is None:
        return ""
    return f" AND {column} IN ({', '.join(str(int(i)) for i in clinic_ids) or '0'})"


def _sql(template: str, column: str, clinic_ids: list[int] | None) -> str:
    return template.replace("{clinics}", _in_clinics(column, clinic_ids))


class _YearFigures(NamedTuple):
    closed_by_status: Counter[str]
    periods: list[PeriodStats]


async def _year_figures(today: date, clinic_ids: list[int] | None) -> _YearFigures:
    """Finished cases per status, and waiting times over the last 30, 90 and 365 days."""
    starts = {days: today - timedelta(days=days) for days in PERIODS}
    rows = await Referral.raw(
        _sql(_YEAR_SQL, "clinic", clinic_ids), starts[30], starts[90], starts[YEAR]
    )
    closed: Counter[str] = Counter()
    to_assessment: dict[int, Counter[int]] = {days: Counter() for days in PERIODS}
    to_consultation: dict[int, Counter[int]] = {days: Counter() for days in PERIODS}
    for row in rows:
        count = int(row["referrals"])
        if Status(row["status"]) not in OPEN:
            closed[row["status"]] += count
        periods = [YEAR] + [90] * bool(row["within_90"]) + [30] * bool(row["within_30"])
        for days in periods:
            if row["to_assessment"] is not None:
                to_assessment[days][row["to_assessment"]] += count
            if row["to_consultation"] is not None:
                to_consultation[days][row["to_consultation"]] += count
    return _YearFigures(
        closed_by_status=closed,
        periods=[
            PeriodStats(
                days=days,
                to_assessment=stats_from_counts(to_assessment[days]),
                to_first_consultation=stats_from_counts(to_consultation[days]),
            )
            for days in PERIODS
        ],
    )


def _month_starts(today: date, months: int) -> list[date]:
    starts = []
    year, month = today.year, today.month
    for _ in range(months):
        starts.append(date(year, month, 1))
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return list(reversed(starts))


def _month_of(day: date | str) -> str:
    """ "2026-11" for a date (SQLite may hand back a grouped date as its text)."""
    return day[:7] if isinstance(day, str) else day.strftime("%Y-%m")


async def referrals_per_month(
    today: date, months: int = MONTHS, clinic_ids: list[int] | None = None
) -> list[MonthCount]:
    """Referrals received per month and complaint (of ``clinic_ids``; None: every clinic)."""
    starts = _month_starts(today, months)
    end = date(today.year + (today.month == 12), today.month % 12 + 1, 1)
    rows = await Referral.raw(_sql(_DAYS_SQL, "clinic", clinic_ids), starts[0], end)
    counts: dict[str, Counter[str]] = defaultdict(Counter)
    for row in rows:
        counts[_month_of(row["received_on"])][row["complaint"]] += int(row["referrals"])
    result = []
    for start in starts:
        month = start.strftime("%Y-%m")
        result.append(
            MonthCount(
                month=month,
                musculoskeletal=counts[month][Complaint.MUSCULOSKELETAL.value],
                mental=counts[month][Complaint.MENTAL.value],
                both=counts[month][Complaint.BOTH.value],
            )
        )
    return result


async def _upcoming(clinic_ids: list[int] | None) -> list[StaffUpcoming]:
    now = utcnow()
    in_clinics: Any = (
        ConsultationStaff.consultation.referral.clinic.is_in(clinic_ids or [0])  # type: ignore[union-attr]
        if clinic_ids is not None
        else ConsultationStaff.id.is_not_null()
    )
    rows = await (
        ConsultationStaff.select(
            ConsultationStaff.staff,
            ConsultationStaff.consultation,
            ConsultationStaff.consultation.referral,
            ConsultationStaff.consultation.starts_at,
            ConsultationStaff.consultation.location,
        )
        .where(
            (ConsultationStaff.consultation.starts_at >= now)
            & (ConsultationStaff.consultation.starts_at < now + timedelta(days=UPCOMING_DAYS))
            & ConsultationStaff.consultation.cancelled_at.is_null()
            & in_clinics
        )
        .order_by(ConsultationStaff.consultation.starts_at)
    )
    by_staff: dict[int, list[UpcomingConsultation]] = defaultdict(list)
    for row in rows:
        by_staff[row["staff"]].append(
            UpcomingConsultation(
                consultation_id=row["consultation"],
                referral_id=row["consultation.referral"],
                starts_at=row["consultation.starts_at"],
                location=row["consultation.location"],
            )
        )
    members: Any = User.id.is_not_null()
    if clinic_ids is not None:
        members = User.id.is_in(sorted(await clinics.member_ids(clinic_ids)) or [0])
    team = await (
        User.select(User.id, User.name, User.role)
        .where(
            User.role.is_in([role.value for role in TEAM_ROLES])
            & (User.is_active == True)  # noqa: E712
            & members
        )
        .order_by(User.name)
    )
    return [
        StaffUpcoming(
            staff_id=member["id"],
            name=member["name"],
            role=member["role"],
            consultations=by_staff.get(member["id"], []),
        )
        for member in team
    ]


async def dashboard(clinic_ids: list[int] | None = None) -> Dashboard:
    """The figures of the clinic dashboard for the clinics ``clinic_ids`` (a user's clinics;
    None: every clinic). Holds no names of patients: nothing here is audited."""
    today = today_in_oslo()
    mine: Any = (
        Referral.clinic.is_in(clinic_ids or [0])
        if clinic_ids is not None
        else Referral.id.is_not_null()
    )
    # Cases still open are counted whenever they arrived; finished ones over the last year.
    awaiting = (
        Referral.status.is_in([s.value for s in AWAITING_ASSESSMENT]) & WhereRaw(OPEN_SQL) & mine
    )
    overdue = await Referral.count().where(awaiting & (Referral.assessment_due < today))
    due_soon = await Referral.count().where(
        awaiting
        & (Referral.assessment_due >= today)
        & (Referral.assessment_due <= add_working_days(today, 3))
    )
    urgent = awaiting & (Referral.urgency == Urgency.URGENT.value)
    urgent_awaiting = await Referral.count().where(urgent)
    urgent_past_target = await Referral.count().where(urgent & (Referral.assessment_target < today))
    destination_rows = await (
        OnwardReferral.select(OnwardReferral.destination_type, Count())
        .where(
            (OnwardReferral.created_at >= oslo_midnight(today - timedelta(days=YEAR)))
            & (
                OnwardReferral.referral.clinic.is_in(clinic_ids or [0])
                if clinic_ids is not None
                else OnwardReferral.id.is_not_null()
            )
        )
        .group_by(OnwardReferral.destination_type)
    )
    open_rows = await (
        Referral.select(Referral.status, Count())
        .where(Referral.status.is_in([status.value for status in OPEN]) & WhereRaw(OPEN_SQL) & mine)
        .group_by(Referral.status)
    )
    year = await _year_figures(today, clinic_ids)
    counts = {status.value: 0 for status in Status}
    counts.update(year.closed_by_status)
    counts.update({row["status"]: row["count"] for row in open_rows})
    return Dashboard(
        counts_by_status=counts,
        overdue=overdue,
        due_within_3_working_days=due_soon,
        urgent_awaiting=urgent_awaiting,
        urgent_past_target=urgent_past_target,
        periods=year.periods,
        referrals_per_month=await referrals_per_month(today, clinic_ids=clinic_ids),
        onward_destinations={row["destination_type"]: row["count"] for row in destination_rows},
        upcoming=await _upcoming(clinic_ids),
    )


class ExportFormat(enum.StrEnum):
    CSV = "csv"
    XLSX = "xlsx"


# What a Norwegian office user reads: Norwegian headings, one row per month and complaint.
HEADINGS = (
    "År",
    "Måned",
    "Plager",
    "Henvisninger",
    "Hastehenvisninger",
    "Akseptert",
    "Returnert",
    "Trukket",
    "Avsluttet",
    "Median virkedager til vurdering",
    "Median virkedager til første konsultasjon",
    "Videre henvisninger",
)
EXPORT_MONTHS = 24
EXPORT_PURPOSE = "anonymisert statistikk for evaluering av HelseIArbeid"

_CSV_SQL = """
SELECT r.received_on, r.complaint, r.urgency, r.status,
       r.working_days_to_assessment AS to_assessment,
       r.working_days_to_first_consultation AS to_consultation,
       EXISTS (SELECT 1 FROM assessment a
               WHERE a.referral = r.id AND a.decision = 'accepted') AS accepted,
       (SELECT COUNT(*) FROM onward_referral o
        WHERE o.referral = r.id) AS onward
FROM referral r
WHERE r.received_on >= {}{clinics}
"""

Cell = int | float | str


def _median(values: list[int]) -> float | str:
    """The median, when at least ``small_counts.LIMIT`` values go into it; else empty."""
    return statistics.median(values) if len(values) >= small_counts.LIMIT else ""


async def _anonymised_rows(months: int, clinic_ids: list[int] | None) -> list[list[Cell]]:
    """Counts per month and complaint for the programme's evaluation: no names, national IDs,
    free text or ids, nothing per person, and no count from 1 to 4 (``core.small_counts``)."""
    today = today_in_oslo()
    rows = await Referral.raw(
        _sql(_CSV_SQL, "r.clinic", clinic_ids), _month_starts(today, months)[0]
    )
    groups: dict[tuple[str, str], list[dict[str, Any]]] = defaultdict(list)
    for row in rows:
        groups[(_month_of(row["received_on"]), row["complaint"])].append(row)
    table: list[list[Cell]] = []
    for (month, complaint), members in sorted(groups.items()):
        to_assessment = [m["to_assessment"] for m in members if m["to_assessment"] is not None]
        to_consultation = [
            m["to_consultation"] for m in members if m["to_consultation"] is not None
        ]
        statuses = Counter(str(member["status"]) for member in members)
        counts = [
            len(members),
            sum(1 for member in members if member["urgency"] == "urgent"),
            sum(1 for member in members if member["accepted"]),
            statuses["returned"],
            statuses["withdrawn"],
            statuses["completed"],
        ]
        table.append(
            [
                int(month[:4]),
                int(month[5:]),
                Complaint(complaint).label,
                *(small_counts.shown(count) for count in counts),
                _median(to_assessment),
                _median(to_consultation),
                small_counts.shown(sum(int(member["onward"]) for member in members)),
            ]
        )
    return table


def _csv(table: list[list[Cell]]) -> bytes:
    """UTF-8 with a byte-order mark, «;» between fields and decimal commas: what Excel with
    Norwegian settings opens in columns on a double-click."""
    output = io.StringIO()
    writer = csv.writer(output, delimiter=";", lineterminator="\r\n")
    writer.writerow(HEADINGS)
    for row in table:
        writer.writerow([format_number(cell) if isinstance(cell, float) else cell for cell in row])
    return output.getvalue().encode("utf-8-sig")


def _xlsx(table: list[list[Cell]]) -> bytes:
    """The same table as an Excel workbook: numbers as numbers, «<5» as text."""
    workbook = Workbook()
    sheet = workbook.worksheets[0]
    sheet.title = "Henvisninger per måned"
    sheet.append(HEADINGS)
    for row in table:
        sheet.append(row)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    for column, heading in enumerate(HEADINGS, start=1):
        sheet.column_dimensions[get_column_letter(column)].width = max(8, min(len(heading), 22))
    sheet.column_dimensions["C"].width = 48
    sheet.freeze_panes = "A2"
    output = io.BytesIO()
    workbook.save(output)
    return output.getvalue()


async def anonymised_export(
    actor: Actor, kind: ExportFormat, clinic_ids: list[int] | None = None
) -> bytes:
    """The anonymised statistics of the last ``EXPORT_MONTHS`` months as CSV or xlsx bytes,
    of the clinics ``clinic_ids`` (None: every clinic). The export is recorded in the access
    log (action «Eksportert»), though it holds no one."""
    async with write_transaction():
        table = await _anonymised_rows(EXPORT_MONTHS, clinic_ids)
        await audit.record(
            actor, AuditAction.EXPORT, "statistics", kind.value, purpose=EXPORT_PURPOSE
        )
    return _csv(table) if kind is ExportFormat.CSV else _xlsx(table)
