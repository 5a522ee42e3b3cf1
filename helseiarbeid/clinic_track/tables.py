"""The team's work on a referral: triage, assessment, consultations, clarification and onward
referrals. Letters and reports are stored with the referral (ReferralDocument)."""

from __future__ import annotations

from piccolo.columns import (
    Boolean,
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

from helseiarbeid.core.tables import User
from helseiarbeid.referrals.tables import Referral, ReferralDocument


class TriageNote(Table, tablename="triage_note"):
    id: Serial  # added by Piccolo; declared for type checkers
    referral = ForeignKey(references=Referral, on_delete=OnDelete.cascade, index=True)
    author = ForeignKey(references=User, on_delete=OnDelete.restrict, index=True)
    author_role = Varchar(length=32)
    note = Text()
    recommendation = Varchar(length=32)
    created_at = Timestamptz()


class Assessment(Table, tablename="assessment"):
    """A decision on a referral (vurdering). A request for more information is one too; the
    question and the GP's answer live with the referral (InformationRequest)."""

    id: Serial  # added by Piccolo; declared for type checkers
    referral = ForeignKey(references=Referral, on_delete=OnDelete.cascade, index=True)
    decision = Varchar(length=32)
    has_right_to_care = Boolean(null=True, default=None)
    start_deadline = Date(null=True, default=None)
    priority = Varchar(length=32, null=True, default=None)
    reason = Text(default="")
    assessed_by = ForeignKey(references=User, on_delete=OnDelete.restrict)
    assessed_at = Timestamptz(index=True)


class Consultation(Table, tablename="consultation"):
    id: Serial  # added by Piccolo; declared for type checkers
    referral = ForeignKey(references=Referral, on_delete=OnDelete.cascade, index=True)
    starts_at = Timestamptz(index=True)
    duration_minutes = Integer()
    location = Varchar(length=200)
    cancelled_at = Timestamptz(null=True, default=None)
    cancel_reason = Text(default="")
    # What became of it (schemas.Outcome), recorded by the team after it started, or
    # «cancelled» when called off. The report waits until every consultation has one.
    outcome = Varchar(length=16, null=True, default=None)
    outcome_recorded_at = Timestamptz(null=True, default=None)
    outcome_recorded_by = ForeignKey(references=User, on_delete=OnDelete.restrict, null=True)
    letter = ForeignKey(references=ReferralDocument, on_delete=OnDelete.set_null, null=True)
    created_by = ForeignKey(references=User, on_delete=OnDelete.restrict)
    created_at = Timestamptz()
    # Raised by every change of time, place or state (calendar feeds' SEQUENCE).
    sequence = Integer(default=0)
    updated_at = Timestamptz(index=True)


class ConsultationStaff(Table, tablename="consultation_staff"):
    id: Serial  # added by Piccolo; declared for type checkers
    consultation = ForeignKey(references=Consultation, on_delete=OnDelete.cascade, index=True)
    staff = ForeignKey(references=User, on_delete=OnDelete.restrict, index=True)


class Clarification(Table, tablename="clarification"):
    """The work-focused clarification (arbeidsfokusert avklaring); one per referral."""

    id: Serial  # added by Piccolo; declared for type checkers
    referral = ForeignKey(references=Referral, on_delete=OnDelete.cascade, unique=True, index=True)
    summary = Text(default="")
    coping_plan = Text(default="")
    work_recommendations = Text(default="")
    follow_up = Text(default="")
    version = Integer(default=1)
    updated_by = ForeignKey(references=User, on_delete=OnDelete.restrict)
    updated_at = Timestamptz()


class OnwardReferral(Table, tablename="onward_referral"):
    id: Serial  # added by Piccolo; declared for type checkers
    referral = ForeignKey(references=Referral, on_delete=OnDelete.cascade, index=True)
    destination_type = Varchar(length=40, index=True)
    destination_name = Varchar(length=200)
    destination_her_id = Varchar(length=16, default="")  # the service's HER-id, if it has one
    reason = Text()
    letter = ForeignKey(references=ReferralDocument, on_delete=OnDelete.set_null, null=True)
    created_by = ForeignKey(references=User, on_delete=OnDelete.restrict)
    created_at = Timestamptz(index=True)
