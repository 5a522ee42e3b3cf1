"""Who may see a case's health information: the one rule every page and endpoint that shows it
goes through, the patient's consent to NAV taking part, who is on a case, and a clinician's
recorded reason to open one outside the open queue.

The rule (DOMAIN.md «Who may see what»; helsepersonelloven § 21a, pasientjournalloven § 19 —
«tjenstlig behov»):

- First, the clinic (issue 15): clinic staff see only referrals of the clinics they work for
  (``visible_to``; ``clinics.services.member_of``). Another clinic's referral does not exist
  for them: 404, never 403, and the refused attempt is in the access log. Every read and
  every team write by referral id passes ``require_access`` or ``reading._load``, and every
  list filters by ``visible_to``, so the separation lives here and nowhere else.
- The referring GP: their own referrals, whichever clinic has them (``visible_to``).
- The NAV counsellor (not health personnel): health text only while the patient's consent to
  NAV taking part is recorded and not withdrawn, and only for cases in the team's open queue
  (received, under assessment, accepted, in progress) or cases they are on. Otherwise the
  worklist shows the case without health text and every other read is refused (403).
- Coordinator, psychologist, physician: cases in the open queue or that they are on; any other
  case after they record a reason, which opens it to them for ``REASONED_ACCESS`` and is
  audited as «tjenstlig behov: …».

«On a case» (assigned): the responsible person, anyone booked to one of its consultations, and
anyone who has worked on it (``join_case``). Every refusal is in the access log as refused.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any, NoReturn

from piccolo.columns.combination import WhereRaw
from piccolo.querystring import QueryString

from helseiarbeid.clinics import services as clinics
from helseiarbeid.core import audit
from helseiarbeid.core.audit import Actor, AuditAction
from helseiarbeid.core.clock import today_in_oslo, utcnow
from helseiarbeid.core.database import for_update, in_own_transaction, write_transaction
from helseiarbeid.core.errors import Conflict, Forbidden, InvalidInput, NotFound
from helseiarbeid.core.roles import CLINIC_STAFF, Role
from helseiarbeid.core.users import CurrentUser
from helseiarbeid.referrals.schemas import (
    HealthAccess,
    NavConsent,
    NavConsentEventOut,
    NavConsentSource,
)
from helseiarbeid.referrals.status import OPEN, OPEN_SQL, Status
from helseiarbeid.referrals.tables import CaseMember, NavConsentEvent, ReasonedAccess, Referral

# How long a recorded reason opens a case to the clinician who gave it.
REASONED_ACCESS = timedelta(hours=8)
MIN_REASON = 10
MAX_REASON = 500
REASON_PREFIX = "tjenstlig behov: "


class ReasonNeeded(Forbidden):
    """403: a clinician outside the open queue and their cases; a recorded reason opens it."""

    def __init__(self, referral_id: int) -> None:
        super().__init__(
            "Saken er ikke i teamets åpne kø, og du er ikke tildelt den. For å åpne den må du "
            "oppgi tjenstlig behov (en begrunnelse, som logges): på siden "
            f"/klinikk/henvisninger/{referral_id}/tilgang, eller med POST "
            f"/api/v1/referrals/{referral_id}/access-reason og feltet «reason»."
        )
        self.referral_id = referral_id


NAV_WITHOUT_CONSENT = (
    "Pasientens samtykke til at NAV deltar er ikke registrert, eller er trukket tilbake. "
    "NAV-veilederen ser da ikke helseopplysninger i saken."
)
NAV_NOT_ON_CASE = (
    "Saken er ikke i teamets åpne kø, og du er ikke tildelt den. NAV-veilederen ser bare "
    "helseopplysninger i åpne saker og i saker en er tildelt."
)


@dataclass(frozen=True)
class Decision:
    """What ``user`` may see of one case, and why: the audit purpose of a read it allows, or
    the refusal's message and audit purpose."""

    access: HealthAccess
    purpose: str  # of the read it allows, for the access log
    refusal: str = ""  # why it is refused, for the access log
    message: str = ""  # why it is refused, for the user


def _decide(
    user: CurrentUser,
    *,
    status: Status,
    nav_consent: NavConsent,
    assigned: bool,
    reason: str | None,
) -> Decision:
    """The rule, from what ``access_columns`` read with the referral's row."""
    in_queue = status in OPEN
    if user.role is Role.GP:
        return Decision(HealthAccess.FULL, "fastlege følger opp egen henvisning")
    if user.role is Role.NAV_COUNSELLOR:
        if nav_consent is not NavConsent.GIVEN:
            return Decision(
                HealthAccess.NO_HEALTH_TEXT,
                "",
                "NAV uten registrert samtykke fra pasienten",
                NAV_WITHOUT_CONSENT,
            )
        if not (in_queue or assigned):
            return Decision(
                HealthAccess.NO_HEALTH_TEXT,
                "",
                "NAV: sak utenfor åpen kø og ikke tildelt",
                NAV_NOT_ON_CASE,
            )
        return Decision(HealthAccess.FULL, "behandling av henvisning i HelseIArbeid-teamet")
    if user.role in CLINIC_STAFF:
        if in_queue or assigned:
            return Decision(HealthAccess.FULL, "behandling av henvisning i HelseIArbeid-teamet")
        if reason is not None:
            return Decision(HealthAccess.FULL, REASON_PREFIX + reason)
        return Decision(
            HealthAccess.REASON_NEEDED, "", "sak utenfor åpen kø og ikke tildelt, uten begrunnelse"
        )
    return Decision(
        HealthAccess.NO_HEALTH_TEXT,
        "",
        "rolle uten tilgang til helseopplysninger",
        "Du har ikke tilgang til helseopplysningene i denne saken.",
    )


NOT_FOUND = "Henvisningen finnes ikke."
OTHER_CLINIC = "henvisning utenfor brukerens tilgang"


def visible_to(user: CurrentUser) -> Any:
    """Which referrals exist for ``user``, as a WHERE condition on ``referral``: a GP their
    own (whichever clinic has them), clinic staff those of the clinics they work for
    (``clinic_membership``), nobody else any (NotFound)."""
    if user.role is Role.GP:
        return Referral.gp == user.id
    if user.role in CLINIC_STAFF:
        member = clinics.member_of("referral.clinic", user.id)
        return WhereRaw(member.template, *member.args)
    raise NotFound(NOT_FOUND)


async def refuse_unseen(actor: Actor, referral_id: int) -> NoReturn:
    """A referral id the user may not know of (another clinic's, another GP's, or none):
    the attempt is logged (with the patient when the referral exists) in a transaction of its
    own (``audit_refusal``), and NotFound raised — the same answer as for a referral that
    does not exist."""
    owner = await Referral.select(Referral.patient).where(Referral.id == referral_id).first()
    await audit_refusal(actor, referral_id, owner["patient"] if owner else None, OTHER_CLINIC)
    raise NotFound(NOT_FOUND)


async def require_visible(user: CurrentUser, actor: Actor, referral_id: int) -> None:
    """Nothing if the referral exists for ``user`` (``visible_to``); else the attempt is
    logged and NotFound raised (``refuse_unseen``). For pages that show no health text but
    must not confirm that another clinic's referral exists."""
    seen = await Referral.exists().where((Referral.id == referral_id) & visible_to(user))
    if not seen:
        await refuse_unseen(actor, referral_id)


def access_columns(user: CurrentUser) -> list[QueryString]:
    """Columns to select with ``referral`` rows so ``decide`` needs no further query:
    ``on_case`` (1 when the user is responsible or a member) and ``reasoned_for`` (the
    user's latest unexpired reason, or NULL). Two correlated subqueries on indexed columns."""
    return [
        QueryString(
            "CASE WHEN referral.responsible = {} OR EXISTS (SELECT 1 FROM referral_case_member m "
            "WHERE m.referral = referral.id AND m.member = {}) THEN 1 ELSE 0 END",
            user.id,
            user.id,
        ).as_alias("on_case"),
        QueryString(
            "(SELECT g.reason FROM referral_reasoned_access g WHERE g.referral = referral.id "
            "AND g.member = {} AND g.expires_at > {} ORDER BY g.expires_at DESC LIMIT 1)",
            user.id,
            utcnow(),
        ).as_alias("reasoned_for"),
    ]


def nav_readable(user: CurrentUser) -> Any:
    """``decide``'s rule for the NAV counsellor as a WHERE condition on ``referral``, for
    lists: consent given, and the case open or the counsellor on it."""
    return (Referral.nav_consent == NavConsent.GIVEN.value) & WhereRaw(
        f"({OPEN_SQL} OR referral.responsible = {{}} OR EXISTS (SELECT 1 FROM "  # noqa: S608
        "referral_case_member m WHERE m.referral = referral.id AND m.member = {}))",
        user.id,
        user.id,
    )


def decide(user: CurrentUser, row: dict[str, Any]) -> Decision:
    """The decision for a referral row selected with ``status``, ``nav_consent`` and
    ``access_columns(user)``."""
    return _decide(
        user,
        status=Status(row["status"]),
        nav_consent=NavConsent(row["nav_consent"]),
        assigned=bool(row["on_case"]),
        reason=row["reasoned_for"],
    )


async def audit_refusal(
    actor: Actor, referral_id: int, patient_id: int | None, purpose: str
) -> None:
    """The access log's row of a refused read of a referral (``patient_id`` None and no
    referral named when the referral does not exist). Written in a transaction of its own,
    after the caller's when one is open (``database.in_own_transaction``): the refusal is
    raised through the caller's transaction and rolls it back, and the row must outlive it
    (the patient's access report shows who tried, issue 12 §6)."""

    async def write() -> None:
        await audit.record(
            actor,
            AuditAction.REFUSED,
            "referral",
            referral_id,
            purpose=purpose,
            patient_id=patient_id,
            referral_id=referral_id if patient_id is not None else None,
        )

    await in_own_transaction(write)


async def refuse(actor: Actor, referral_id: int, patient_id: int, decision: Decision) -> None:
    """Log the refused read and raise the 403 that says what is needed. The access log's row
    is written in a transaction of its own (``audit_refusal``), so it stays when the refusal
    rolls back a caller's transaction."""
    await audit_refusal(actor, referral_id, patient_id, decision.refusal)
    if decision.access is HealthAccess.REASON_NEEDED:
        raise ReasonNeeded(referral_id)
    raise Forbidden(decision.message)


async def require_access(
    user: CurrentUser, actor: Actor, referral_id: int, *, writing: bool = False
) -> Decision:
    """The decision for one case if it gives full access; else the refusal is logged and 403
    raised (``ReasonNeeded`` for a clinician who may give a reason). NotFound for a referral
    that does not exist. For the team's writes (``writing``), which must not reach a case its
    author may not read: a case that has left the open queue is let through to the write's
    own status rule, which refuses changes to an ended case (409), so a clinician gets that
    answer rather than a request for a reason."""
    condition = Referral.id == referral_id
    if user.role is Role.GP or user.role in CLINIC_STAFF:
        condition &= visible_to(user)
    row = await (
        Referral.select(
            Referral.status, Referral.nav_consent, Referral.patient, *access_columns(user)
        )
        .where(condition)
        .first()
    )
    if row is None:
        await refuse_unseen(actor, referral_id)
    decision = decide(user, row)
    ended = Status(row["status"]) not in OPEN
    if decision.access is HealthAccess.REASON_NEEDED and writing and ended:
        return decision
    if decision.access is not HealthAccess.FULL:
        await refuse(actor, referral_id, row["patient"], decision)
    return decision


async def join_case(referral_id: int, user_ids: Iterable[int | None]) -> None:
    """Put people on a case (they worked on it, or were booked to a consultation of it);
    those already on it stay as they were. Runs inside the caller's transaction, before its
    audit rows: on PostgreSQL the referral row is locked first, so the share locks the new
    rows' foreign keys take cannot deadlock two changes of one case, and the access log's
    chain head stays the last lock a change takes."""
    now = utcnow()
    members = sorted({user_id for user_id in user_ids if user_id is not None})
    if members:
        await for_update(Referral.select(Referral.id).where(Referral.id == referral_id))
        await CaseMember.insert(
            *[CaseMember(referral=referral_id, member=member, since=now) for member in members]
        ).on_conflict(action="DO NOTHING")


async def record_reason(user: CurrentUser, actor: Actor, referral_id: int, reason: str) -> datetime:
    """A clinician's reason («tjenstlig behov») to open a case outside the open queue and their
    cases: stored, audited as «tjenstlig behov: …», and the case open to them until the time
    returned (``REASONED_ACCESS``). 422 for a reason shorter than ``MIN_REASON`` characters
    or longer than ``MAX_REASON``; 403 for the NAV counsellor, who is not health personnel;
    404 for an unknown referral or another clinic's (audited)."""
    if user.role not in CLINIC_STAFF or user.role is Role.NAV_COUNSELLOR:
        raise Forbidden("Bare helsepersonell og koordinator kan oppgi tjenstlig behov.")
    text = " ".join(reason.split())
    if len(text) < MIN_REASON:
        raise InvalidInput({"reason": f"Skriv hvorfor du trenger saken (minst {MIN_REASON} tegn)."})
    if len(text) > MAX_REASON:
        raise InvalidInput({"reason": f"Begrunnelsen kan være høyst {MAX_REASON} tegn."})
    now = utcnow()
    seen = await (
        Referral.select(Referral.id).where((Referral.id == referral_id) & visible_to(user)).first()
    )
    if seen is None:
        await refuse_unseen(actor, referral_id)
    async with write_transaction():
        row = await Referral.select(Referral.patient).where(Referral.id == referral_id).first()
        if row is None:
            raise NotFound(NOT_FOUND)
        rows = await ReasonedAccess.insert(
            ReasonedAccess(
                referral=referral_id,
                member=user.id,
                reason=text,
                granted_at=now,
                expires_at=now + REASONED_ACCESS,
            )
        )
        await audit.record(
            actor,
            AuditAction.CREATE,
            "referral_reasoned_access",
            rows[0]["id"],
            purpose=REASON_PREFIX + text,
            patient_id=row["patient"],
            referral_id=referral_id,
        )
    return now + REASONED_ACCESS


def initial_consent(carried: bool) -> dict[str, Any]:
    """The consent columns of a new referral: ``carried`` says whether it came with the
    patient's consent to NAV taking part (the GP's form and API require it). A referral
    without it (an electronic message) is «not recorded» until the clinic records it. Use
    with ``record_consent_on_referral`` in the same transaction when ``carried``."""
    return {
        "consent_nav_participation": carried,
        "nav_consent": (NavConsent.GIVEN if carried else NavConsent.NOT_RECORDED).value,
    }


async def record_consent_on_referral(referral_id: int, received_on: date, gp_id: int) -> None:
    """The history's first event for a referral that carried the consent: given on the day
    of receipt, on the GP's referral. Runs inside the caller's transaction."""
    await NavConsentEvent.insert(
        NavConsentEvent(
            referral=referral_id,
            state=NavConsent.GIVEN.value,
            effective_on=received_on,
            source=NavConsentSource.REFERRAL.value,
            note="",
            recorded_by=gp_id,
            recorded_at=utcnow(),
        )
    )


async def change_consent(
    user: CurrentUser,
    actor: Actor,
    referral_id: int,
    state: NavConsent,
    effective_on: date,
    note: str = "",
) -> None:
    """The clinic records that the patient withdrew (``withdrawn``) or gave again (``given``)
    the consent to NAV taking part. Stored as an event with the date, the person and the
    note; audited. From then on NAV's access follows the new state.

    403 for the NAV counsellor and for a case the user may not read; 422 for another state,
    a date in the future or before the previous change, or a note over 500 characters; 409
    when the consent already is in that state (withdrawing consent that was never given
    included).
    """
    if user.role not in CLINIC_STAFF or user.role is Role.NAV_COUNSELLOR:
        raise Forbidden("Bare koordinator og behandlere kan registrere samtykke.")
    if state not in (NavConsent.GIVEN, NavConsent.WITHDRAWN):
        raise InvalidInput({"state": "Velg «given» (gitt) eller «withdrawn» (trukket tilbake)."})
    if effective_on > today_in_oslo():
        raise InvalidInput({"effective_on": "Datoen kan ikke være fram i tid."})
    note = note.strip()
    if len(note) > MAX_REASON:
        raise InvalidInput({"note": f"Merknaden kan være høyst {MAX_REASON} tegn."})
    await require_access(user, actor, referral_id)
    async with write_transaction():
        query = Referral.select(Referral.nav_consent, Referral.patient).where(
            Referral.id == referral_id
        )
        row = await for_update(query).first()
        current = NavConsent(row["nav_consent"])
        if state is NavConsent.WITHDRAWN and current is not NavConsent.GIVEN:
            raise Conflict(
                f"Samtykket er «{current.label.lower()}»; bare et gitt samtykke kan trekkes "
                "tilbake."
            )
        if state is NavConsent.GIVEN and current is NavConsent.GIVEN:
            raise Conflict("Samtykket er allerede registrert som gitt.")
        latest = await (
            NavConsentEvent.select(NavConsentEvent.effective_on)
            .where(NavConsentEvent.referral == referral_id)
            .order_by(NavConsentEvent.effective_on, ascending=False)
            .first()
        )
        if latest is not None and effective_on < latest["effective_on"]:
            # The history is read in date order: an earlier date would put this change
            # before the one it answers, and the current state would no longer be the last.
            raise InvalidInput(
                {
                    "effective_on": "Datoen kan ikke være før forrige endring av samtykket "
                    f"({latest['effective_on']:%d.%m.%Y})."
                }
            )
        await NavConsentEvent.insert(
            NavConsentEvent(
                referral=referral_id,
                state=state.value,
                effective_on=effective_on,
                source=NavConsentSource.CLINIC.value,
                note=note,
                recorded_by=user.id,
                recorded_at=utcnow(),
            )
        )
        await Referral.update({Referral.nav_consent: state.value}).where(Referral.id == referral_id)
        await join_case(referral_id, [user.id])
        what = "trukket tilbake" if state is NavConsent.WITHDRAWN else "gitt på nytt"
        await audit.record(
            actor,
            AuditAction.UPDATE,
            "referral_nav_consent",
            referral_id,
            purpose=f"samtykke til NAV-deltakelse {what} {effective_on.isoformat()}",
            patient_id=row["patient"],
            referral_id=referral_id,
        )


async def consent_history(referral_ids: list[int]) -> dict[int, list[NavConsentEventOut]]:
    """The consent events of cases the caller may already read, oldest first, by case."""
    if not referral_ids:
        return {}
    rows = await (
        NavConsentEvent.select(*NavConsentEvent.all_columns(), NavConsentEvent.recorded_by.name)
        .where(NavConsentEvent.referral.is_in(referral_ids))
        .order_by(NavConsentEvent.id)
    )
    history: dict[int, list[NavConsentEventOut]] = {}
    for row in rows:
        source = NavConsentSource(row["source"])
        history.setdefault(row["referral"], []).append(
            NavConsentEventOut(
                state=NavConsent(row["state"]),
                effective_on=row["effective_on"],
                source=source,
                note=row["note"],
                recorded_by=row["recorded_by.name"]
                or ("Fastlegen" if source is NavConsentSource.REFERRAL else "Systemet"),
                recorded_at=row["recorded_at"],
            )
        )
    return history
