"""Status changes of a referral through the status machine (``referrals.status``), with its
history, the optimistic version check, events in the history, withdrawal by the GP, waiting
times and the responsible team member. Each change runs inside the caller's transaction and is
audited.
"""

from __future__ import annotations

from datetime import datetime

from helseiarbeid.clinics import services as clinics
from helseiarbeid.core import audit
from helseiarbeid.core.audit import Actor, AuditAction
from helseiarbeid.core.clock import utcnow
from helseiarbeid.core.database import for_update, write_transaction
from helseiarbeid.core.errors import Conflict, InvalidInput, NotFound
from helseiarbeid.core.roles import CLINIC_STAFF, Role
from helseiarbeid.core.tables import User
from helseiarbeid.core.users import CurrentUser
from helseiarbeid.referrals.services.access import join_case, require_access
from helseiarbeid.referrals.status import OPEN, Status, can_move, refusal
from helseiarbeid.referrals.tables import Referral, StatusChange


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


async def clinic_of(referral_id: int) -> int | None:
    """The id of the clinic the referral belongs to now; None for no such referral."""
    row = await Referral.select(Referral.clinic).where(Referral.id == referral_id).first()
    return None if row is None else row["clinic"]


async def status_of(referral_id: int, *, lock: bool = False) -> Status:
    """The referral's status. With ``lock`` (inside a write transaction) the row stays locked
    until the transaction ends, so a decision taken on the status cannot be overtaken."""
    query = Referral.select(Referral.status).where(Referral.id == referral_id)
    row = await (for_update(query) if lock else query).first()
    if row is None:
        raise NotFound("Henvisningen finnes ikke.")
    return Status(row["status"])


async def assign_responsible(
    user: CurrentUser, actor: Actor, referral_id: int, staff_id: int | None
) -> None:
    """The coordinator sets who follows the case: someone working for the referral's clinic.
    404 for another clinic's case (audited), 409 for a case no longer open, 422 for someone
    outside the clinic's team."""
    await require_access(user, actor, referral_id, writing=True)
    async with write_transaction():
        status = await status_of(referral_id, lock=True)
        if status not in OPEN:
            raise Conflict(
                f"Saken er «{status.label.lower()}»; ansvarlig kan bare settes på åpne saker."
            )
        patient_id = await patient_of(referral_id)
        if staff_id is not None:
            staff = await User.select(User.role).where(User.id == staff_id).first()
            clinic = (
                await Referral.select(Referral.clinic).where(Referral.id == referral_id).first()
            )
            if (
                staff is None
                or Role(staff["role"]) not in CLINIC_STAFF
                or not await clinics.is_member(staff_id, clinic["clinic"] if clinic else None)
            ):
                raise InvalidInput({"responsible": "Velg en i HelseIArbeid-teamet."})
        await Referral.update(
            {Referral.responsible: staff_id, Referral.updated_at: utcnow()}
        ).where(Referral.id == referral_id)
        await join_case(referral_id, [actor.user_id])
        await audit.record(
            actor,
            AuditAction.UPDATE,
            "referral_responsible",
            referral_id,
            purpose="ansvarlig i teamet satt",
            patient_id=patient_id,
            referral_id=referral_id,
        )
