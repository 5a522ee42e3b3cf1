"""Referrals that arrive as health messages (Henvisning, received by ``messaging``): a new
referral exactly as from the form — patient, deadline, history, audit — and the GP's change
(ServType M) or cancellation (C) of one. Every function runs inside the caller's write
transaction, so the message log and the referral are stored together or not at all.

The standard carries no employer, occupation, work status or consent to NAV's part: those are
listed in ``to_complete`` and the consent is «not recorded» (``initial_consent``), so NAV sees
no health text until the clinic records it (DOMAIN.md).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from helseiarbeid.clinics import services as clinics
from helseiarbeid.core import audit, outbox
from helseiarbeid.core.audit import Actor, AuditAction
from helseiarbeid.core.database import for_update, insert_row
from helseiarbeid.core.errors import NotFound
from helseiarbeid.core.roles import Role
from helseiarbeid.core.tables import User
from helseiarbeid.core.timefmt import to_oslo
from helseiarbeid.core.users import CurrentUser
from helseiarbeid.core.working_days import add_working_days
from helseiarbeid.referrals.schemas import Complaint, Urgency, WorkStatus
from helseiarbeid.referrals.services._common import new_reference, patient_id_of
from helseiarbeid.referrals.services.access import initial_consent
from helseiarbeid.referrals.services.status_changes import change_status, record_event
from helseiarbeid.referrals.services.submission import (
    ASSESSMENT_WORKING_DAYS,
    RECEIVED_REASON,
    assessment_target,
)
from helseiarbeid.referrals.status import AWAITING_ASSESSMENT, Status
from helseiarbeid.referrals.tables import Referral, StatusChange

# What a referral from a message lacks, to be completed on the case.
TO_COMPLETE = ("employer_name", "occupation", "work_status", "consent_nav_participation")
SOURCE = "message"
PURPOSE = "henvisning mottatt som helsemelding"


@dataclass(frozen=True)
class MessageReferral:
    """A referral as read from a message; text already stripped and within the limits."""

    national_id: str  # validated by the caller (core.identifiers)
    patient_name: str
    patient_address: str
    patient_phone: str
    complaint: Complaint
    description: str
    question: str
    history: str
    medication: str
    urgency: Urgency
    urgency_reason: str
    # Beyond TO_COMPLETE, e.g. "question" when the message has none.
    also_to_complete: tuple[str, ...] = ()


async def receive_referral(
    actor: Actor,
    gp: CurrentUser,
    data: MessageReferral,
    received_at: datetime,
    *,
    clinic_id: int,
) -> tuple[int, str, int]:
    """Store a new referral from a message for ``clinic_id`` (the owner of the HER-id it was
    sent to); returns (referral id, reference, patient id).

    received_at is when the message arrived; the deadline is 10 working days from that day
    (pasient- og brukerrettighetsloven § 2-2), as for the form.
    """
    received = to_oslo(received_at).date()
    patient_id = await patient_id_of(data.national_id, received_at)
    reference = new_reference()
    referral_id = await insert_row(
        Referral,
        {
            "reference": reference,
            "clinic": clinic_id,
            "patient": patient_id,
            "patient_name": data.patient_name[:200],
            "patient_address": data.patient_address[:300],
            "patient_phone": data.patient_phone[:30],
            "gp": gp.id,
            "gp_name": gp.name,
            "gp_hpr_number": gp.hpr_number or "",
            "gp_office_name": gp.workplace_name,
            "gp_office_address": gp.workplace_address,
            "gp_office_phone": gp.workplace_phone,
            "employer_name": "",
            "employer_org_number": None,
            "occupation": "",
            "work_status": WorkStatus.OTHER.value,
            "sick_leave_percent": None,
            "sick_leave_since": None,
            "complaint": data.complaint.value,
            "description": data.description,
            "complaint_duration": "",
            "question": data.question,
            "history": data.history,
            "medication": data.medication,
            "urgency": data.urgency.value,
            "urgency_reason": data.urgency_reason,
            **initial_consent(carried=False),
            "to_complete": ",".join((*TO_COMPLETE, *data.also_to_complete)),
            "status": Status.RECEIVED.value,
            "received_at": received_at,
            "received_on": received,
            "assessment_due": add_working_days(received, ASSESSMENT_WORKING_DAYS),
            "assessment_target": assessment_target(data.urgency, received),
            "source": SOURCE,
            "version": 1,
            "updated_at": received_at,
        },
    )
    await insert_row(
        StatusChange,
        {
            "referral": referral_id,
            "from_status": None,
            "to_status": Status.RECEIVED.value,
            "changed_by": gp.id,
            "changed_at": received_at,
            "reason": f"{RECEIVED_REASON} (elektronisk henvisning)",
        },
    )
    await audit.record(
        actor,
        AuditAction.CREATE,
        "referral",
        referral_id,
        purpose=PURPOSE,
        patient_id=patient_id,
        referral_id=referral_id,
    )
    return referral_id, reference, patient_id


async def _locked(referral_id: int) -> dict[str, object]:
    row = await for_update(
        Referral.select(
            Referral.status,
            Referral.patient,
            Referral.reference,
            Referral.responsible,
            Referral.clinic,
        ).where(Referral.id == referral_id)
    ).first()
    if row is None:
        raise NotFound("Henvisningen finnes ikke.")
    return dict(row)


async def change_from_message(
    actor: Actor,
    referral_id: int,
    *,
    description: str,
    history: str,
    medication: str,
    question: str,
    comment: str,
) -> str:
    """The GP's change (ServType M). Not yet assessed: the texts are replaced and the change
    noted in the history. Assessed: the message stays attached as supplementary information,
    the history says so and the team is alerted (mail to the responsible and the
    coordinators). Returns what happened, in Norwegian."""
    row = await _locked(referral_id)
    note = f": {comment}" if comment else ""
    if Status(str(row["status"])) in AWAITING_ASSESSMENT:
        values: dict[Any, Any] = {
            Referral.description: description,
            Referral.history: history,
            Referral.medication: medication,
        }
        if question:
            values[Referral.question] = question
        await Referral.update(values).where(Referral.id == referral_id)
        await record_event(
            actor, referral_id, f"Endret av fastlege (elektronisk melding){note}"[:2000]
        )
        outcome = "Henvisningen er oppdatert med endringen."
    else:
        await record_event(
            actor, referral_id, "Tilleggsopplysninger fra fastlege etter vurdering (melding)"
        )
        await alert_team(row, "fastlegen har sendt en endring etter at saken ble vurdert")
        outcome = "Lagt ved som tilleggsopplysninger; teamet er varslet."
    await audit.record(
        actor,
        AuditAction.UPDATE,
        "referral",
        referral_id,
        purpose="endring fra fastlege (melding)",
        patient_id=int(str(row["patient"])),
        referral_id=referral_id,
    )
    return outcome


async def cancel_from_message(actor: Actor, referral_id: int, *, comment: str) -> str:
    """The GP's cancellation (ServType C). Still waiting (received): withdrawn, with the
    comment in the history. Later: noted in the history and the team alerted. Returns what
    happened, in Norwegian."""
    row = await _locked(referral_id)
    reason = f"Kansellert av fastlege (elektronisk melding){': ' + comment if comment else ''}"
    if Status(str(row["status"])) is Status.RECEIVED:
        await change_status(actor, referral_id, Status.WITHDRAWN, reason=reason[:2000])
        return "Henvisningen er trukket tilbake."
    await record_event(actor, referral_id, reason[:2000])
    await alert_team(row, "fastlegen har kansellert henvisningen etter at saken ble vurdert")
    await audit.record(
        actor,
        AuditAction.UPDATE,
        "referral",
        referral_id,
        purpose="kansellering fra fastlege (melding)",
        patient_id=int(str(row["patient"])),
        referral_id=referral_id,
    )
    return "Saken var allerede vurdert; teamet er varslet."


async def alert_team(row: dict[str, object], what: str) -> None:
    """Mail the case's responsible and the coordinators of its clinic (no health text: the
    reference only)."""
    clinic = row["clinic"]
    staff = sorted(await clinics.member_ids([int(str(clinic))])) if clinic is not None else []
    query = User.select(User.email).where(
        (User.is_active == True)  # noqa: E712 - Piccolo builds SQL from ==
        & (
            ((User.role == Role.COORDINATOR.value) & User.id.is_in(staff or [0]))
            | (User.id == row["responsible"])
        )
    )
    recipients = tuple(sorted({str(user["email"]) for user in await query}))
    await outbox.enqueue(
        "mail",
        recipients,
        f"HelseIArbeid: melding fra fastlege om {row['reference']}",
        f"Henvisning {row['reference']}: {what}.\n\nSe saken og Meldinger i HelseIArbeid.\n",
    )
