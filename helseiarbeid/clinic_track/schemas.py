"""Request and response bodies of the clinic's API (msgspec)."""

from __future__ import annotations

import enum
from datetime import date, datetime
from typing import Annotated

import msgspec

from helseiarbeid.core.schemas import DbId, Schema
from helseiarbeid.referrals.schemas import (
    Complaint,
    HealthAccess,
    InformationRequestOut,
    NavConsentEventOut,
    Urgency,
)
from helseiarbeid.referrals.status import Status


class Recommendation(enum.StrEnum):
    ACCEPT = "accept"
    RETURN = "return"
    MORE_INFORMATION = "more_information"

    @property
    def label(self) -> str:
        return {
            "accept": "Ta inn",
            "return": "Returnere til fastlege",
            "more_information": "Be om mer informasjon",
        }[self.value]


class Decision(enum.StrEnum):
    ACCEPTED = "accepted"
    RETURNED = "returned"
    MORE_INFORMATION = "more_information"

    @property
    def label(self) -> str:
        return {
            "accepted": "Tatt inn med rett til nødvendig helsehjelp",
            "returned": "Returnert til fastlege",
            "more_information": "Venter på mer informasjon fra fastlege",
        }[self.value]


class Priority(enum.StrEnum):
    """How soon care must start (prioriteringsforskriften), shortest first."""

    URGENT = "urgent"
    HIGH = "high"
    NORMAL = "normal"

    @property
    def label(self) -> str:
        return {"urgent": "Haster", "high": "Høy", "normal": "Ordinær"}[self.value]


class Destination(enum.StrEnum):
    PHYSIOTHERAPY = "physiotherapy"
    MUNICIPAL_MENTAL_HEALTH = "municipal_mental_health"
    DPS = "dps"
    SPECIALIST_DEPARTMENT = "specialist_department"
    REHABILITATION = "rehabilitation"
    NAV_WORK_MEASURES = "nav_work_measures"
    GP_ONLY = "gp_only"

    @property
    def label(self) -> str:
        return DESTINATION_LABELS[self]

    @property
    def is_health_service(self) -> bool:
        """A referral into health care (everything but NAV's own work-oriented measures):
        a clinician's decision, signed by a physician or psychologist with HPR number."""
        return self is not Destination.NAV_WORK_MEASURES


DESTINATION_LABELS = {
    Destination.PHYSIOTHERAPY: "Fysioterapi",
    Destination.MUNICIPAL_MENTAL_HEALTH: "Kommunal psykisk helsetjeneste eller psykolog",
    Destination.DPS: "Distriktspsykiatrisk senter (DPS)",
    Destination.SPECIALIST_DEPARTMENT: "Spesialistavdeling",
    Destination.REHABILITATION: "Rehabilitering",
    Destination.NAV_WORK_MEASURES: "Arbeidsrettede tiltak i NAV",
    Destination.GP_ONLY: "Tilbake til fastlege",
}

Text = Annotated[str, msgspec.Meta(max_length=10_000)]
ShortText = Annotated[str, msgspec.Meta(max_length=200)]


class TriageNoteCreate(Schema):
    note: Text
    recommendation: Recommendation


class TriageNoteOut(Schema):
    id: int
    author: str
    author_role: str
    note: str
    recommendation: Recommendation
    created_at: datetime


class AssessmentCreate(Schema):
    decision: Decision
    start_deadline: date | None = None
    priority: Priority | None = None
    reason: Text = ""
    # The case version the assessor saw; a stale one is refused with 409.
    version: int | None = None


class AssessmentOut(Schema):
    id: int
    decision: Decision
    has_right_to_care: bool | None
    start_deadline: date | None
    priority: Priority | None
    reason: str
    assessed_by: str
    assessed_at: datetime


class ConsultationCreate(Schema):
    starts_at: datetime
    duration_minutes: Annotated[int, msgspec.Meta(ge=15, le=480)]
    staff_ids: Annotated[list[DbId], msgspec.Meta(min_length=1, max_length=6)]
    location: ShortText


class Outcome(enum.StrEnum):
    """What became of a consultation: recorded by the team once it has started, or
    «cancelled» when called off (with a reason)."""

    HELD = "held"
    NOT_ATTENDED = "not_attended"
    CANCELLED = "cancelled"

    @property
    def label(self) -> str:
        return {"held": "Gjennomført", "not_attended": "Ikke møtt", "cancelled": "Avlyst"}[
            self.value
        ]


class ConsultationOut(Schema):
    id: int
    starts_at: datetime
    ends_at: datetime
    duration_minutes: int
    location: str
    staff: list[str]
    letter_url: str | None
    # None until the team records it; the report waits for every consultation to have one.
    outcome: Outcome | None = None
    cancel_reason: str = ""


class OutcomeUpdate(Schema):
    """held or not_attended, once the consultation has started (cancel has its own route)."""

    outcome: Outcome


class ConsultationCancel(Schema):
    reason: Text


class ClarificationUpdate(Schema):
    summary: Text
    coping_plan: Text = ""
    work_recommendations: Text = ""
    follow_up: Text = ""
    version: int | None = None


class OnwardReferralCreate(Schema):
    destination_type: Destination
    destination_name: ShortText
    reason: Text
    # The health service's HER-id (Adresseregisteret): the referral then also goes to it as a
    # health message (Henvisning 2.0, HENVISNING_VIDERE). Empty: the letter only.
    destination_her_id: Annotated[str, msgspec.Meta(max_length=16)] = ""


class OnwardReferralOut(Schema):
    id: int
    destination_type: Destination
    destination_name: str
    reason: str
    created_at: datetime
    letter_url: str
    destination_her_id: str = ""
    sent_as_message: bool = False


class ResponsibleUpdate(Schema):
    staff_id: DbId | None


class ReportCreate(Schema):
    version: int | None = None
    # The draft's fingerprint from the preview (``draft`` in its page); when given, a report
    # that would differ from the draft seen is refused with 409.
    draft: Annotated[str, msgspec.Meta(max_length=64)] | None = None


class DocumentOut(Schema):
    id: int
    kind: str
    title: str
    created_at: datetime
    url: str
    # Set when the letter no longer holds (the appointment letter of a cancelled time).
    cancelled_at: datetime | None = None


class CaseOut(Schema):
    """Everything the team has recorded on a referral."""

    referral_id: int
    status: Status
    version: int
    triage_notes: list[TriageNoteOut]
    assessments: list[AssessmentOut]
    consultations: list[ConsultationOut]
    clarification: ClarificationUpdate | None
    onward_referrals: list[OnwardReferralOut]
    documents: list[DocumentOut]
    # The team's questions to the GP and the GP's answers (text, who, when), oldest first.
    information_requests: list[InformationRequestOut]
    # The patient's consent to NAV taking part: given and withdrawn, oldest first.
    nav_consent_history: list[NavConsentEventOut]


class DeadlineKind(enum.StrEnum):
    """Which deadline a worklist row counts down to: the assessment deadline (10 working days
    from receipt, pasient- og brukerrettighetsloven § 2-2) until the referral is decided, then
    the start deadline set when it was accepted (frist for nødvendig helsehjelp)."""

    ASSESSMENT = "assessment"
    START = "start"

    @property
    def label(self) -> str:
        return {"assessment": "Frist for vurdering", "start": "Frist for helsehjelp"}[self.value]


class WorklistItem(Schema):
    id: int
    reference: str
    status: Status
    received_at: datetime
    assessment_due: date
    # The deadline that counts now and the working days to it (negative once passed); None
    # when none counts: the case has ended, or care started (first consultation held).
    deadline: date | None
    deadline_kind: DeadlineKind | None
    # Urgent referrals: the team's internal target for assessment (None when routine).
    assessment_target: date | None
    overdue: bool
    working_days_left: int | None
    start_deadline: date | None
    care_started_on: date | None
    patient_name: str
    # None when the caller may not see the case's health information (HealthAccess).
    complaint: Complaint | None
    urgency: Urgency
    responsible: str | None
    # What the caller may see of the case (referrals.services.access): full, reason_needed
    # (a clinician outside the open queue and their cases) or no_health_text.
    access: HealthAccess
    waiting_for_information: bool
    # The GP has answered the team's latest question and the case waits for the assessors
    # again («Svar fra fastlege»).
    answer_from_gp: bool


class Worklist(Schema):
    items: list[WorklistItem]
    total: int
    limit: int
    offset: int


class DurationStats(Schema):
    """Working days, over the referrals with a value in the period."""

    count: int
    median: float | None
    p90: float | None


class PeriodStats(Schema):
    days: int
    to_assessment: DurationStats
    to_first_consultation: DurationStats


class MonthCount(Schema):
    month: str
    musculoskeletal: int
    mental: int
    both: int


class UpcomingConsultation(Schema):
    consultation_id: int
    referral_id: int
    starts_at: datetime
    location: str


class StaffUpcoming(Schema):
    staff_id: int
    name: str
    role: str
    consultations: list[UpcomingConsultation]


class Dashboard(Schema):
    counts_by_status: dict[str, int]
    overdue: int
    due_within_3_working_days: int
    # Urgent referrals waiting for assessment, and those of them past the internal target.
    urgent_awaiting: int
    urgent_past_target: int
    periods: list[PeriodStats]
    referrals_per_month: list[MonthCount]
    onward_destinations: dict[str, int]
    upcoming: list[StaffUpcoming]


class ForwardRequest(Schema):
    """Forward a referral to another clinic (issue 15 §2)."""

    clinic: str  # the other clinic's short name
    reason: str  # 10–500 characters; the GP sees it in the referral's history
