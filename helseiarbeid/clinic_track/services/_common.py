"""What the clinic team's service modules share: the audit purpose of the team's work, the statuses
in which the team works on a case, locking a case's status for a change, and the address of a
stored letter or report.
"""

from __future__ import annotations

from helseiarbeid.core.errors import Conflict
from helseiarbeid.referrals import services as referrals
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


def _document_url(referral_id: int, document_id: int) -> str:
    return f"/api/v1/referrals/{referral_id}/documents/{document_id}"
