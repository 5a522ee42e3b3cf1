"""The clinic team's rules: triage, assessment, consultations, clarification, onward referral
and the report to the GP. Each function owns its transaction and writes the audit rows.

Reads of referral rows join the referrals tables; every change to a referral (status,
documents, questions to the GP) goes through ``referrals.services``.
"""

from __future__ import annotations

from helseiarbeid.clinic_track.services._common import ACTIVE, PURPOSE
from helseiarbeid.clinic_track.services.assessment import add_triage_note, assess
from helseiarbeid.clinic_track.services.calendar import (
    CONSULTATION_SUMMARY,
    calendar_changed_since,
    calendar_items,
    consultation_event,
)
from helseiarbeid.clinic_track.services.clarification import save_clarification
from helseiarbeid.clinic_track.services.consultations import (
    CONSULTATION,
    MAX_CANCEL_REASON,
    book_consultation,
    cancel_consultation,
    record_outcome,
)
from helseiarbeid.clinic_track.services.onward import (
    REFERRING_CLINICIANS,
    add_onward_referral,
    onward_destinations,
)
from helseiarbeid.clinic_track.services.report import ReportDraft, case, draft_report, write_report
from helseiarbeid.clinic_track.services.statistics import (
    IndividualMonth,
    individual_months,
    received_by_clinic,
)
from helseiarbeid.clinic_track.services.worklist import URGENT_FIRST_SQL, worklist

__all__ = [
    "ACTIVE",
    "CONSULTATION",
    "CONSULTATION_SUMMARY",
    "MAX_CANCEL_REASON",
    "PURPOSE",
    "REFERRING_CLINICIANS",
    "URGENT_FIRST_SQL",
    "IndividualMonth",
    "ReportDraft",
    "add_onward_referral",
    "add_triage_note",
    "assess",
    "book_consultation",
    "calendar_changed_since",
    "calendar_items",
    "cancel_consultation",
    "case",
    "consultation_event",
    "draft_report",
    "individual_months",
    "onward_destinations",
    "received_by_clinic",
    "record_outcome",
    "save_clarification",
    "worklist",
    "write_report",
]
