"""The case as a whole and the report to the GP: everything recorded on a case, whether the report
may be written yet, the preview with its fingerprint, and the report built, stored and sent,
which completes the case. A GP who can receive health messages also gets the report in the
record system, as Epikrise 1.2 with the PDF (``messaging.services``).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from helseiarbeid.clinic_track.schemas import (
    AssessmentOut,
    CaseOut,
    ClarificationUpdate,
    ConsultationOut,
    Decision,
    Destination,
    DocumentOut,
    OnwardReferralOut,
    Outcome,
    Priority,
    Recommendation,
    TriageNoteOut,
)
from helseiarbeid.clinic_track.services._common import _document_url, _lock_case
from helseiarbeid.clinic_track.services.consultations import _when
from helseiarbeid.clinic_track.tables import (
    Assessment,
    Clarification,
    Consultation,
    ConsultationStaff,
    OnwardReferral,
    TriageNote,
)
from helseiarbeid.core.audit import Actor
from helseiarbeid.core.clock import today_in_oslo
from helseiarbeid.core.database import write_transaction
from helseiarbeid.core.errors import Conflict, InvalidInput
from helseiarbeid.core.pdf import render_pdf
from helseiarbeid.core.users import CurrentUser
from helseiarbeid.messaging import services as messaging
from helseiarbeid.referrals import services as referrals
from helseiarbeid.referrals.schemas import ReferralOut
from helseiarbeid.referrals.status import Status, can_move, refusal


async def _case_parts(referral_id: int) -> dict[str, Any]:
    notes = await (
        TriageNote.select(*TriageNote.all_columns(), TriageNote.author.name)
        .where(TriageNote.referral == referral_id)
        .order_by(TriageNote.id)
    )
    assessments = await (
        Assessment.select(*Assessment.all_columns(), Assessment.assessed_by.name)
        .where(Assessment.referral == referral_id)
        .order_by(Assessment.id)
    )
    consultations = await (
        Consultation.select()
        .where(Consultation.referral == referral_id)
        .order_by(Consultation.starts_at)
    )
    staff_rows = await ConsultationStaff.select(
        ConsultationStaff.consultation, ConsultationStaff.staff.name
    ).where(ConsultationStaff.consultation.is_in([c["id"] for c in consultations] or [0]))
    staff_by_consultation: dict[int, list[str]] = {}
    for row in staff_rows:
        staff_by_consultation.setdefault(row["consultation"], []).append(row["staff.name"])
    clarification = (
        await Clarification.select().where(Clarification.referral == referral_id).first()
    )
    onward = await (
        OnwardReferral.select()
        .where(OnwardReferral.referral == referral_id)
        .order_by(OnwardReferral.id)
    )
    return {
        "triage_notes": [
            TriageNoteOut(
                id=n["id"],
                author=n["author.name"],
                author_role=n["author_role"],
                note=n["note"],
                recommendation=Recommendation(n["recommendation"]),
                created_at=n["created_at"],
            )
            for n in notes
        ],
        "assessments": [
            AssessmentOut(
                id=a["id"],
                decision=Decision(a["decision"]),
                has_right_to_care=a["has_right_to_care"],
                start_deadline=a["start_deadline"],
                priority=Priority(a["priority"]) if a["priority"] else None,
                reason=a["reason"],
                assessed_by=a["assessed_by.name"],
                assessed_at=a["assessed_at"],
            )
            for a in assessments
        ],
        "consultations": [
            ConsultationOut(
                id=c["id"],
                starts_at=c["starts_at"],
                ends_at=c["starts_at"] + timedelta(minutes=c["duration_minutes"]),
                duration_minutes=c["duration_minutes"],
                location=c["location"],
                staff=staff_by_consultation.get(c["id"], []),
                letter_url=_document_url(referral_id, c["letter"]) if c["letter"] else None,
                outcome=Outcome(c["outcome"]) if c["outcome"] else None,
                cancel_reason=c["cancel_reason"],
            )
            for c in consultations
        ],
        "clarification": (
            ClarificationUpdate(
                summary=clarification["summary"],
                coping_plan=clarification["coping_plan"],
                work_recommendations=clarification["work_recommendations"],
                follow_up=clarification["follow_up"],
                version=clarification["version"],
            )
            if clarification
            else None
        ),
        "onward_referrals": [
            OnwardReferralOut(
                id=o["id"],
                destination_type=Destination(o["destination_type"]),
                destination_name=o["destination_name"],
                reason=o["reason"],
                created_at=o["created_at"],
                letter_url=_document_url(referral_id, o["letter"]),
                destination_her_id=o["destination_her_id"],
            )
            for o in onward
        ],
    }


async def case(user: CurrentUser, actor: Actor, referral_id: int) -> tuple[ReferralOut, CaseOut]:
    """The referral and everything recorded on it; one audited read."""
    referral = await referrals.get_referral(user, actor, referral_id)
    parts = await _case_parts(referral_id)
    documents = await referrals.list_documents([referral_id])
    consent = await referrals.consent_history([referral_id])
    return referral, CaseOut(
        referral_id=referral_id,
        status=referral.status,
        version=referral.version,
        documents=[
            DocumentOut(
                id=d.id,
                kind=d.kind,
                title=d.title,
                created_at=d.created_at,
                url=_document_url(referral_id, d.id),
                cancelled_at=d.cancelled_at,
            )
            for d in documents
        ],
        information_requests=referral.information_requests,
        nav_consent_history=consent.get(referral_id, []),
        **parts,
    )


async def _case_fingerprint(referral_id: int) -> str:
    """What the report is made from, in brief: a change to any of it makes a draft or a
    report being rendered stale. A short hex digest, carried by the preview's form."""
    clarification = (
        await Clarification.select(Clarification.version)
        .where(Clarification.referral == referral_id)
        .first()
    )
    consultations = await (
        Consultation.select(Consultation.id, Consultation.outcome, Consultation.starts_at)
        .where(Consultation.referral == referral_id)
        .order_by(Consultation.id)
    )
    parts = (
        await referrals.status_of(referral_id),
        clarification["version"] if clarification else None,
        await OnwardReferral.count().where(OnwardReferral.referral == referral_id),
        [(c["id"], c["outcome"], c["starts_at"].isoformat()) for c in consultations],
        await Assessment.count().where(Assessment.referral == referral_id),
    )
    return hashlib.sha256(repr(parts).encode()).hexdigest()[:32]


def _check_report_ready(recorded: CaseOut) -> None:
    """The report needs a case in progress, the clarification, and an outcome recorded for
    every consultation (409 naming the open ones by date and time)."""
    if not can_move(recorded.status, Status.COMPLETED):
        raise Conflict(refusal(recorded.status, Status.COMPLETED))
    if recorded.clarification is None:
        raise InvalidInput(
            {"clarification": "Skriv den arbeidsfokuserte avklaringen før rapporten lages."}
        )
    open_ones = [c for c in recorded.consultations if c.outcome is None]
    if open_ones:
        times = ", ".join(_when(c.starts_at) for c in open_ones)
        raise Conflict(
            "Rapporten kan lages når hver konsultasjon er registrert som gjennomført, "
            f"ikke møtt eller avlyst. Ikke registrert: {times}."
        )


@dataclass(frozen=True)
class ReportDraft:
    referral: ReferralOut
    case: CaseOut
    pdf: bytes
    # _case_fingerprint of what the draft was made from.
    fingerprint: str


async def draft_report(user: CurrentUser, actor: Actor, referral_id: int) -> ReportDraft:
    """The report as it would be sent now, without storing or sending anything (the
    preview); refused like the report itself when the case is not ready."""
    fingerprint = await _case_fingerprint(referral_id)
    referral, recorded = await case(user, actor, referral_id)
    _check_report_ready(recorded)
    pdf = await render_pdf(
        "clinic_track/report_pdf.html",
        {"referral": referral, "case": recorded, "author": user, "today": today_in_oslo()},
    )
    return ReportDraft(referral, recorded, pdf, fingerprint)


def _report_summary(recorded: CaseOut) -> str:
    """The text shown with the Epikrise: the clarification's summary, then where the report is."""
    summary = recorded.clarification.summary.strip() if recorded.clarification else ""
    closing = "Rapporten fra HelseIArbeid er vedlagt som PDF."
    return f"{summary}\n\n{closing}" if summary else closing


async def write_report(
    user: CurrentUser,
    actor: Actor,
    referral_id: int,
    version: int | None,
    draft: str | None = None,
) -> int:
    """Build the report to the GP from what was recorded, store it, and complete the case.

    Refused (409) while a consultation has no outcome, when ``version`` is stale, when
    ``draft`` (the preview's fingerprint) no longer matches the case, or when the case
    changed while the PDF was rendered. After this the case is closed: every service that
    changes a case refuses a completed one.
    """
    made = await draft_report(user, actor, referral_id)
    if draft is not None and draft != made.fingerprint:
        raise Conflict(
            "Saken er endret siden du så utkastet. Se over utkastet på nytt før du sender."
        )
    async with write_transaction():
        await _lock_case(referral_id, frozenset({Status.IN_PROGRESS}), "sende rapporten")
        await referrals.join_case(referral_id, [user.id])
        await referrals.check_version(referral_id, version)
        if await _case_fingerprint(referral_id) != made.fingerprint:
            raise Conflict(
                "Saken ble endret mens rapporten ble laget. Se over endringene og lag den på nytt."
            )
        document_id = await referrals.store_document(
            actor, referral_id, kind="report", title="Rapport til fastlege", content=made.pdf
        )
        await messaging.send_report(
            actor,
            referral_id,
            pdf=made.pdf,
            title="Rapport til fastlege",
            summary=_report_summary(made.case),
        )
        await referrals.change_status(
            actor, referral_id, Status.COMPLETED, reason="Rapport sendt fastlege"
        )
    return document_id
