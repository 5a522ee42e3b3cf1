"""Onward referrals at the end of a case: who may refer into health services and sign the letter
(health personnel with an HPR number), and NAV's own work-oriented measures.
"""

from __future__ import annotations

import re

from helseiarbeid.clinic_track.schemas import Destination, OnwardReferralCreate, OnwardReferralOut
from helseiarbeid.clinic_track.services._common import (
    ACTIVE,
    PURPOSE,
    _case_to_change,
    _document_url,
    _lock_case,
    _require_status,
)
from helseiarbeid.clinic_track.tables import OnwardReferral
from helseiarbeid.core import audit
from helseiarbeid.core.audit import Actor, AuditAction
from helseiarbeid.core.clock import today_in_oslo, utcnow
from helseiarbeid.core.database import write_transaction
from helseiarbeid.core.errors import InvalidInput
from helseiarbeid.core.pdf import render_pdf
from helseiarbeid.core.roles import Role
from helseiarbeid.core.users import CurrentUser
from helseiarbeid.messaging import services as messaging
from helseiarbeid.referrals import services as referrals

# Who may refer into health services and sign the letter: health personnel with an HPR
# number (``users.create_user`` requires one for these roles). The NAV counsellor is not
# health personnel and registers NAV's own work-oriented measures.
REFERRING_CLINICIANS = frozenset({Role.PSYCHOLOGIST, Role.PHYSICIAN})
# A HER-id (Adresseregisteret, code system 2.16.578.1.12.4.1.1.9051): a positive whole number.
_HER_ID = re.compile(r"[1-9][0-9]{0,15}")


def onward_destinations(user: CurrentUser) -> list[Destination]:
    """The destinations this team member may refer to: all for a physician or psychologist,
    NAV's work-oriented measures only for anyone else on the team."""
    return [d for d in Destination if user.role in REFERRING_CLINICIANS or not d.is_health_service]


async def add_onward_referral(
    user: CurrentUser, actor: Actor, referral_id: int, data: OnwardReferralCreate
) -> OnwardReferralOut:
    """Refer the patient onward and store the letter, signed by ``user``.

    A referral into health services (DPS, specialist departments, physiotherapy ...) is a
    clinician's decision (DOMAIN.md: a physician or psychologist, with HPR number); anyone
    else is refused with 422 on ``destination_type``. 409 unless the case is accepted or in
    progress.

    A health service given with its HER-id also gets the referral as a health message
    (Henvisning 2.0, ``HENVISNING_VIDERE``, issue 13 §8), queued in the same transaction as the
    onward referral; 422 on ``destination_her_id`` for a HER-id that is not a number, or one
    given for NAV's measures (not a health service).
    """
    problems = {}
    if data.destination_type not in onward_destinations(user):
        problems["destination_type"] = (
            "Henvisning til helsetjenester gjøres av lege eller psykolog med HPR-nummer. "
            "Som NAV-veileder kan du registrere arbeidsrettede tiltak i NAV."
        )
    if not data.destination_name.strip():
        problems["destination_name"] = "Oppgi hvor pasienten henvises."
    if not data.reason.strip():
        problems["reason"] = "Skriv begrunnelsen for henvisningen."
    her_id = data.destination_her_id.strip()
    if her_id and not _HER_ID.fullmatch(her_id):
        problems["destination_her_id"] = "HER-id er et tall (fra Adresseregisteret)."
    elif her_id and not data.destination_type.is_health_service:
        problems["destination_her_id"] = (
            "HER-id brukes bare ved henvisning til helsetjenester, ikke tiltak i NAV."
        )
    if problems:
        raise InvalidInput(problems)
    referral = await _case_to_change(user, actor, referral_id, ACTIVE, "henvise videre")
    _require_status(referral.status, ACTIVE, "henvise videre")
    now = utcnow()
    letter = await render_pdf(
        "clinic_track/onward_letter_pdf.html",
        {
            "referral": referral,
            "destination_type": data.destination_type,
            "destination_name": data.destination_name.strip(),
            "reason": data.reason.strip(),
            "author": user,
            "today": today_in_oslo(),
        },
    )
    async with write_transaction():
        await _lock_case(referral_id, ACTIVE, "henvise videre")
        await referrals.join_case(referral_id, [user.id])
        letter_id = await referrals.store_document(
            actor,
            referral_id,
            kind="onward_referral",
            title=f"Henvisning videre til {data.destination_name.strip()}"[:200],
            content=letter,
        )
        rows = await OnwardReferral.insert(
            OnwardReferral(
                referral=referral_id,
                destination_type=data.destination_type.value,
                destination_name=data.destination_name.strip(),
                destination_her_id=her_id,
                reason=data.reason.strip(),
                letter=letter_id,
                created_by=user.id,
                created_at=now,
            )
        )
        await audit.record(
            actor,
            AuditAction.CREATE,
            "onward_referral",
            rows[0]["id"],
            purpose=PURPOSE,
            patient_id=await referrals.patient_of(referral_id),
            referral_id=referral_id,
        )
        sent = None
        if her_id:
            sent = await messaging.send_onward_referral(
                actor,
                referral_id,
                service_name=data.destination_name.strip(),
                service_her_id=her_id,
                author_name=user.name,
                author_hpr=user.hpr_number or "",
                reason=data.reason.strip(),
                letter=letter,
                title=f"Henvisning videre til {data.destination_name.strip()}"[:200],
            )
    return OnwardReferralOut(
        id=rows[0]["id"],
        destination_type=data.destination_type,
        destination_name=data.destination_name.strip(),
        reason=data.reason.strip(),
        created_at=now,
        letter_url=_document_url(referral_id, letter_id),
        destination_her_id=her_id,
        sent_as_message=sent is not None,
    )
