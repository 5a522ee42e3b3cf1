"""A second clinic («Finnmark») with its own staff, beside the cast's default clinic."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from helseiarbeid.clinics import services as clinics
from helseiarbeid.core import users
from helseiarbeid.core.audit import Actor
from helseiarbeid.core.roles import Role
from helseiarbeid.core.users import CurrentUser
from tests.cast import Cast
from tests.clinic_track.conftest import pathway  # noqa: F401 - the clinic tests' case fixture

# Clinic B's staff: one person per clinic role (fictitious).
OTHER_STAFF: dict[str, tuple[str, Role, str | None]] = {
    "berit": ("Berit Koordinator", Role.COORDINATOR, None),
    "paal": ("Pål Psykolog", Role.PSYCHOLOGIST, "4567891"),
    "fredrik": ("Fredrik Fysikalsk", Role.PHYSICIAN, "5678912"),
    "nina": ("Nina NAV", Role.NAV_COUNSELLOR, None),
}


@dataclass
class OtherClinic:
    id: int
    slug: str
    staff: dict[str, CurrentUser]


def admin_actor(cast: Cast) -> Actor:
    return Actor(user_id=cast["ada"].id, role=Role.ADMIN.value, client="test")


@pytest.fixture
async def other_clinic(cast: Cast) -> OtherClinic:
    actor = admin_actor(cast)
    clinic_id = await clinics.create_clinic(
        actor, name="HelseIArbeid Finnmark", slug="finnmark", opening_hours="Man–fre 8–15"
    )
    await clinics.add_municipality(actor, "finnmark", number="5601", name="Alta")
    await clinics.add_her_id(actor, "finnmark", "8123456")
    staff = {}
    for key, (name, role, hpr) in OTHER_STAFF.items():
        person = await users.create_user(
            email=f"{key}@test.example",
            name=name,
            role=role,
            password=None,
            hpr_number=hpr,
            workplace_name="Klinikk Finnmark",
        )
        await clinics.add_member(actor, "finnmark", person.id)
        staff[key] = person
    return OtherClinic(clinic_id, "finnmark", staff)
