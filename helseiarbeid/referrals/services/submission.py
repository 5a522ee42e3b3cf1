"""Submission of a referral: validation, an idempotent replay of a repeated submission key, the
patient row, the reference the GP reads aloud, the assessment deadline (pasient- og
brukerrettighetsloven § 2-2: within 10 working days of receipt) and the receipt, stored and
audited in one transaction.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date, datetime
from functools import lru_cache
from typing import Any

import msgspec

from helseiarbeid.clinics import services as clinics
from helseiarbeid.core import audit
from helseiarbeid.core.audit import Actor, AuditAction
from helseiarbeid.core.clock import today_in_oslo, utcnow
from helseiarbeid.core.database import insert_row, is_sqlite, is_unique_violation, write_transaction
from helseiarbeid.core.errors import InvalidInput
from helseiarbeid.core.identifiers import validate_national_id, validate_org_number
from helseiarbeid.core.roles import Role
from helseiarbeid.core.timefmt import to_oslo
from helseiarbeid.core.users import CurrentUser
from helseiarbeid.core.working_days import add_working_days
from helseiarbeid.referrals.schemas import (
    NavConsent,
    NavConsentSource,
    ReferralCreate,
    ReferralReceipt,
    Urgency,
)
from helseiarbeid.referrals.services._common import new_reference, patient_id_of
from helseiarbeid.referrals.services.access import initial_consent, record_consent_on_referral
from helseiarbeid.referrals.services.validation import validate
from helseiarbeid.referrals.status import Status
from helseiarbeid.referrals.tables import Referral, StatusChange, SubmissionKey
from helseiarbeid.settings import get_settings

# pasient- og brukerrettighetsloven § 2-2: assessment within 10 working days of receipt.
ASSESSMENT_WORKING_DAYS = 10


@dataclass(frozen=True)
class Submission:
    receipt: ReferralReceipt
    body: bytes  # the JSON answer, as first given
    replayed: bool


def request_hash(data: ReferralCreate) -> str:
    return hashlib.sha256(msgspec.json.encode(data)).hexdigest()


async def _replay(scoped_key: str, data_hash: str) -> Submission | None:
    row = await SubmissionKey.select().where(SubmissionKey.scoped_key == scoped_key).first()
    if row is None:
        return None
    if row["request_hash"] != data_hash:
        raise InvalidInput(
            {"Idempotency-Key": "Nøkkelen er allerede brukt for en annen henvisning."},
            message="This Idempotency-Key was already used with a different request body.",
        )
    body = row["response_body"].encode()
    return Submission(msgspec.json.decode(body, type=ReferralReceipt), body, replayed=True)


async def submit(
    gp: CurrentUser,
    data: ReferralCreate,
    *,
    key: str | None,
    source: str,
    actor: Actor | None = None,
) -> Submission:
    """Store a referral and answer with its receipt. With a key, a retry gets the first answer.

    ``source`` is the channel kept on the referral ("web", "api"); ``actor`` the GP as the
    access log names them, with the client the request came through (core.web.actor_of: "api"
    for an API token, "api-helseid" for a HelseID token); by default the GP through ``source``.

    Concurrent submissions with one key race on the unique ``scoped_key``: on PostgreSQL the
    loser's INSERT waits for the winner's commit and then fails; on SQLite IMMEDIATE
    transactions queue. Either way the loser replays the winner's answer.
    """
    if gp.role is not Role.GP or not gp.hpr_number:
        raise InvalidInput({"gp": "Bare fastleger med HPR-nummer kan sende henvisninger."})
    now = utcnow()
    problems = validate(data, today_in_oslo())
    clinic_id = 0
    try:
        clinic_id = await clinics.route_referral(data.clinic, data.patient.municipality)
    except InvalidInput as routing:
        problems = {**problems, **routing.fields}
    if problems:
        raise InvalidInput(problems)
    scoped_key = f"{gp.id}:{key}" if key else None
    data_hash = request_hash(data)
    if scoped_key and (earlier := await _replay(scoped_key, data_hash)):
        return earlier
    actor = actor or Actor(user_id=gp.id, role=gp.role.value, client=source)
    for attempt in range(3):
        try:
            return await _store(gp, actor, data, scoped_key, data_hash, source, now, clinic_id)
        except Exception as error:
            if not is_unique_violation(error) or attempt == 2:
                raise
            if scoped_key and (earlier := await _replay(scoped_key, data_hash)):
                return earlier
    raise AssertionError("unreachable")  # pragma: no cover


def assessment_target(urgency: Urgency, received: date) -> date | None:
    """An urgent referral's internal assessment target: ``urgent_assessment_days`` working days
    after the day of receipt (setting HELSEIARBEID_URGENT_ASSESSMENT_DAYS, default 3), at
    least one and never later than the legal deadline of 10 working days (pasient- og
    brukerrettighetsloven § 2-2). None for a routine referral."""
    if urgency is not Urgency.URGENT:
        return None
    days = min(max(get_settings().urgent_assessment_days, 1), ASSESSMENT_WORKING_DAYS)
    return add_working_days(received, days)


def _referral_values(
    gp: CurrentUser, data: ReferralCreate, source: str, now: datetime, clinic_id: int
) -> dict[str, Any]:
    """The referral's columns as received (all but the patient's id)."""
    received = to_oslo(now).date()
    return {
        "reference": new_reference(),
        "clinic": clinic_id,
        "patient_name": data.patient.name.strip(),
        "patient_address": data.patient.address.strip(),
        "patient_phone": data.patient.phone.strip(),
        "gp": gp.id,
        "gp_name": gp.name,
        "gp_hpr_number": gp.hpr_number,
        "gp_office_name": gp.workplace_name,
        "gp_office_address": gp.workplace_address,
        "gp_office_phone": gp.workplace_phone,
        "employer_name": data.employer.name.strip(),
        "employer_org_number": (
            validate_org_number(data.employer.org_number) if data.employer.org_number else None
        ),
        "occupation": data.occupation.strip(),
        "work_status": data.work_status.value,
        "sick_leave_percent": data.sick_leave_percent,
        "sick_leave_since": data.sick_leave_since,
        "complaint": data.complaint.value,
        "description": data.description.strip(),
        "complaint_duration": data.complaint_duration.strip(),
        "question": data.question.strip(),
        "history": data.history.strip(),
        "medication": data.medication.strip(),
        "urgency": data.urgency.value,
        "urgency_reason": (data.urgency_reason or "").strip(),
        **initial_consent(carried=True),
        "status": Status.RECEIVED.value,
        "received_at": now,
        "received_on": received,
        "assessment_due": add_working_days(received, ASSESSMENT_WORKING_DAYS),
        "assessment_target": assessment_target(data.urgency, received),
        "source": source,
        "version": 1,
        "updated_at": now,
    }


RECEIVED_REASON = "Henvisning mottatt"
SUBMISSION_PURPOSE = "henvisning fra fastlege"


async def _store(
    gp: CurrentUser,
    actor: Actor,
    data: ReferralCreate,
    scoped_key: str | None,
    data_hash: str,
    source: str,
    now: datetime,
    clinic_id: int,
) -> Submission:
    national_id = validate_national_id(data.patient.national_id)
    values = _referral_values(gp, data, source, now, clinic_id)
    if scoped_key is None and not is_sqlite():
        referral_id = await _store_in_one_statement(national_id, values, now, actor.client)
        return _receipt(referral_id, values)
    async with write_transaction():
        if scoped_key and (earlier := await _replay(scoped_key, data_hash)):
            return earlier
        patient_id = await patient_id_of(national_id, now)
        referral_id = await insert_row(Referral, {"patient": patient_id, **values})
        await record_consent_on_referral(referral_id, values["received_on"], gp.id)
        await insert_row(
            StatusChange,
            {
                "referral": referral_id,
                "from_status": None,
                "to_status": Status.RECEIVED.value,
                "changed_by": gp.id,
                "changed_at": now,
                "reason": RECEIVED_REASON,
            },
        )
        submission = _receipt(referral_id, values)
        if scoped_key:
            await SubmissionKey.insert(
                SubmissionKey(
                    scoped_key=scoped_key,
                    request_hash=data_hash,
                    referral=referral_id,
                    response_body=submission.body.decode(),
                    created_at=now,
                )
            )
        await audit.record(
            actor,
            AuditAction.CREATE,
            "referral",
            referral_id,
            purpose=SUBMISSION_PURPOSE,
            patient_id=patient_id,
            referral_id=referral_id,
        )
    return submission


def _receipt(referral_id: int, values: dict[str, Any]) -> Submission:
    receipt = ReferralReceipt(
        id=referral_id,
        reference=values["reference"],
        status=Status.RECEIVED,
        received_at=values["received_at"],
        assessment_due=values["assessment_due"],
        assessment_target=values["assessment_target"],
    )
    return Submission(receipt, msgspec.json.encode(receipt), replayed=False)


@lru_cache(maxsize=4)
def _one_statement_sql(columns: tuple[str, ...]) -> str:
    """PostgreSQL only: the patient (found or added), the referral, its first status and the
    audit row in one statement, atomic by itself. Parameters: national ID, the time, the
    referral's columns as one JSON object, the audit purpose and the client. (One JSON
    parameter instead of one per column: asyncpg's encoding of 37 parameters was a fifth of a
    submission's CPU time.)"""
    names = ", ".join(
        f'"{Referral._meta.get_column_by_name(name)._meta.db_column_name}"' for name in columns
    )
    fields = ", ".join(f"given.{name}" for name in names.split(", "))
    return f"""
WITH known AS (SELECT id FROM patient WHERE national_id = {{}}::varchar),
added AS (
    INSERT INTO patient (national_id, created_at)
    SELECT n.national_id, n.created_at
    FROM (SELECT {{}}::varchar AS national_id, {{}}::timestamptz AS created_at) n
    WHERE NOT EXISTS (SELECT 1 FROM known)
    RETURNING id
),
chosen AS (SELECT id FROM known UNION ALL SELECT id FROM added),
referral AS (
    INSERT INTO referral (patient, {names})
    SELECT chosen.id, {fields}
    FROM chosen, json_populate_record(NULL::referral, {{}}::json) AS given
    RETURNING id, patient, gp, received_at, received_on, source, nav_consent
),
consent AS (
    INSERT INTO referral_nav_consent_event
        (referral, state, effective_on, source, note, recorded_by, recorded_at)
    SELECT id, '{NavConsent.GIVEN.value}', received_on, '{NavConsentSource.REFERRAL.value}', '',
        gp, received_at
    FROM referral WHERE nav_consent = '{NavConsent.GIVEN.value}'
),
status AS (
    INSERT INTO referral_status_change
        (referral, from_status, to_status, changed_by, changed_at, reason)
    SELECT id, NULL, '{Status.RECEIVED.value}', gp, received_at, '{RECEIVED_REASON}'
    FROM referral
),
audit AS (
    INSERT INTO audit_event (occurred_at, actor, actor_role, action, resource_type,
        resource_id, patient_id, referral_id, purpose, client)
    SELECT received_at, gp, '{Role.GP.value}', '{AuditAction.CREATE.value}', 'referral',
        id::text, patient, id, {{}}::varchar, {{}}::varchar FROM referral
)
SELECT id FROM referral
"""  # noqa: S608 - column names are the table's, values are parameters


async def _store_in_one_statement(
    national_id: str, values: dict[str, Any], now: datetime, client: str
) -> int:
    """A submission without Idempotency-Key on PostgreSQL: one round trip instead of seven
    (bench/README.md). The same rows as the transaction in ``_store``, as the suite checks on
    both engines."""
    rows = await Referral.raw(
        _one_statement_sql(tuple(values)),
        national_id,
        national_id,
        now,
        msgspec.json.encode(values).decode(),
        SUBMISSION_PURPOSE,
        client,
    )
    return int(rows[0]["id"])
