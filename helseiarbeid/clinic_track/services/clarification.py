"""The work-focused clarification (summary, coping plan, recommendations for work): written and
updated under a version check, so of two people who opened the same form the second is refused
(409) instead of overwriting the first's text.
"""

from __future__ import annotations

from typing import Any

from helseiarbeid.clinic_track.schemas import ClarificationUpdate
from helseiarbeid.clinic_track.services._common import ACTIVE, PURPOSE, _lock_case
from helseiarbeid.clinic_track.tables import Clarification
from helseiarbeid.core import audit
from helseiarbeid.core.audit import Actor, AuditAction
from helseiarbeid.core.clock import utcnow
from helseiarbeid.core.database import for_update, is_unique_violation, write_transaction
from helseiarbeid.core.errors import Conflict, InvalidInput
from helseiarbeid.core.users import CurrentUser
from helseiarbeid.referrals import services as referrals


async def save_clarification(
    user: CurrentUser, actor: Actor, referral_id: int, data: ClarificationUpdate
) -> ClarificationUpdate:
    """Write or update the work-focused clarification; a stale version is refused (409).

    ``data.version`` is the version the writer saw: 0 (or left out) when there was none yet.
    Creating is checked like updating, so of two people who both opened an empty form the
    second is refused instead of overwriting the first's text.
    """
    if not data.summary.strip():
        raise InvalidInput({"summary": "Skriv en oppsummering."})
    seen = data.version or 0
    await referrals.require_access(user, actor, referral_id, writing=True)
    async with write_transaction():
        await _lock_case(referral_id, ACTIVE, "skrive avklaringen")
        await referrals.join_case(referral_id, [user.id])
        existing = await for_update(
            Clarification.select(Clarification.id, Clarification.version).where(
                Clarification.referral == referral_id
            )
        ).first()
        now = utcnow()
        fields: dict[Any, Any] = {
            Clarification.summary: data.summary.strip(),
            Clarification.coping_plan: data.coping_plan.strip(),
            Clarification.work_recommendations: data.work_recommendations.strip(),
            Clarification.follow_up: data.follow_up.strip(),
            Clarification.updated_by: user.id,
            Clarification.updated_at: now,
        }
        if existing is None:
            if seen != 0:
                raise Conflict(
                    "Avklaringen finnes ikke lenger i den versjonen du så. Last siden på nytt."
                )
            try:
                await Clarification.insert(
                    Clarification({**fields, Clarification.referral: referral_id})
                )
            except Exception as error:
                if is_unique_violation(error):
                    raise Conflict(
                        "Avklaringen ble skrevet samtidig av noen andre. Last siden på nytt."
                    ) from error
                raise
            version = 1
        else:
            if seen != existing["version"]:
                raise Conflict(
                    "Avklaringen er endret av noen andre siden du åpnet den. Last siden på nytt "
                    "og legg inn endringene dine igjen."
                )
            version = int(existing["version"]) + 1
            updated = await (
                Clarification.update({**fields, Clarification.version: version})
                .where(
                    (Clarification.id == existing["id"])
                    & (Clarification.version == existing["version"])
                )
                .returning(Clarification.id)
            )
            if not updated:
                raise Conflict("Avklaringen ble endret samtidig av noen andre. Last siden på nytt.")
        await audit.record(
            actor,
            AuditAction.UPDATE if existing else AuditAction.CREATE,
            "clarification",
            referral_id,
            purpose=PURPOSE,
            patient_id=await referrals.patient_of(referral_id),
            referral_id=referral_id,
        )
    return ClarificationUpdate(
        summary=data.summary.strip(),
        coping_plan=data.coping_plan.strip(),
        work_recommendations=data.work_recommendations.strip(),
        follow_up=data.follow_up.strip(),
        version=version,
    )
