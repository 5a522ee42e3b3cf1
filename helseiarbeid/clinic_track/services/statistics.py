"""The individual track's figures for the national statistics (issue 15 §5): per month,
aggregates only — counts, medians and shares — never a referral. The caller suppresses small
numbers (``core.small_counts``) before anything leaves.

Per month for all clinics together, and the referrals received per clinic and month
(``received_by_clinic``) for the table that sets clinics side by side. (A clinic's own figures
are not offered: beside the national ones, the difference would undo the suppression.)
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from helseiarbeid.clinic_track.dashboard import stats_from_counts
from helseiarbeid.clinic_track.schemas import Destination, DurationStats
from helseiarbeid.clinic_track.tables import OnwardReferral
from helseiarbeid.core.clock import OSLO
from helseiarbeid.core.working_days import working_days_between
from helseiarbeid.referrals.schemas import Complaint
from helseiarbeid.referrals.tables import Referral

# The assessment deadline (pasient- og brukerrettighetsloven § 2-2).
DEADLINE_WORKING_DAYS = 10

_MONTH_SQL = """
SELECT r.received_on, r.complaint, r.working_days_to_assessment AS to_assessment,
       EXISTS (SELECT 1 FROM assessment a
               WHERE a.referral = r.id AND a.has_right_to_care = {}) AS right_to_care,
       COUNT(*) AS referrals
FROM referral r
WHERE r.received_on >= {}
GROUP BY 1, 2, 3, 4
"""
_REPORT_SQL = """
SELECT d.created_at, r.received_on
FROM referral_document d JOIN referral r ON r.id = d.referral
WHERE d.kind = 'report' AND d.cancelled_at IS NULL AND d.created_at >= {}
"""
_BY_CLINIC_SQL = """
SELECT r.clinic, r.received_on, COUNT(*) AS referrals
FROM referral r
WHERE r.received_on >= {}
GROUP BY 1, 2
"""


@dataclass
class IndividualMonth:
    """One month (by day of receipt, Oslo): referrals per complaint; working days from receipt
    to assessment (counted values); assessed within the deadline; with a right to care;
    onward referrals per destination (by the month they were made); reports sent (cases
    completed, by the month of the report) and working days from receipt to report."""

    month: str
    by_complaint: dict[str, int] = field(default_factory=dict)
    to_assessment: Counter[int] = field(default_factory=Counter)
    within_deadline: int = 0
    right_to_care: int = 0
    onward: dict[str, int] = field(default_factory=dict)
    completed: int = 0
    to_report: Counter[int] = field(default_factory=Counter)

    @property
    def received(self) -> int:
        return sum(self.by_complaint.values())

    @property
    def assessed(self) -> int:
        return sum(self.to_assessment.values())

    def assessment_stats(self) -> DurationStats:
        return stats_from_counts(self.to_assessment)

    def report_stats(self) -> DurationStats:
        return stats_from_counts(self.to_report)


def _month(day: date | str) -> str:
    return day[:7] if isinstance(day, str) else day.strftime("%Y-%m")


def _day(value: date | str) -> date:
    return date.fromisoformat(value[:10]) if isinstance(value, str) else value


def _key(row: dict[str, Any], moment: date | str) -> str:
    return _month(moment)


async def received_by_clinic(since: date) -> dict[tuple[int, str], int]:
    """Referrals received per (clinic id, month «YYYY-MM») from ``since``; months without
    referrals are absent."""
    counts: Counter[tuple[int, str]] = Counter()
    for row in await Referral.raw(_BY_CLINIC_SQL, since):
        counts[(int(row["clinic"]), _month(row["received_on"]))] += int(row["referrals"])
    return dict(counts)


async def individual_months(since: date) -> list[IndividualMonth]:
    """Per month from ``since`` (inclusive; first of a month) to now, in month order."""
    months: dict[str, IndividualMonth] = {}

    def entry(key: str) -> IndividualMonth:
        if key not in months:
            months[key] = IndividualMonth(
                key,
                by_complaint={c.value: 0 for c in Complaint},
                onward={d.value: 0 for d in Destination},
            )
        return months[key]

    for row in await Referral.raw(_MONTH_SQL, True, since):
        item = entry(_key(row, row["received_on"]))
        count = int(row["referrals"])
        item.by_complaint[row["complaint"]] = item.by_complaint.get(row["complaint"], 0) + count
        if row["to_assessment"] is not None:
            item.to_assessment[int(row["to_assessment"])] += count
            if int(row["to_assessment"]) <= DEADLINE_WORKING_DAYS:
                item.within_deadline += count
            if row["right_to_care"]:
                item.right_to_care += count
    start = datetime(since.year, since.month, since.day, tzinfo=OSLO)
    onward = await OnwardReferral.select(
        OnwardReferral.created_at, OnwardReferral.destination_type
    ).where(OnwardReferral.created_at >= start)
    for row in onward:
        item = entry(_key(row, row["created_at"].astimezone(OSLO).date()))
        item.onward[row["destination_type"]] = item.onward.get(row["destination_type"], 0) + 1
    for row in await Referral.raw(_REPORT_SQL, start):
        created = row["created_at"]
        if isinstance(created, str):
            created = datetime.fromisoformat(created)
        reported_on = created.astimezone(OSLO).date()
        item = entry(_key(row, reported_on))
        item.completed += 1
        if row["received_on"] is not None:
            item.to_report[working_days_between(_day(row["received_on"]), reported_on)] += 1
    return [months[key] for key in sorted(months)]
