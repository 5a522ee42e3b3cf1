"""Which health messages a user may see: one rule for the list, one message and «Send igjen»."""

from __future__ import annotations

from typing import Any

from piccolo.columns.combination import WhereRaw

from helseiarbeid.clinics import services as clinics
from helseiarbeid.core.roles import CLINIC_STAFF
from helseiarbeid.core.users import CurrentUser
from helseiarbeid.messaging.tables import HealthMessage

# A message about a referral belongs to the clinic that has the referral now (it follows a
# forwarded referral); one without a referral (rejected) to the clinic it was addressed to.
_OWNER = (
    "COALESCE((SELECT r.clinic FROM referral r WHERE r.id = health_message.referral), "
    "health_message.clinic)"
)


def visible_to(user: CurrentUser) -> Any:
    """A where-clause: clinic staff see the messages of the clinics they work for (issue 15),
    those about a referral by where the referral is now; the administrator every message,
    also those no clinic's HER-id reached."""
    if user.role in CLINIC_STAFF:
        member = clinics.member_of(_OWNER, user.id)
        return WhereRaw(member.template, *member.args)
    return HealthMessage.id.is_not_null()
