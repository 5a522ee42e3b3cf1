"""Reading referrals: who may see which referral (the GP their own, the clinic team by the
rule in ``access``), one referral with its history and correspondence, the paged and filtered
list, and a patient's identity. Every read, and every refused one, records an audit row.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from piccolo.querystring import QueryString

from helseiarbeid.clinics import services as clinics
from helseiarbeid.core import audit
from helseiarbeid.core.audit import Actor, AuditAction
from helseiarbeid.core.errors import InvalidInput, NotFound
from helseiarbeid.core.identifiers import IdentifierError, validate_national_id
from helseiarbeid.core.roles import Role
from helseiarbeid.core.users import CurrentUser
from helseiarbeid.referrals.schemas import (
    Complaint,
    EmployerIn,
    GpOut,
    HealthAccess,
    NavConsent,
    PatientIn,
    ReferralOut,
    ReferralPage,
    ReferralSummary,
    StatusChangeOut,
    Urgency,
    WorkStatus,
)
from helseiarbeid.referrals.services.access import (
    access_columns,
    decide,
    nav_readable,
    refuse,
    refuse_unseen,
    visible_to,
)
from helseiarbeid.referrals.services.information import (
    WAITING_FOR_ANSWER_SQL,
    _information_requests,
    _waiting_for_answer,
)
from helseiarbeid.referrals.status import Status
from helseiarbeid.referrals.tables import Patient, Referral, StatusChange


def _visible_to(user: CurrentUser) -> Any:
    """Which referrals a user may see (``access.visible_to``)."""
    return visible_to(user)


async def _load(user: CurrentUser, actor: Actor, referral_id: int) -> dict[str, Any]:
    """The referral's row if ``user`` may see its health information, with the audit purpose
    of the read as ``access_purpose``. Raises NotFound — the same answer whether it does not
    exist or belongs to another GP — or Forbidden when the access rule refuses
    (``access.decide``: NAV without consent, a case outside the open queue and the user's
    cases); either way the refused attempt is in the access log (with the patient when the
    referral exists), in a transaction of its own."""
    row = (
        await Referral.select(
            *Referral.all_columns(),
            Referral.patient.national_id,
            *access_columns(user),
        )
        .where((Referral.id == referral_id) & _visible_to(user))
        .first()
    )
    if row is None:
        await refuse_unseen(actor, referral_id)
    decision = decide(user, row)
    if decision.access is not HealthAccess.FULL:
        await refuse(actor, referral_id, row["patient"], decision)
    return {**row, "access_purpose": decision.purpose}


def _purpose(user: CurrentUser) -> str:
    if user.role is Role.GP:
        return "fastlege følger opp egen henvisning"
    return "behandling av henvisning i HelseIArbeid-teamet"


async def get_referral(user: CurrentUser, actor: Actor, referral_id: int) -> ReferralOut:
    row = await _load(user, actor, referral_id)
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
        purpose=row["access_purpose"],
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
        nav_consent=NavConsent(row["nav_consent"]),
        gp=GpOut(
            name=row["gp_name"],
            hpr_number=row["gp_hpr_number"],
            office_name=row["gp_office_name"],
            office_address=row["gp_office_address"],
            office_phone=row["gp_office_phone"],
        ),
        source=row["source"],
        to_complete=[name for name in row["to_complete"].split(",") if name],
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
        clinic_name=await clinics.clinic_name(row["clinic"]),
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
    among them too), and the page counts them over all pages. The NAV counsellor sees only the
    referrals whose health information it may read; a clinician sees the others without their
    complaint (``access.decide``).
    """
    condition = _visible_to(user)
    if user.role is Role.NAV_COUNSELLOR:
        # NAV lists only the cases whose health information it may see (the worklist
        # shows the others without it).
        condition &= nav_readable(user)
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
        Referral.nav_consent,
        QueryString(WAITING_FOR_ANSWER_SQL).as_alias("waiting_for_answer"),
        *access_columns(user),
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
                complaint=Complaint(row["complaint"])
                if decide(user, row).access is HealthAccess.FULL
                else None,
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


@dataclass(frozen=True)
class Addressee:
    """Whom a health message about a referral is about and goes to: the patient (national ID,
    name as on the referral) and the referring GP (user id, name, HER-id or None, office)."""

    referral_id: int
    patient_id: int
    national_id: str
    patient_name: str
    gp_id: int
    gp_name: str
    gp_her_id: str | None
    gp_office_name: str
    received_at: datetime


async def message_addressee(referral_id: int) -> Addressee:
    """The referral's patient and GP for an outgoing health message. Not audited here: the
    caller records the message it makes in the same transaction. NotFound for no referral."""
    row = await (
        Referral.select(
            Referral.patient,
            Referral.patient.national_id,
            Referral.patient_name,
            Referral.gp,
            Referral.gp_name,
            Referral.gp.her_id,
            Referral.gp_office_name,
            Referral.received_at,
        )
        .where(Referral.id == referral_id)
        .first()
    )
    if row is None:
        raise NotFound("Henvisningen finnes ikke.")
    return Addressee(
        referral_id=referral_id,
        patient_id=row["patient"],
        national_id=row["patient.national_id"],
        patient_name=row["patient_name"],
        gp_id=row["gp"],
        gp_name=row["gp_name"],
        gp_her_id=row["gp.her_id"] or None,
        gp_office_name=row["gp_office_name"],
        received_at=row["received_at"],
    )
