"""Request and response bodies of the referral API (msgspec)."""

from __future__ import annotations

import enum
from datetime import date, datetime

import msgspec

from helseiarbeid.core.schemas import Schema
from helseiarbeid.referrals.status import Status


class WorkStatus(enum.StrEnum):
    WORKING = "working"
    SICK_LEAVE_FULL = "sick_leave_full"
    SICK_LEAVE_GRADED = "sick_leave_graded"
    OTHER = "other"

    @property
    def label(self) -> str:
        return {
            "working": "I arbeid",
            "sick_leave_full": "Helt sykmeldt",
            "sick_leave_graded": "Gradert sykmeldt",
            "other": "Annet",
        }[self.value]


class Complaint(enum.StrEnum):
    MUSCULOSKELETAL = "musculoskeletal"
    MENTAL = "mental"
    BOTH = "both"

    @property
    def label(self) -> str:
        return {
            "musculoskeletal": "Muskel- og skjelettplager",
            "mental": "Psykiske plager",
            "both": "Både muskel- og skjelettplager og psykiske plager",
        }[self.value]


class Urgency(enum.StrEnum):
    ROUTINE = "routine"
    URGENT = "urgent"

    @property
    def label(self) -> str:
        return {"routine": "Ordinær", "urgent": "Haster"}[self.value]


class NavConsent(enum.StrEnum):
    """The patient's consent to NAV taking part in the case, as it stands (DOMAIN.md: NAV
    takes part only with the patient's consent). «Not recorded» is the state of a referral
    that arrived without it (an electronic message does not carry it)."""

    NOT_RECORDED = "not_recorded"
    GIVEN = "given"
    WITHDRAWN = "withdrawn"

    @property
    def label(self) -> str:
        return {
            "not_recorded": "Ikke registrert",
            "given": "Gitt",
            "withdrawn": "Trukket tilbake",
        }[self.value]


class HealthAccess(enum.StrEnum):
    """What a user may see of one case's health information (referrals.services.access)."""

    FULL = "full"
    # A clinician outside the open queue and their own cases: a recorded reason opens it.
    REASON_NEEDED = "reason_needed"
    # The NAV counsellor without the patient's consent, or outside the open queue and their
    # own cases: the case without health text.
    NO_HEALTH_TEXT = "no_health_text"


class NavConsentSource(enum.StrEnum):
    """How a consent event came: with the referral (the GP's form or API), or recorded later
    by the clinic."""

    REFERRAL = "referral"
    CLINIC = "clinic"

    @property
    def label(self) -> str:
        return {"referral": "På henvisningen fra fastlegen", "clinic": "Registrert av klinikken"}[
            self.value
        ]


class NavConsentEventOut(Schema):
    state: NavConsent  # given or withdrawn
    effective_on: date
    source: NavConsentSource
    note: str
    recorded_by: str  # the name, or «Fastlegen» for consent on the referral
    recorded_at: datetime


class NavConsentChange(Schema):
    """The clinic records that the patient withdrew (``withdrawn``) or gave again (``given``)
    the consent to NAV taking part, on ``effective_on`` (not in the future)."""

    state: NavConsent
    effective_on: date
    note: str = ""


class AccessReason(Schema):
    """A clinician's reason («tjenstlig behov») to open a case outside the team's open queue
    and their own cases (helsepersonelloven § 21a)."""

    reason: str


class AccessReasonOut(Schema):
    referral_id: int
    expires_at: datetime


class PatientIn(Schema):
    national_id: str
    name: str
    address: str
    phone: str
    # Kommunenummer (4 digits) of where the patient lives: routes the referral to the clinic
    # serving it (issue 15 §2). Optional; not stored.
    municipality: str | None = None


class EmployerIn(Schema):
    name: str
    org_number: str | None = None


class ReferralCreate(Schema):
    patient: PatientIn
    employer: EmployerIn
    occupation: str
    work_status: WorkStatus
    complaint: Complaint
    description: str
    question: str
    urgency: Urgency
    # Not required by the schema so that a missing consent gets the same clear message as false.
    consent_nav_participation: bool = False
    sick_leave_percent: int | None = None
    sick_leave_since: date | None = None
    complaint_duration: str = ""
    history: str = ""
    medication: str = ""
    urgency_reason: str | None = None
    # The clinic's short name (GET /api/v1/clinics), when the GP chooses; else the clinic
    # serving the patient's municipality, or the only one.
    clinic: str | None = None


class ReferralReceipt(Schema):
    """The answer to a submission; replayed byte for byte for a retried Idempotency-Key."""

    id: int
    reference: str
    status: Status
    received_at: datetime
    assessment_due: date
    # Urgent referrals only: the team's internal target, shorter than the legal deadline.
    assessment_target: date | None = None


class InformationAnswer(Schema):
    answer: str


class WithdrawRequest(Schema):
    reason: str = ""


class GpOut(Schema):
    name: str
    hpr_number: str
    office_name: str
    office_address: str
    office_phone: str


class InformationRequestOut(Schema):
    """The team's question to the GP and, once given, the GP's answer."""

    id: int
    question: str
    asked_by: str
    asked_at: datetime
    answer: str | None
    answered_by: str | None
    answered_at: datetime | None


class StatusChangeOut(Schema):
    from_status: Status | None
    to_status: Status
    changed_at: datetime
    changed_by: str
    reason: str


class ReferralOut(Schema):
    id: int
    reference: str
    status: Status
    received_at: datetime
    assessment_due: date
    # Urgent referrals only: the team's internal target, shorter than the legal deadline.
    assessment_target: date | None
    patient: PatientIn
    employer: EmployerIn
    occupation: str
    work_status: WorkStatus
    sick_leave_percent: int | None
    sick_leave_since: date | None
    complaint: Complaint
    description: str
    complaint_duration: str
    question: str
    history: str
    medication: str
    urgency: Urgency
    urgency_reason: str
    consent_nav_participation: bool
    # The consent to NAV taking part as it stands now (the flag above is what the referral
    # carried when it arrived).
    nav_consent: NavConsent
    gp: GpOut
    source: str
    version: int
    history_of_status: list[StatusChangeOut]
    # Questions from the team, oldest first; an unanswered one waits for the referring GP.
    information_requests: list[InformationRequestOut]
    # Fields a referral received as a health message lacks, to be completed on the case
    # (names of this schema's fields, e.g. "employer_name"); empty for one from the form.
    to_complete: list[str] = msgspec.field(default_factory=list)
    # The clinic the referral is with now (issue 15; it may have been forwarded).
    clinic_name: str = ""


class ReferralSummary(Schema):
    id: int
    reference: str
    status: Status
    received_at: datetime
    assessment_due: date
    # Urgent referrals only: the team's internal target (see ReferralReceipt).
    assessment_target: date | None
    patient_name: str
    # None when the caller may not see the case's health information (HealthAccess).
    complaint: Complaint | None
    urgency: Urgency
    gp_name: str
    # The team has asked the GP a question about this referral and waits for the answer.
    waiting_for_answer: bool


class ReferralPage(Schema):
    items: list[ReferralSummary]
    limit: int
    offset: int
    total: int
    # How many of the caller's referrals (all pages) wait for an answer from the GP; for a GP
    # these come first in the list.
    waiting_for_answer: int
