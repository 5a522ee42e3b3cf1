"""Referral rules: validation, receipt with deadline, idempotent submission, access, status.

Every read or write of a referral records an audit row in the same transaction.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass
from datetime import date, datetime
from functools import lru_cache
from typing import Any

import msgspec
from piccolo.querystring import QueryString

from helseiarbeid.core import audit
from helseiarbeid.core.audit import Actor, AuditAction
from helseiarbeid.core.clock import today_in_oslo, utcnow
from helseiarbeid.core.database import (
    for_update,
    insert_row,
    is_sqlite,
    is_unique_violation,
    write_transaction,
)
from helseiarbeid.core.errors import Conflict, InvalidInput, NotFound
from helseiarbeid.core.identifiers import (
    IdentifierError,
    validate_national_id,
    validate_org_number,
)
from helseiarbeid.core.roles import CLINIC_STAFF, Role
from helseiarbeid.core.tables import User
from helseiarbeid.core.timefmt import to_oslo
from helseiarbeid.core.users import CurrentUser
from helseiarbeid.core.working_days import add_working_days
from helseiarbeid.referrals.schemas import (
    Complaint,
    EmployerIn,
    GpOut,
    InformationRequestOut,
    PatientIn,
    ReferralCreate,
    ReferralOut,
    ReferralPage,
    ReferralReceipt,
    ReferralSummary,
    StatusChangeOut,
    Urgency,
    WorkStatus,
)
from helseiarbeid.referrals.status import (
    AWAITING_ASSESSMENT,
    OPEN,
    Status,
    can_move,
    refusal,
)
from helseiarbeid.referrals.tables import (
    InformationRequest,
    Patient,
    Referral,
    ReferralDocument,
    StatusChange,
    SubmissionKey,
)
from helseiarbeid.settings import get_settings

# pasient- og brukerrettighetsloven § 2-2: assessment within 10 working days of receipt.
ASSESSMENT_WORKING_DAYS = 10
REFERENCE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"  # no 0/O, 1/I/L: easy to read aloud
MAX_SHORT_TEXT = 200
MAX_LONG_TEXT = 10_000
_PHONE = re.compile(r"\+?[0-9 ]{8,20}")


# ---------------------------------------------------------------------------------------------
# Validation


def _required(problems: dict[str, str], field: str, value: str, label: str, limit: int) -> None:
    if not value.strip():
        problems[field] = f"{label} må fylles ut."
    elif len(value) > limit:
        problems[field] = f"{label} kan ha høyst {limit} tegn."


def _optional(problems: dict[str, str], field: str, value: str | None, label: str) -> None:
    if value and len(value) > MAX_LONG_TEXT:
        problems[field] = f"{label} kan ha høyst {MAX_LONG_TEXT} tegn."


def validate(data: ReferralCreate, today: date) -> dict[str, str]:
    """All that is wrong with a referral, as {field path: Norwegian message}; empty if valid."""
    problems: dict[str, str] = {}
    try:
        validate_national_id(data.patient.national_id)
    except IdentifierError as exc:
        problems["patient.national_id"] = str(exc)
    _required(problems, "patient.name", data.patient.name, "Pasientens navn", MAX_SHORT_TEXT)
    _required(problems, "patient.address", data.patient.address, "Adressen", 300)
    if not _PHONE.fullmatch(data.patient.phone.strip()):
        problems["patient.phone"] = "Telefonnummeret må ha minst 8 siffer."
    _required(problems, "employer.name", data.employer.name, "Arbeidsgiverens navn", MAX_SHORT_TEXT)
    if data.employer.org_number:
        try:
            validate_org_number(data.employer.org_number)
        except IdentifierError as exc:
            problems["employer.org_number"] = str(exc)
    _required(problems, "occupation", data.occupation, "Stillingen", MAX_SHORT_TEXT)
    if data.work_status is WorkStatus.SICK_LEAVE_GRADED:
        if data.sick_leave_percent is None:
            problems["sick_leave_percent"] = "Oppgi sykmeldingsgraden ved gradert sykmelding."
        elif not 1 <= data.sick_leave_percent <= 99:
            problems["sick_leave_percent"] = "Sykmeldingsgraden må være mellom 1 og 99 prosent."
    elif data.sick_leave_percent is not None:
        problems["sick_leave_percent"] = "Sykmeldingsgrad oppgis bare ved gradert sykmelding."
    if data.sick_leave_since is not None:
        if data.work_status is WorkStatus.WORKING:
            problems["sick_leave_since"] = "Sykmeldt fra-dato passer ikke med «i arbeid»."
        elif data.sick_leave_since > today:
            problems["sick_leave_since"] = "Sykmeldt fra-dato kan ikke være fram i tid."
    _required(problems, "description", data.description, "Beskrivelsen av plagene", MAX_LONG_TEXT)
    if len(data.complaint_duration) > MAX_SHORT_TEXT:
        problems["complaint_duration"] = f"Varigheten kan ha høyst {MAX_SHORT_TEXT} tegn."
    _required(problems, "question", data.question, "Spørsmålet til teamet", MAX_LONG_TEXT)
    _optional(problems, "history", data.history, "Sykehistorien")
    _optional(problems, "medication", data.medication, "Medisineringen")
    if data.urgency is Urgency.URGENT and not (data.urgency_reason or "").strip():
        problems["urgency_reason"] = "Oppgi hvorfor henvisningen haster."
    _optional(problems, "urgency_reason", data.urgency_reason, "Begrunnelsen")
    if not data.consent_nav_participation:
        problems["consent_nav_participation"] = (
            "Pasienten må samtykke til at NAV deltar i vurderingen før henvisningen kan sendes."
        )
    return problems


# ---------------------------------------------------------------------------------------------
# Submission


@dataclass(frozen=True)
class Submission:
    receipt: ReferralReceipt
    body: bytes  # the JSON answer, as first given
    replayed: bool


def request_hash(data: ReferralCreate) -> str:
    return hashlib.sha256(msgspec.json.encode(data)).hexdigest()


def _new_reference() -> str:
    return "HIA-" + "".join(secrets.choice(REFERENCE_ALPHABET) for _ in range(6))


def _gp_actor(gp: CurrentUser, source: str) -> Actor:
    return Actor(user_id=gp.id, role=gp.role.value, client=source)


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
    gp: CurrentUser, data: ReferralCreate, *, key: str | None, source: str
) -> Submission:
    """Store a referral and answer with its receipt. With a key, a retry gets the first answer.

    Concurrent submissions with one key race on the unique ``scoped_key``: on PostgreSQL the
    loser's INSERT waits for the winner's commit and then fails; on SQLite IMMEDIATE
    transactions queue. Either way the loser replays the winner's answer.
    """
    if gp.role is not Role.GP or not gp.hpr_number:
        raise InvalidInput({"gp": "Bare fastleger med HPR-nummer kan sende henvisninger."})
    now = utcnow()
    problems = validate(data, today_in_oslo())
    if problems:
        raise InvalidInput(problems)
    scoped_key = f"{gp.id}:{key}" if key else None
    data_hash = request_hash(data)
    if scoped_key and (earlier := await _replay(scoped_key, data_hash)):
        return earlier
    for attempt in range(3):
        try:
            return await _store(gp, data, scoped_key, data_hash, source, now)
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
    gp: CurrentUser, data: ReferralCreate, source: str, now: datetime
) -> dict[str, Any]:
    """The referral's columns as received (all but the patient's id)."""
    received = to_oslo(now).date()
    return {
        "reference": _new_reference(),
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
        "consent_nav_participation": True,
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
    data: ReferralCreate,
    scoped_key: str | None,
    data_hash: str,
    source: str,
    now: datetime,
) -> Submission:
    national_id = validate_national_id(data.patient.national_id)
    values = _referral_values(gp, data, source, now)
    if scoped_key is None and not is_sqlite():
        return _receipt(await _store_in_one_statement(national_id, values, now), values)
    async with write_transaction():
        if scoped_key and (earlier := await _replay(scoped_key, data_hash)):
            return earlier
        patient_id = await _patient_id(national_id, now)
        referral_id = await insert_row(Referral, {"patient": patient_id, **values})
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
            _gp_actor(gp, source),
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
    referral's columns as one JSON object, the GP, the audit purpose and the client. (One JSON
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
    RETURNING id, patient, gp, received_at, source
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
        id::text, patient, id, {{}}::varchar, source FROM referral
)
SELECT id FROM referral
"""  # noqa: S608 - column names are the table's, values are parameters


async def _store_in_one_statement(national_id: str, values: dict[str, Any], now: datetime) -> int:
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
    )
    return int(rows[0]["id"])


async def _patient_id(national_id: str, now: datetime) -> int:
    """The patient's id, registering a new patient (a race with another first referral for
    the same patient ends in a unique violation, which ``submit`` retries)."""
    existing = await Patient.select(Patient.id).where(Patient.national_id == national_id).first()
    if existing:
        return int(existing["id"])
    return await insert_row(Patient, {"national_id": national_id, "created_at": now})


# ---------------------------------------------------------------------------------------------
# Reading


def _visible_to(user: CurrentUser) -> Any:
    """Which referrals a user may see: GPs their own, clinic staff all, nobody else any."""
    if user.role is Role.GP:
        return Referral.gp == user.id
    if user.role in CLINIC_STAFF:
        return Referral.id.is_not_null()
    raise NotFound("Henvisningen finnes ikke.")


async def _load(user: CurrentUser, referral_id: int) -> dict[str, Any]:
    row = (
        await Referral.select(
            *Referral.all_columns(),
            Referral.patient.national_id,
        )
        .where((Referral.id == referral_id) & _visible_to(user))
        .first()
    )
    if row is None:
        # Same answer whether it does not exist or belongs to another GP.
        raise NotFound("Henvisningen finnes ikke.")
    return row


def _purpose(user: CurrentUser) -> str:
    if user.role is Role.GP:
        return "fastlege følger opp egen henvisning"
    return "behandling av henvisning i HelseIArbeid-teamet"


async def get_referral(user: CurrentUser, actor: Actor, referral_id: int) -> ReferralOut:
    row = await _load(user, referral_id)
    changes = await (
        StatusChange.select(*StatusChange.all_columns(), StatusChange.changed_by.name)
        .where(StatusChange.referral == referral_id)
        .order_by(StatusChange.id)
    )
    questions = await _information_requests(referral_id)
    await audit.record(
        actor,
        AuditAction.READ,
        "referral",
        referral_id,
        purpose=_purpose(user),
        patient_id=row["patient"],
        referral_id=referral_id,
    )
    return ReferralOut(
        id=row["id"],
        reference=row["reference"],
        status=Status(row["status"]),
        received_at=row["received_at"],
        assessment_due=row["assessment_due"],
        assessment_target=row["assessment_target"],
        patient=PatientIn(
            national_id=row["patient.national_id"],
            name=row["patient_name"],
            address=row["patient_address"],
            phone=row["patient_phone"],
        ),
        employer=EmployerIn(name=row["employer_name"], org_number=row["employer_org_number"]),
        occupation=row["occupation"],
        work_status=WorkStatus(row["work_status"]),
        sick_leave_percent=row["sick_leave_percent"],
        sick_leave_since=row["sick_leave_since"],
        complaint=Complaint(row["complaint"]),
        description=row["description"],
        complaint_duration=row["complaint_duration"],
        question=row["question"],
        history=row["history"],
        medication=row["medication"],
        urgency=Urgency(row["urgency"]),
        urgency_reason=row["urgency_reason"],
        consent_nav_participation=row["consent_nav_participation"],
        gp=GpOut(
            name=row["gp_name"],
            hpr_number=row["gp_hpr_number"],
            office_name=row["gp_office_name"],
            office_address=row["gp_office_address"],
            office_phone=row["gp_office_phone"],
        ),
        source=row["source"],
        version=row["version"],
        history_of_status=[
            StatusChangeOut(
                from_status=Status(change["from_status"]) if change["from_status"] else None,
                to_status=Status(change["to_status"]),
                changed_at=change["changed_at"],
                changed_by=change["changed_by.name"] or "Systemet",
                reason=change["reason"],
            )
            for change in changes
        ],
        information_requests=questions,
    )


async def list_referrals(
    user: CurrentUser,
    actor: Actor,
    *,
    status: Status | None = None,
    limit: int = 50,
    offset: int = 0,
) -> ReferralPage:
    """A page of referrals, newest first; each one shown is an access and is logged.

    A GP sees first the referrals on which the team waits for the GP's answer (newest first
    among them too), and the page counts them over all pages.
    """
    condition = _visible_to(user)
    if status is not None:
        condition &= Referral.status == status.value
    query = Referral.select(
        Referral.id,
        Referral.reference,
        Referral.status,
        Referral.received_at,
        Referral.assessment_due,
        Referral.assessment_target,
        Referral.complaint,
        Referral.urgency,
        Referral.gp_name,
        Referral.patient,
        Referral.patient_name,
        QueryString(WAITING_FOR_ANSWER_SQL).as_alias("waiting_for_answer"),
    ).where(condition)
    if user.role is Role.GP:
        query = query.order_by(QueryString(WAITING_FOR_ANSWER_SQL), ascending=False)
    rows = await (
        query.order_by(Referral.received_at, ascending=False)
        .order_by(Referral.id, ascending=False)
        .limit(limit)
        .offset(offset)
    )
    total = await Referral.count().where(condition)
    waiting = await Referral.count().where(condition & _waiting_for_answer())
    await audit.record_many(
        actor,
        AuditAction.READ,
        "referral",
        [(row["id"], row["patient"]) for row in rows],
        purpose=_purpose(user) + " (liste)",
    )
    return ReferralPage(
        items=[
            ReferralSummary(
                id=row["id"],
                reference=row["reference"],
                status=Status(row["status"]),
                received_at=row["received_at"],
                assessment_due=row["assessment_due"],
                assessment_target=row["assessment_target"],
                patient_name=row["patient_name"],
                complaint=Complaint(row["complaint"]),
                urgency=Urgency(row["urgency"]),
                gp_name=row["gp_name"],
                waiting_for_answer=bool(row["waiting_for_answer"]),
            )
            for row in rows
        ],
        limit=limit,
        offset=offset,
        total=total,
        waiting_for_answer=waiting,
    )


async def count_waiting_for_answer(user: CurrentUser) -> int:
    """How many of the GP's referrals wait for the GP's answer to a question from the team
    (for the start page; no patient data, so no access is logged)."""
    count: int = await Referral.count().where(_visible_to(user) & _waiting_for_answer())
    return count


async def find_patient_id(national_id: str) -> int:
    """The internal id of a patient, for the privacy officer's per-patient access report."""
    try:
        number = validate_national_id(national_id)
    except IdentifierError as exc:
        raise InvalidInput({"national_id": str(exc)}) from exc
    row = await Patient.select(Patient.id).where(Patient.national_id == number).first()
    if row is None:
        raise NotFound("Ingen pasient med dette fødselsnummeret er registrert.")
    return int(row["id"])


@dataclass(frozen=True)
class PatientIdentity:
    """Who a patient is, as the privacy officer's access report names them."""

    id: int
    name: str  # as written on the patient's latest referral
    masked_national_id: str  # birth date and five stars: "150580*****"


async def patient_identity(actor: Actor, patient_id: int) -> PatientIdentity:
    """The patient's name and masked national ID; the reading is recorded in the access log.

    Raises NotFound for a patient id that is not registered.
    """
    row = await (
        Referral.select(Referral.patient_name, Referral.patient.national_id)
        .where(Referral.patient == patient_id)
        .order_by(Referral.id, ascending=False)
        .first()
    )
    if row is None:
        raise NotFound("Ingen pasient med denne id-en er registrert.")
    await audit.record(
        actor,
        AuditAction.READ,
        "patient",
        patient_id,
        purpose="navn og fødselsnummer vist i tilgangsrapport",
        patient_id=patient_id,
    )
    national_id = row["patient.national_id"]
    return PatientIdentity(
        id=patient_id,
        name=row["patient_name"],
        masked_national_id=national_id[:6] + "*" * (len(national_id) - 6),
    )


# ---------------------------------------------------------------------------------------------
# Status changes


async def change_status(
    actor: Actor,
    referral_id: int,
    target: Status,
    *,
    reason: str = "",
    expected_version: int | None = None,
) -> int:
    """Move a referral to ``target`` if the status machine allows it; returns the new version.

    Must run inside the caller's write transaction. A stale ``expected_version`` is refused.
    """
    row = (
        await Referral.select(Referral.status, Referral.version, Referral.patient)
        .where(Referral.id == referral_id)
        .first()
    )
    if row is None:
        raise NotFound("Henvisningen finnes ikke.")
    current = Status(row["status"])
    if expected_version is not None and row["version"] != expected_version:
        raise Conflict(
            "Henvisningen er endret av noen andre siden du åpnet den. Last siden på nytt."
        )
    if not can_move(current, target):
        raise Conflict(refusal(current, target))
    now = utcnow()
    new_version = int(row["version"]) + 1
    updated = (
        await Referral.update(
            {Referral.status: target.value, Referral.version: new_version, Referral.updated_at: now}
        )
        .where((Referral.id == referral_id) & (Referral.version == row["version"]))
        .returning(Referral.id)
    )
    if not updated:
        raise Conflict("Henvisningen ble endret samtidig av noen andre. Last siden på nytt.")
    await _add_history(actor, referral_id, current, target, reason, now)
    await audit.record(
        actor,
        AuditAction.UPDATE,
        "referral_status",
        referral_id,
        purpose=f"status endret til {target.value}",
        patient_id=row["patient"],
        referral_id=referral_id,
    )
    return new_version


async def _add_history(
    actor: Actor, referral_id: int, before: Status, after: Status, reason: str, now: datetime
) -> None:
    await StatusChange.insert(
        StatusChange(
            referral=referral_id,
            from_status=before.value,
            to_status=after.value,
            changed_by=actor.user_id,
            changed_at=now,
            reason=reason,
        )
    )


async def record_event(actor: Actor, referral_id: int, reason: str) -> int:
    """Note something that happened to the case in its history without a change of status
    (a question to the GP, the GP's answer, a cancelled consultation), and raise the
    referral's version so a decision taken from a view before it is refused. Runs inside the
    caller's write transaction; returns the new version."""
    row = await for_update(
        Referral.select(Referral.status, Referral.version).where(Referral.id == referral_id)
    ).first()
    if row is None:
        raise NotFound("Henvisningen finnes ikke.")
    now = utcnow()
    version = int(row["version"]) + 1
    await Referral.update({Referral.version: version, Referral.updated_at: now}).where(
        Referral.id == referral_id
    )
    status = Status(row["status"])
    await _add_history(actor, referral_id, status, status, reason, now)
    return version


async def withdraw(user: CurrentUser, actor: Actor, referral_id: int, reason: str) -> None:
    """The referring GP withdraws a referral the clinic has not started on."""
    async with write_transaction():
        row = (
            await Referral.select(Referral.id)
            .where((Referral.id == referral_id) & (Referral.gp == user.id))
            .first()
        )
        if row is None:
            raise NotFound("Henvisningen finnes ikke.")
        await change_status(
            actor, referral_id, Status.WITHDRAWN, reason=reason.strip() or "Trukket av fastlege"
        )


async def check_version(referral_id: int, expected_version: int | None) -> None:
    """Refuse a change made from a stale view of the case (409)."""
    if expected_version is None:
        return
    row = await Referral.select(Referral.version).where(Referral.id == referral_id).first()
    if row is None:
        raise NotFound("Henvisningen finnes ikke.")
    if row["version"] != expected_version:
        raise Conflict(
            "Henvisningen er endret av noen andre siden du åpnet den. Last siden på nytt."
        )


async def patient_of(referral_id: int) -> int:
    row = await Referral.select(Referral.patient).where(Referral.id == referral_id).first()
    if row is None:
        raise NotFound("Henvisningen finnes ikke.")
    return int(row["patient"])


async def record_waiting_times(
    referral_id: int, to_assessment: int | None, to_first_consultation: int | None
) -> None:
    """Store the working days the patient waited (computed by the clinic, inside its write
    transaction) for the dashboard's statistics."""
    await Referral.update(
        {
            Referral.working_days_to_assessment: to_assessment,
            Referral.working_days_to_first_consultation: to_first_consultation,
        }
    ).where(Referral.id == referral_id)


async def status_of(referral_id: int, *, lock: bool = False) -> Status:
    """The referral's status. With ``lock`` (inside a write transaction) the row stays locked
    until the transaction ends, so a decision taken on the status cannot be overtaken."""
    query = Referral.select(Referral.status).where(Referral.id == referral_id)
    row = await (for_update(query) if lock else query).first()
    if row is None:
        raise NotFound("Henvisningen finnes ikke.")
    return Status(row["status"])


async def assign_responsible(actor: Actor, referral_id: int, staff_id: int | None) -> None:
    async with write_transaction():
        status = await status_of(referral_id, lock=True)
        if status not in OPEN:
            raise Conflict(
                f"Saken er «{status.label.lower()}»; ansvarlig kan bare settes på åpne saker."
            )
        patient_id = await patient_of(referral_id)
        if staff_id is not None:
            staff = await User.select(User.role).where(User.id == staff_id).first()
            if staff is None or Role(staff["role"]) not in CLINIC_STAFF:
                raise InvalidInput({"responsible": "Velg en i HelseIArbeid-teamet."})
        await Referral.update(
            {Referral.responsible: staff_id, Referral.updated_at: utcnow()}
        ).where(Referral.id == referral_id)
        await audit.record(
            actor,
            AuditAction.UPDATE,
            "referral_responsible",
            referral_id,
            purpose="ansvarlig i teamet satt",
            patient_id=patient_id,
            referral_id=referral_id,
        )


# ---------------------------------------------------------------------------------------------
# Correspondence with the GP: documents sent, and requests for more information


async def store_document(
    actor: Actor, referral_id: int, *, kind: str, title: str, content: bytes
) -> int:
    """Keep a generated letter or report as sent. Runs inside the caller's transaction."""
    rows = await ReferralDocument.insert(
        ReferralDocument(
            referral=referral_id,
            kind=kind,
            title=title,
            content=content,
            created_by=actor.user_id,
            created_at=utcnow(),
        )
    )
    await audit.record(
        actor,
        AuditAction.CREATE,
        "referral_document",
        rows[0]["id"],
        purpose=f"{title} laget",
        patient_id=await patient_of(referral_id),
        referral_id=referral_id,
    )
    return int(rows[0]["id"])


@dataclass(frozen=True)
class DocumentInfo:
    id: int
    referral_id: int
    kind: str
    title: str
    created_at: datetime
    cancelled_at: datetime | None = None

    @property
    def file_name(self) -> str:
        """The name a browser saves the PDF under, in Norwegian: "innkalling-12.pdf"."""
        return f"{DOCUMENT_FILE_NAMES.get(self.kind, 'dokument')}-{self.id}.pdf"


async def cancel_document(actor: Actor, referral_id: int, document_id: int) -> None:
    """Mark a sent letter as no longer holding (the appointment letter of a cancelled time);
    the PDF stays as it was sent. Runs inside the caller's transaction."""
    await ReferralDocument.update({ReferralDocument.cancelled_at: utcnow()}).where(
        (ReferralDocument.id == document_id) & (ReferralDocument.referral == referral_id)
    )
    await audit.record(
        actor,
        AuditAction.UPDATE,
        "referral_document",
        document_id,
        purpose="brev markert som avlyst",
        patient_id=await patient_of(referral_id),
        referral_id=referral_id,
    )


# Stored letters and reports by kind (referral_document.kind), as their PDF files are named.
DOCUMENT_FILE_NAMES = {
    "report": "rapport-til-fastlege",
    "appointment_letter": "innkalling",
    "onward_referral": "henvisning-videre",
    "cancellation_letter": "avlysning",
}


async def list_documents(referral_ids: list[int]) -> list[DocumentInfo]:
    """Documents of referrals the caller has already been allowed to see (no content)."""
    if not referral_ids:
        return []
    rows = await (
        ReferralDocument.select(
            ReferralDocument.id,
            ReferralDocument.referral,
            ReferralDocument.kind,
            ReferralDocument.title,
            ReferralDocument.created_at,
            ReferralDocument.cancelled_at,
        )
        .where(ReferralDocument.referral.is_in(referral_ids))
        .order_by(ReferralDocument.id)
    )
    return [
        DocumentInfo(
            id=row["id"],
            referral_id=row["referral"],
            kind=row["kind"],
            title=row["title"],
            created_at=row["created_at"],
            cancelled_at=row["cancelled_at"],
        )
        for row in rows
    ]


async def open_document(
    user: CurrentUser,
    actor: Actor,
    referral_id: int,
    *,
    document_id: int | None = None,
    kind: str | None = None,
) -> tuple[DocumentInfo, bytes]:
    """The stored PDF, by id or the newest of a kind, if the user may see the referral."""
    await _load(user, referral_id)
    query = ReferralDocument.select().where(ReferralDocument.referral == referral_id)
    if document_id is not None:
        query = query.where(ReferralDocument.id == document_id)
    if kind is not None:
        query = query.where(ReferralDocument.kind == kind)
    row = await query.order_by(ReferralDocument.id, ascending=False).first()
    if row is None:
        raise NotFound("Dokumentet finnes ikke.")
    await audit.record(
        actor,
        AuditAction.READ,
        "referral_document",
        row["id"],
        purpose=_purpose(user) + f" ({row['title']})",
        patient_id=await patient_of(referral_id),
        referral_id=referral_id,
    )
    info = DocumentInfo(
        id=row["id"],
        referral_id=referral_id,
        kind=row["kind"],
        title=row["title"],
        created_at=row["created_at"],
        cancelled_at=row["cancelled_at"],
    )
    return info, bytes(row["content"])


# The team waits for the GP: a question without an answer on a referral not yet decided (a
# decision ends the wait whether or not the GP answered). Written against the outer query's
# "referral" table, for ORDER BY and the selected flag.
WAITING_FOR_ANSWER_SQL = (
    "(referral.status IN ('received', 'under_assessment') AND EXISTS ("  # AWAITING_ASSESSMENT
    "SELECT 1 FROM referral_information_request q "
    "WHERE q.referral = referral.id AND q.answered_at IS NULL))"
)
QUESTION_ASKED = "Spørsmål sendt fastlegen"
ANSWER_RECEIVED = "Svar fra fastlege"


def _waiting_for_answer() -> Any:
    open_questions = InformationRequest.select(InformationRequest.referral).where(
        InformationRequest.answered_at.is_null()
    )
    return Referral.status.is_in([status.value for status in AWAITING_ASSESSMENT]) & (
        Referral.id.is_in(open_questions)
    )


async def request_information(actor: Actor, referral_id: int, question: str) -> None:
    """Ask the GP for more. Runs inside the caller's transaction; the question shows in the
    case's history, and the GP sees it first in «Mine henvisninger» until answered.

    The assessment deadline does not stop (pasient- og brukerrettighetsloven § 2-2 counts
    from receipt), so nothing about it changes here.
    """
    rows = await InformationRequest.insert(
        InformationRequest(
            referral=referral_id,
            question=question,
            requested_by=actor.user_id,
            requested_at=utcnow(),
        )
    )
    await record_event(actor, referral_id, QUESTION_ASKED)
    await audit.record(
        actor,
        AuditAction.CREATE,
        "referral_information",
        rows[0]["id"],
        purpose="spørsmål til fastlege",
        patient_id=await patient_of(referral_id),
        referral_id=referral_id,
    )


async def _information_requests(referral_id: int) -> list[InformationRequestOut]:
    """The questions on a referral the caller may already see, with who asked and answered."""
    rows = await (
        InformationRequest.select(
            *InformationRequest.all_columns(),
            InformationRequest.requested_by.name,
            InformationRequest.answered_by.name,
        )
        .where(InformationRequest.referral == referral_id)
        .order_by(InformationRequest.id)
    )
    return [
        InformationRequestOut(
            id=row["id"],
            question=row["question"],
            asked_by=row["requested_by.name"],
            asked_at=row["requested_at"],
            answer=row["answer"] if row["answered_at"] else None,
            answered_by=row["answered_by.name"],
            answered_at=row["answered_at"],
        )
        for row in rows
    ]


async def answer_states(referral_ids: list[int]) -> tuple[set[int], set[int]]:
    """Of these referrals, those still waiting for the GP's answer, and those whose latest
    question the GP has answered (the assessors' «Svar fra fastlege»). Only referrals not
    yet decided count: a decision ends the exchange."""
    if not referral_ids:
        return set(), set()
    rows = await (
        InformationRequest.select(InformationRequest.referral, InformationRequest.answered_at)
        .where(
            InformationRequest.referral.is_in(referral_ids)
            & InformationRequest.referral.status.is_in(
                [status.value for status in AWAITING_ASSESSMENT]
            )
        )
        .order_by(InformationRequest.id)
    )
    latest = {int(row["referral"]): row["answered_at"] for row in rows}
    waiting = {referral for referral, answered in latest.items() if answered is None}
    return waiting, set(latest) - waiting


async def answer_information(
    user: CurrentUser, actor: Actor, referral_id: int, answer: str
) -> None:
    """The referring GP answers the team's open question; the wait ends now.

    The answer is stored with who and when, noted in the case's history, and raises the
    referral's version, so an assessor deciding from a view before the answer is told to
    look again. 404 for another GP's referral; 409 when no question waits (none asked, already
    answered, or the case decided meanwhile).
    """
    text = answer.strip()
    if not text:
        raise InvalidInput({"answer": "Skriv et svar til teamet."})
    if len(text) > MAX_LONG_TEXT:
        raise InvalidInput({"answer": f"Svaret kan ha høyst {MAX_LONG_TEXT} tegn."})
    async with write_transaction():
        row = await for_update(
            Referral.select(Referral.patient, Referral.status).where(
                (Referral.id == referral_id) & (Referral.gp == user.id)
            )
        ).first()
        if row is None:
            raise NotFound("Henvisningen finnes ikke.")
        if Status(row["status"]) not in AWAITING_ASSESSMENT:
            raise Conflict("Teamet har allerede vurdert henvisningen og venter ikke på svar.")
        updated = await (
            InformationRequest.update(
                {
                    InformationRequest.answer: text,
                    InformationRequest.answered_by: user.id,
                    InformationRequest.answered_at: utcnow(),
                }
            )
            .where(
                (InformationRequest.referral == referral_id)
                & InformationRequest.answered_at.is_null()
            )
            .returning(InformationRequest.id)
        )
        if not updated:
            raise Conflict("Teamet venter ikke på svar på denne henvisningen.")
        await record_event(actor, referral_id, ANSWER_RECEIVED)
        await audit.record(
            actor,
            AuditAction.UPDATE,
            "referral_information",
            referral_id,
            purpose="fastlege svarer på spørsmål fra teamet",
            patient_id=row["patient"],
            referral_id=referral_id,
        )
