"""A clinic forwards a referral to another clinic (issue 15 §2): with a reason, a history entry
the GP sees on the referral, an audit row and a mail to the GP (no health text). From then on
the referral is the other clinic's: the first clinic's staff no longer find it
(``access.visible_to``), so they see none of its health text."""

from __future__ import annotations

from helseiarbeid.clinics import services as clinics
from helseiarbeid.core import audit, outbox
from helseiarbeid.core.audit import Actor, AuditAction
from helseiarbeid.core.clock import utcnow
from helseiarbeid.core.database import for_update, write_transaction
from helseiarbeid.core.errors import Conflict, Forbidden, InvalidInput, NotFound
from helseiarbeid.core.roles import Role
from helseiarbeid.core.tables import User
from helseiarbeid.core.users import CurrentUser
from helseiarbeid.referrals.services.access import require_access
from helseiarbeid.referrals.services.status_changes import record_event
from helseiarbeid.referrals.status import OPEN, Status
from helseiarbeid.referrals.tables import Referral

MIN_REASON = 10
MAX_REASON = 500
FORWARDERS = frozenset({Role.COORDINATOR, Role.PSYCHOLOGIST, Role.PHYSICIAN})


async def forward(
    user: CurrentUser, actor: Actor, referral_id: int, *, to_clinic: str, reason: str
) -> str:
    """Move an open referral to the clinic with short name ``to_clinic``; returns that
    clinic's name. The responsible person is cleared (the new clinic's coordinator sets one);
    the deadline stays, as the patient's right runs from the first receipt.

    403 for the NAV counsellor and other roles; 404 for a referral the user does not see
    (another clinic's: audited); 409 for a case no longer open; 422 on «reason» (10–500
    characters) or «clinic» (unknown, or the clinic that has it)."""
    if user.role not in FORWARDERS:
        raise Forbidden("Bare koordinator og behandlere kan videresende en henvisning.")
    await require_access(user, actor, referral_id, writing=True)
    text = " ".join(reason.split())
    problems = {}
    if len(text) < MIN_REASON:
        problems["reason"] = f"Skriv hvorfor henvisningen videresendes (minst {MIN_REASON} tegn)."
    elif len(text) > MAX_REASON:
        problems["reason"] = f"Begrunnelsen kan være høyst {MAX_REASON} tegn."
    target: int | None = None
    try:
        target = await clinics.clinic_by_slug(to_clinic.strip())
    except NotFound:
        problems["clinic"] = "Velg en av klinikkene i listen."
    if problems:
        raise InvalidInput(problems)
    assert target is not None  # noqa: S101 - set when there were no problems
    async with write_transaction():
        row = await for_update(
            Referral.select(
                Referral.clinic, Referral.status, Referral.patient, Referral.reference, Referral.gp
            ).where(Referral.id == referral_id)
        ).first()
        status = Status(row["status"])
        if status not in OPEN:
            raise Conflict(f"Saken er «{status.label.lower()}»; bare åpne saker kan videresendes.")
        if row["clinic"] == target:
            raise InvalidInput({"clinic": "Henvisningen er allerede hos denne klinikken."})
        source = await clinics.clinic_name(row["clinic"])
        name = await clinics.clinic_name(target)
        await Referral.update(
            {Referral.clinic: target, Referral.responsible: None, Referral.updated_at: utcnow()}
        ).where(Referral.id == referral_id)
        await record_event(actor, referral_id, f"Videresendt fra {source} til {name}: {text}")
        await audit.record(
            actor,
            AuditAction.UPDATE,
            "referral_clinic",
            referral_id,
            purpose=f"henvisning videresendt fra {source} til {name}",
            patient_id=row["patient"],
            referral_id=referral_id,
        )
        gp = await User.select(User.email).where(User.id == row["gp"]).first()
        if gp is not None and gp["email"]:
            await outbox.enqueue(
                "mail",
                (str(gp["email"]),),
                f"HelseIArbeid: henvisning {row['reference']} er videresendt",
                f"Henvisning {row['reference']} er videresendt fra {source} til {name}.\n\n"
                "Begrunnelsen står i henvisningens historikk i HelseIArbeid.\n",
            )
    return name
