"""The clinic dashboard's figures, and the anonymised statistics export.

Counts are done by the database (GROUP BY over indexed columns); durations are computed per
referral in working days, which only Python knows how to count.
"""

from __future__ import annotations

import csv
import io
import statistics
from collections import Counter, defaultdict
from datetime import date, datetime, time, timedelta
from itertools import pairwise

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
    Assessment,
    Consultation,
    ConsultationStaff,
    OnwardReferral,
)
from helseiarbeid.core.clock import OSLO, today_in_oslo, utcnow
from helseiarbeid.core.roles import TEAM_ROLES
from helseiarbeid.core.tables import User
from helseiarbeid.core.timefmt import to_oslo
from helseiarbeid.core.working_days import add_working_days, working_days_between
from helseiarbeid.referrals.schemas import Complaint
from helseiarbeid.referrals.status import AWAITING_ASSESSMENT, Status
from helseiarbeid.referrals.tables import Referral

PERIODS = (30, 90, 365)
MONTHS = 12
UPCOMING_DAYS = 14
DECISIVE = ("accepted", "returned")


def _oslo_midnight(day: date) -> datetime:
    return datetime.combine(day, time(0), tzinfo=OSLO)


def duration_stats(values: list[int]) -> DurationStats:
    """Median and 90th percentile (inclusive method: the values are the whole population)."""
    if not values:
        return DurationStats(count=0, median=None, p90=None)
    if len(values) == 1:
        return DurationStats(count=1, median=float(values[0]), p90=float(values[0]))
    p90 = statistics.quantiles(values, n=10, method="inclusive")[8]
    return DurationStats(
        count=len(values), median=float(statistics.median(values)), p90=round(p90, 1)
    )


async def _received_since(since: datetime) -> dict[int, date]:
    rows = await Referral.select(Referral.id, Referral.received_at).where(
        Referral.received_at >= since
    )
    return {row["id"]: to_oslo(row["received_at"]).date() for row in rows}


async def _first_times(
    received: dict[int, date], table: type[Assessment] | type[Consultation]
) -> dict[int, date]:
    """The first decisive assessment, or first consultation, of each of these referrals."""
    if not received:
        return {}
    if table is Assessment:
        rows = await Assessment.select(Assessment.referral, Assessment.assessed_at).where(
            Assessment.referral.is_in(list(received)) & Assessment.decision.is_in(list(DECISIVE))
        )
        moments = [(row["referral"], row["assessed_at"]) for row in rows]
    else:
        rows = await Consultation.select(Consultation.referral, Consultation.starts_at).where(
            Consultation.referral.is_in(list(received)) & Consultation.cancelled_at.is_null()
        )
        moments = [(row["referral"], row["starts_at"]) for row in rows]
    first: dict[int, date] = {}
    for referral_id, moment in moments:
        day = to_oslo(moment).date()
        if referral_id not in first or day < first[referral_id]:
            first[referral_id] = day
    return first


async def _period(days: int, today: date) -> PeriodStats:
    received = await _received_since(_oslo_midnight(today - timedelta(days=days)))
    assessed = await _first_times(received, Assessment)
    consulted = await _first_times(received, Consultation)
    return PeriodStats(
        days=days,
        to_assessment=duration_stats(
            [working_days_between(received[r], d) for r, d in assessed.items()]
        ),
        to_first_consultation=duration_stats(
            [working_days_between(received[r], d) for r, d in consulted.items()]
        ),
    )


def _month_starts(today: date, months: int) -> list[date]:
    starts = []
    year, month = today.year, today.month
    for _ in range(months):
        starts.append(date(year, month, 1))
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return list(reversed(starts))


async def referrals_per_month(today: date, months: int = MONTHS) -> list[MonthCount]:
    starts = _month_starts(today, months)
    bounds = [*starts, date(today.year + (today.month == 12), today.month % 12 + 1, 1)]
    result = []
    for start, end in pairwise(bounds):
        rows = await (
            Referral.select(Referral.complaint, Count())
            .where(
                (Referral.received_at >= _oslo_midnight(start))
                & (Referral.received_at < _oslo_midnight(end))
            )
            .group_by(Referral.complaint)
        )
        counts = {row["complaint"]: row["count"] for row in rows}
        result.append(
            MonthCount(
                month=start.strftime("%Y-%m"),
                musculoskeletal=counts.get(Complaint.MUSCULOSKELETAL.value, 0),
                mental=counts.get(Complaint.MENTAL.value, 0),
                both=counts.get(Complaint.BOTH.value, 0),
            )
        )
    return result


async def _upcoming() -> list[StaffUpcoming]:
    now = utcnow()
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
    team = await (
        User.select(User.id, User.name, User.role)
        .where(User.role.is_in([role.value for role in TEAM_ROLES]) & (User.is_active == True))  # noqa: E712
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


async def dashboard() -> Dashboard:
    """The figures of the clinic dashboard. Holds no names: nothing here is audited."""
    today = today_in_oslo()
    awaiting = Referral.status.is_in([status.value for status in AWAITING_ASSESSMENT])
    status_rows = await Referral.select(Referral.status, Count()).group_by(Referral.status)
    counts = {status.value: 0 for status in Status}
    counts.update({row["status"]: row["count"] for row in status_rows})
    overdue = await Referral.count().where(awaiting & (Referral.assessment_due < today))
    due_soon = await Referral.count().where(
        awaiting
        & (Referral.assessment_due >= today)
        & (Referral.assessment_due <= add_working_days(today, 3))
    )
    destination_rows = await OnwardReferral.select(
        OnwardReferral.destination_type, Count()
    ).group_by(OnwardReferral.destination_type)
    return Dashboard(
        counts_by_status=counts,
        overdue=overdue,
        due_within_3_working_days=due_soon,
        periods=[await _period(days, today) for days in PERIODS],
        referrals_per_month=await referrals_per_month(today),
        onward_destinations={row["destination_type"]: row["count"] for row in destination_rows},
        upcoming=await _upcoming(),
    )


CSV_COLUMNS = (
    "month",
    "complaint",
    "referrals",
    "urgent",
    "accepted",
    "returned",
    "withdrawn",
    "completed",
    "median_working_days_to_assessment",
    "median_working_days_to_first_consultation",
    "onward_referrals",
)


async def anonymised_csv(months: int = 24) -> str:
    """Counts per month and complaint for the programme's evaluation: no names, national IDs,
    free text or ids, and nothing per person."""
    today = today_in_oslo()
    since = _oslo_midnight(_month_starts(today, months)[0])
    rows = await Referral.select(
        Referral.id, Referral.received_at, Referral.complaint, Referral.urgency, Referral.status
    ).where(Referral.received_at >= since)
    received = {row["id"]: to_oslo(row["received_at"]).date() for row in rows}
    assessed = await _first_times(received, Assessment)
    consulted = await _first_times(received, Consultation)
    accepted_rows = await Assessment.select(Assessment.referral).where(
        Assessment.referral.is_in(list(received) or [0]) & (Assessment.decision == "accepted")
    )
    accepted = {row["referral"] for row in accepted_rows}
    onward_rows = await OnwardReferral.select(OnwardReferral.referral).where(
        OnwardReferral.referral.is_in(list(received) or [0])
    )
    onward = Counter(row["referral"] for row in onward_rows)
    groups: dict[tuple[str, str], list[dict[str, object]]] = defaultdict(list)
    for row in rows:
        groups[(received[row["id"]].strftime("%Y-%m"), row["complaint"])].append(row)
    output = io.StringIO()
    writer = csv.writer(output, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for (month, complaint), members in sorted(groups.items()):
        ids = [int(str(member["id"])) for member in members]
        to_assessment = [
            working_days_between(received[i], assessed[i]) for i in ids if i in assessed
        ]
        to_consultation = [
            working_days_between(received[i], consulted[i]) for i in ids if i in consulted
        ]
        statuses = Counter(str(member["status"]) for member in members)
        writer.writerow(
            [
                month,
                complaint,
                len(members),
                sum(1 for member in members if member["urgency"] == "urgent"),
                sum(1 for i in ids if i in accepted),
                statuses["returned"],
                statuses["withdrawn"],
                statuses["completed"],
                statistics.median(to_assessment) if to_assessment else "",
                statistics.median(to_consultation) if to_consultation else "",
                sum(onward[i] for i in ids),
            ]
        )
    return output.getvalue()
