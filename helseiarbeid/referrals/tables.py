"""Patients, referrals, their status history, and idempotency keys for submissions."""

from __future__ import annotations

from piccolo.columns import (
    Boolean,
    Bytea,
    Date,
    ForeignKey,
    Integer,
    OnDelete,
    Serial,
    Text,
    Timestamptz,
    Varchar,
)
from piccolo.table import Table

from helseiarbeid.clinics.tables import Clinic
from helseiarbeid.core.tables import User
from helseiarbeid.referrals.status import Status


class Patient(Table, tablename="patient"):
    """A person referred, by national ID: what ties their referrals and access log together.

    Name, address and phone are kept on each referral as its GP wrote them, so one GP never
    sees contact details another GP entered later.
    """

    id: Serial  # added by Piccolo; declared for type checkers
    national_id = Varchar(length=11, unique=True, index=True)
    created_at = Timestamptz()


class Referral(Table, tablename="referral"):
    """A GP's referral as received. The GP's details are copied, so the referral shows who
    referred even after the GP moves office."""

    id: Serial  # added by Piccolo; declared for type checkers
    reference = Varchar(length=16, unique=True, index=True)
    # The clinic the referral belongs to (issue 15): its staff alone see it
    # (services/access.py). Set on every referral the services store; nullable only because a
    # column added to existing rows cannot be NOT NULL on SQLite (the migration fills it).
    clinic = ForeignKey(references=Clinic, on_delete=OnDelete.restrict, null=True, index=True)
    patient = ForeignKey(references=Patient, on_delete=OnDelete.restrict, index=True)
    patient_name = Varchar(length=200)
    patient_address = Varchar(length=300)
    patient_phone = Varchar(length=30)
    gp = ForeignKey(references=User, on_delete=OnDelete.restrict, index=True)
    gp_name = Varchar(length=200)
    gp_hpr_number = Varchar(length=9)
    gp_office_name = Varchar(length=200)
    gp_office_address = Varchar(length=300)
    gp_office_phone = Varchar(length=30)
    employer_name = Varchar(length=200)
    employer_org_number = Varchar(length=9, null=True, default=None)
    occupation = Varchar(length=200)
    work_status = Varchar(length=32)
    sick_leave_percent = Integer(null=True, default=None)
    sick_leave_since = Date(null=True, default=None)
    complaint = Varchar(length=32, index=True)
    description = Text()
    complaint_duration = Varchar(length=200, default="")
    question = Text()
    history = Text(default="")
    medication = Text(default="")
    urgency = Varchar(length=16, index=True)
    urgency_reason = Text(default="")
    # Whether the referral as received carried the patient's consent to NAV taking part (the
    # GP's form and API require it; electronic messages do not carry it). Kept as received;
    # the current state is ``nav_consent``.
    consent_nav_participation = Boolean()
    # The patient's consent to NAV taking part as it stands now (referrals.schemas.NavConsent:
    # not_recorded, given, withdrawn), kept with every NavConsentEvent so the worklist reads it
    # with the row. The events are its history.
    nav_consent = Varchar(length=16, default="not_recorded")
    # Fields a referral received as a health message lacks ("employer_name,occupation,..."),
    # to be completed on the case; empty for a referral from the form.
    to_complete = Varchar(length=200, default="")
    status = Varchar(length=32, choices=Status, index=True)
    received_at = Timestamptz(index=True)
    # The day of receipt in Oslo: the unit of the deadline and of the dashboard's periods.
    received_on = Date(null=True, default=None)
    assessment_due = Date(index=True)
    # An urgent referral's internal target for assessment (setting URGENT_ASSESSMENT_DAYS,
    # working days after receipt); None for a routine one.
    assessment_target = Date(null=True, default=None)
    source = Varchar(length=8)
    # The team member who follows the case (set by the coordinator); filters the worklist.
    responsible = ForeignKey(references=User, on_delete=OnDelete.set_null, null=True, index=True)
    # Raised by every status change and assessment, so two people deciding on one case at
    # once cannot overwrite each other.
    version = Integer(default=1)
    updated_at = Timestamptz()
    # Working days from receipt to the first decision and to the first consultation, kept by
    # the clinic as they happen so the dashboard's medians need no per-referral arithmetic.
    working_days_to_assessment = Integer(null=True, default=None)
    working_days_to_first_consultation = Integer(null=True, default=None)


class StatusChange(Table, tablename="referral_status_change"):
    id: Serial  # added by Piccolo; declared for type checkers
    referral = ForeignKey(references=Referral, on_delete=OnDelete.cascade, index=True)
    from_status = Varchar(length=32, null=True, default=None)
    to_status = Varchar(length=32)
    changed_by = ForeignKey(references=User, on_delete=OnDelete.restrict, null=True)
    changed_at = Timestamptz(index=True)
    reason = Text(default="")


class SubmissionKey(Table, tablename="referral_submission_key"):
    """An Idempotency-Key (API) or form token (web) and the answer it was given.

    ``scoped_key`` is "<user id>:<key>", unique, so keys of different GPs never collide and
    concurrent submissions with one key race on a single unique index.
    """

    id: Serial  # added by Piccolo; declared for type checkers
    scoped_key = Varchar(length=300, unique=True, index=True)
    request_hash = Varchar(length=64)
    referral = ForeignKey(references=Referral, on_delete=OnDelete.cascade)
    response_body = Text()
    created_at = Timestamptz()


class ReferralDocument(Table, tablename="referral_document"):
    """A letter, receipt or report as generated and sent: the PDF bytes themselves, so what
    the GP or patient opens later is exactly what was sent."""

    id: Serial  # added by Piccolo; declared for type checkers
    referral = ForeignKey(references=Referral, on_delete=OnDelete.cascade, index=True)
    kind = Varchar(length=32, index=True)
    title = Varchar(length=200)
    content = Bytea()
    created_by = ForeignKey(references=User, on_delete=OnDelete.restrict)
    created_at = Timestamptz()
    # Set when the letter no longer holds (an appointment letter for a cancelled time).
    cancelled_at = Timestamptz(null=True, default=None)


class InformationRequest(Table, tablename="referral_information_request"):
    """The team asks the GP for more before deciding; the referral waits until the answer."""

    id: Serial  # added by Piccolo; declared for type checkers
    referral = ForeignKey(references=Referral, on_delete=OnDelete.cascade, index=True)
    question = Text()
    requested_by = ForeignKey(references=User, on_delete=OnDelete.restrict)
    requested_at = Timestamptz()
    answer = Text(default="")
    answered_by = ForeignKey(references=User, on_delete=OnDelete.restrict, null=True)
    answered_at = Timestamptz(null=True, default=None)


class NavConsentEvent(Table, tablename="referral_nav_consent_event"):
    """The patient's consent to NAV taking part, given or withdrawn (DOMAIN.md: NAV takes part
    only with consent). One row per change, never edited; the referral keeps the current state.
    ``source`` says how it came: on the referral (GP's form or API) or recorded by the clinic.
    """

    id: Serial  # added by Piccolo; declared for type checkers
    referral = ForeignKey(references=Referral, on_delete=OnDelete.cascade, index=True)
    state = Varchar(length=16)  # NavConsent.GIVEN or NavConsent.WITHDRAWN
    effective_on = Date()  # the day the patient gave or withdrew it
    source = Varchar(length=16)  # NavConsentSource
    note = Text(default="")
    recorded_by = ForeignKey(references=User, on_delete=OnDelete.restrict, null=True)
    recorded_at = Timestamptz()


class CaseMember(Table, tablename="referral_case_member"):
    """Who is on a case («tildelt»): everyone who has worked on it (triage, assessment,
    booking, clarification, onward referral, report, consent) and everyone booked to one of
    its consultations. With the responsible person, they may read the case after it leaves
    the team's open queue."""

    id: Serial  # added by Piccolo; declared for type checkers
    referral = ForeignKey(references=Referral, on_delete=OnDelete.cascade, index=True)
    member = ForeignKey(references=User, on_delete=OnDelete.cascade, index=True)
    since = Timestamptz()


class ReasonedAccess(Table, tablename="referral_reasoned_access"):
    """A clinician's recorded reason («tjenstlig behov») to open a case outside the open queue
    and their assignments; gives that user access to that case until ``expires_at``."""

    id: Serial  # added by Piccolo; declared for type checkers
    referral = ForeignKey(references=Referral, on_delete=OnDelete.cascade, index=True)
    member = ForeignKey(references=User, on_delete=OnDelete.cascade, index=True)
    reason = Text()
    granted_at = Timestamptz()
    expires_at = Timestamptz(index=True)
