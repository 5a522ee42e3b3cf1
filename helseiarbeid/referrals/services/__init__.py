"""Referral rules: validation, receipt with deadline, idempotent submission, access, status.

Every read or write of a referral records an audit row in the same transaction.
"""

from __future__ import annotations

from helseiarbeid.referrals.services.documents import (
    DOCUMENT_FILE_NAMES,
    DocumentInfo,
    cancel_document,
    list_documents,
    open_document,
    store_document,
)
from helseiarbeid.referrals.services.information import (
    ANSWER_RECEIVED,
    QUESTION_ASKED,
    WAITING_FOR_ANSWER_SQL,
    answer_information,
    answer_states,
    request_information,
)
from helseiarbeid.referrals.services.reading import (
    PatientIdentity,
    count_waiting_for_answer,
    find_patient_id,
    get_referral,
    list_referrals,
    patient_identity,
)
from helseiarbeid.referrals.services.received import (
    TO_COMPLETE,
    MessageReferral,
    cancel_from_message,
    change_from_message,
    receive_referral,
)
from helseiarbeid.referrals.services.status_changes import (
    assign_responsible,
    change_status,
    check_version,
    patient_of,
    record_event,
    record_waiting_times,
    status_of,
    withdraw,
)
from helseiarbeid.referrals.services.submission import (
    ASSESSMENT_WORKING_DAYS,
    RECEIVED_REASON,
    REFERENCE_ALPHABET,
    SUBMISSION_PURPOSE,
    Submission,
    assessment_target,
    request_hash,
    submit,
)
from helseiarbeid.referrals.services.validation import MAX_LONG_TEXT, MAX_SHORT_TEXT, validate

__all__ = [
    "ANSWER_RECEIVED",
    "ASSESSMENT_WORKING_DAYS",
    "DOCUMENT_FILE_NAMES",
    "MAX_LONG_TEXT",
    "MAX_SHORT_TEXT",
    "QUESTION_ASKED",
    "RECEIVED_REASON",
    "REFERENCE_ALPHABET",
    "SUBMISSION_PURPOSE",
    "TO_COMPLETE",
    "WAITING_FOR_ANSWER_SQL",
    "DocumentInfo",
    "MessageReferral",
    "PatientIdentity",
    "Submission",
    "answer_information",
    "answer_states",
    "assessment_target",
    "assign_responsible",
    "cancel_document",
    "cancel_from_message",
    "change_from_message",
    "change_status",
    "check_version",
    "count_waiting_for_answer",
    "find_patient_id",
    "get_referral",
    "list_documents",
    "list_referrals",
    "open_document",
    "patient_identity",
    "patient_of",
    "receive_referral",
    "record_event",
    "record_waiting_times",
    "request_hash",
    "request_information",
    "status_of",
    "store_document",
    "submit",
    "validate",
    "withdraw",
]
