"""What the clinic team's service modules share: the audit purpose of the team's work, the statuses
in which the team works on a case, locking a case's status for a change, and the address of a
stored letter or report.
"""

from __future__ import annotations

from helseiarbeid.core.audit import Actor
from helseiarbeid.core.errors import Conflict
from helseiarbeid.core.users import CurrentUser
from helseiarbeid.referrals import services as referrals
from helseiarbeid.referrals.schemas import ReferralOut
from helseiarbeid.referrals.status import Status

# Where the team works on a case once it is accepted.
ACTIVE = frozenset({Status.ACCEPTED, Status.IN_PROGRESS})
PURPOSE = "behandling av henvisning i HelseIArbeid-teamet"


def _require_status(current: Status, allowed: frozenset[Status], action: str) -> None:
    if current not in allowed:
        names = ", ".join(sorted(status.label.lower() for status in allowed))
        raise Conflict(
            f"Kan ikke {action} når henvisningen er «{current.label.lower()}». "
            f"Det går når den er: {names}."
        )


async def _lock_case(referral_id: int, allowed: frozenset[Status], action: str) -> Status:
    """The case's status, its row locked until the transaction ends, if ``action`` is allowed
    in it (409 otherwise). Every change the team makes to a case starts here, so nothing
    changes a closed case and no decision is taken on a status that is being changed."""
    current = await referrals.status_of(referral_id, lock=True)
    _require_status(current, allowed, action)
    return current


async def _case_to_change(
    user: CurrentUser, actor: Actor, referral_id: int, allowed: frozenset[Status], action: str
) -> ReferralOut:
    """The referral, read (and audited) to render a letter before a change, if ``action`` is
    allowed in its status now (409 first, so an ended case answers with its status rule, not
    with a request for a reason to read it; another clinic's case is 404 before that). The
    change itself locks and checks again."""
    await referrals.require_access(user, actor, referral_id, writing=True)
    _require_status(await referrals.status_of(referral_id), allowed, action)
    return await referrals.get_referral(user, actor, referral_id)


def _document_url(referral_id: int, document_id: int) -> str:
    return f"/api/v1/referrals/{referral_id}/documents/{document_id}"
