"""Requests for more information: the team's question to the GP, the GP's answer, and whether the
team is waiting for an answer (a question without an answer on a referral not yet decided).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from helseiarbeid.core import audit
from helseiarbeid.core.audit import Actor, AuditAction
from helseiarbeid.core.clock import utcnow
from helseiarbeid.core.database import for_update, write_transaction
from helseiarbeid.core.errors import Conflict, InvalidInput, NotFound
from helseiarbeid.core.users import CurrentUser
from helseiarbeid.referrals.schemas import InformationRequestOut
from helseiarbeid.referrals.services.received import alert_team
from helseiarbeid.referrals.services.status_changes import patient_of, record_event
from helseiarbeid.referrals.services.validation import MAX_LONG_TEXT
from helseiarbeid.referrals.status import AWAITING_ASSESSMENT, Status
from helseiarbeid.referrals.tables import InformationRequest, Referral

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
ANSWER_AFTER_DECISION = "Tilleggsopplysninger fra fastlege: svar uten åpent spørsmål (melding)"

# Told of each new question inside its transaction: (actor, referral id, request id, question).
# ``messaging`` registers one at import that queues the question as a health message to the
# GP's record system, so the question and the message are stored together or not at all
# (referrals cannot import messaging: core ← referrals ← messaging ← clinic_track).
QuestionHook = Callable[[Actor, int, int, str], Awaitable[object]]
_QUESTION_HOOKS: list[QuestionHook] = []


def register_question_hook(hook: QuestionHook) -> None:
    """Call ``hook`` for every new information request (idempotent: one entry per function)."""
    if hook not in _QUESTION_HOOKS:
        _QUESTION_HOOKS.append(hook)


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
    for hook in _QUESTION_HOOKS:
        await hook(actor, referral_id, int(rows[0]["id"]), question)


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
        if not await _attach_answer(actor, referral_id, user.id, text, int(row["patient"])):
            raise Conflict("Teamet venter ikke på svar på denne henvisningen.")


async def _attach_answer(
    actor: Actor, referral_id: int, gp_id: int, text: str, patient_id: int
) -> bool:
    """Store ``text`` as the answer to the referral's open questions, note it in the history
    and audit it; False when no question is open. Inside the caller's transaction, with the
    referral row locked."""
    updated = await (
        InformationRequest.update(
            {
                InformationRequest.answer: text,
                InformationRequest.answered_by: gp_id,
                InformationRequest.answered_at: utcnow(),
            }
        )
        .where(
            (InformationRequest.referral == referral_id) & InformationRequest.answered_at.is_null()
        )
        .returning(InformationRequest.id)
    )
    if not updated:
        return False
    await record_event(actor, referral_id, ANSWER_RECEIVED)
    await audit.record(
        actor,
        AuditAction.UPDATE,
        "referral_information",
        referral_id,
        purpose="fastlege svarer på spørsmål fra teamet",
        patient_id=patient_id,
        referral_id=referral_id,
    )
    return True


async def answer_from_message(actor: Actor, referral_id: int, answer: str) -> str | None:
    """The referring GP's answer arriving as a health message (issue 13 §7), attached exactly
    as :func:`answer_information` attaches the web answer: the open question is answered by
    the referral's GP, the history says «Svar fra fastlege», the read flag for the assessors
    follows. Inside the caller's write transaction.

    When no question is open any more (answered on the web meanwhile, or the case decided),
    the answer is kept as supplementary information: noted in the history, the team alerted
    as for a change after assessment. Returns what happened, in Norwegian; None when the
    referral has no question at all (the message answers nothing here).
    """
    text = answer.strip()[:MAX_LONG_TEXT] or "(tomt svar)"
    row = await for_update(
        Referral.select(
            Referral.patient,
            Referral.status,
            Referral.gp,
            Referral.reference,
            Referral.responsible,
            Referral.clinic,
        ).where(Referral.id == referral_id)
    ).first()
    if row is None:
        raise NotFound("Henvisningen finnes ikke.")
    asked = await InformationRequest.exists().where(InformationRequest.referral == referral_id)
    if not asked:
        return None
    if Status(row["status"]) in AWAITING_ASSESSMENT and await _attach_answer(
        actor, referral_id, int(row["gp"]), text, int(row["patient"])
    ):
        return "Svaret er lagt til spørsmålet fra teamet."
    await record_event(actor, referral_id, ANSWER_AFTER_DECISION)
    await alert_team(row, "fastlegen har sendt et svar etter at saken ble vurdert eller besvart")
    await audit.record(
        actor,
        AuditAction.UPDATE,
        "referral",
        referral_id,
        purpose="tilleggsopplysninger fra fastlege (melding)",
        patient_id=int(row["patient"]),
        referral_id=referral_id,
    )
    return "Lagt ved som tilleggsopplysninger; teamet er varslet."
