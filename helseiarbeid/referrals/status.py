"""The referral's status machine, shared by the referrals and clinic domains.

received → under_assessment → accepted | returned; accepted → in_progress → completed;
withdrawn only from received (by the referring GP).
"""

from __future__ import annotations

import enum

from helseiarbeid.core.labels import REFERRAL_STATUS_LABELS


class Status(enum.StrEnum):
    RECEIVED = "received"
    UNDER_ASSESSMENT = "under_assessment"
    ACCEPTED = "accepted"
    RETURNED = "returned"
    IN_PROGRESS = "in_progress"
    COMPLETED = "completed"
    WITHDRAWN = "withdrawn"

    @property
    def label(self) -> str:
        return STATUS_LABELS[self]


STATUS_LABELS: dict[Status, str] = {
    status: REFERRAL_STATUS_LABELS[status.value] for status in Status
}

TRANSITIONS: dict[Status, frozenset[Status]] = {
    Status.RECEIVED: frozenset({Status.UNDER_ASSESSMENT, Status.WITHDRAWN}),
    Status.UNDER_ASSESSMENT: frozenset({Status.ACCEPTED, Status.RETURNED}),
    Status.ACCEPTED: frozenset({Status.IN_PROGRESS}),
    Status.IN_PROGRESS: frozenset({Status.COMPLETED}),
    Status.RETURNED: frozenset(),
    Status.COMPLETED: frozenset(),
    Status.WITHDRAWN: frozenset(),
}

# Referrals the clinic still has to assess: the 10-working-day deadline applies to these.
AWAITING_ASSESSMENT = frozenset({Status.RECEIVED, Status.UNDER_ASSESSMENT})
# Cases the team still works on; the rest have ended.
OPEN = frozenset({Status.RECEIVED, Status.UNDER_ASSESSMENT, Status.ACCEPTED, Status.IN_PROGRESS})
# The predicate of the partial index referral_open_due (see its migration), written out as a
# constant: open cases all carry recent deadlines, so without it PostgreSQL walks the whole
# deadline index from the oldest ended case, and a parameter would hide the index from
# generic plans.
OPEN_SQL = "status IN ('received', 'under_assessment', 'accepted', 'in_progress')"


def can_move(current: Status, target: Status) -> bool:
    return target in TRANSITIONS[current]


def allowed_from(current: Status) -> list[Status]:
    return sorted(TRANSITIONS[current], key=list(Status).index)


def refusal(current: Status, target: Status) -> str:
    """Why a change is refused, naming the changes that are allowed from here."""
    allowed = ", ".join(status.label.lower() for status in allowed_from(current)) or "ingen"
    return (
        f"Kan ikke endre status fra «{current.label.lower()}» til «{target.label.lower()}». "
        f"Tillatt herfra: {allowed}."
    )
