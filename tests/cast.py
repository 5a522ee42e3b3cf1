"""The named cast of the tests: one person per role, plus a second GP, reused everywhere.

    gp_anne, gp_bjorn       two GPs (Bjørn must never see Anne's referrals)
    kari                    clinic coordinator
    per, frida, nils        psychologist, physical-medicine physician, NAV counsellor
    erik                    contact person of an enterprise
    ada                     administrator / privacy officer
    stine                   national statistics (aggregates only)

The coordinator and the team work for the default NAV region (regions' migration).

The clinic staff (Kari, Per, Frida, Nils) are members of the default clinic, the one the
migration makes from the settings (``default_clinic``).

All identities are fictitious. Everyone's password is PASSWORD. The roles that need a second
factor (core/totp.py: everyone but the GPs and Erik) are enrolled with their demo
authenticator, as seed-demo does; ``second_factor_code`` gives the code a login asks for.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

import httpx

from helseiarbeid.clinics import services as clinics
from helseiarbeid.clinics.tables import ClinicMembership
from helseiarbeid.core import sessions, tokens, totp, users
from helseiarbeid.core.clock import utcnow
from helseiarbeid.core.passwords import hash_password
from helseiarbeid.core.roles import CLINIC_STAFF, Role
from helseiarbeid.core.tables import User
from helseiarbeid.core.users import CurrentUser
from helseiarbeid.regions import services as regions

PASSWORD = "riktig-hest-batteri-stift"

PEOPLE: dict[str, tuple[str, Role, str | None]] = {
    "gp_anne": ("Anne Allmennlege", Role.GP, "1234567"),
    "gp_bjorn": ("Bjørn Bakke", Role.GP, "7654321"),
    "kari": ("Kari Koordinator", Role.COORDINATOR, None),
    "per": ("Per Psykolog", Role.PSYCHOLOGIST, "2345678"),
    "frida": ("Frida Fysikalsk", Role.PHYSICIAN, "3456789"),
    "nils": ("Nils NAV", Role.NAV_COUNSELLOR, None),
    "erik": ("Erik Eier", Role.ENTERPRISE_CONTACT, None),
    "ada": ("Ada Admin", Role.ADMIN, None),
    "msh": ("Meldingsmottak", Role.MESSAGING, None),
    "stine": ("Stine Statistikk", Role.STATISTICS, None),
}

ROLE_REPRESENTATIVE: dict[Role, str] = {role: key for key, (_, role, _) in reversed(PEOPLE.items())}


@lru_cache(maxsize=1)
def _password_hash() -> str:
    """Hashed once per run: argon2 at production cost is too slow to repeat for every user."""
    return hash_password(PASSWORD)


@dataclass
class Cast:
    people: dict[str, CurrentUser]

    def __getitem__(self, key: str) -> CurrentUser:
        return self.people[key]

    def by_role(self, role: Role) -> CurrentUser:
        return self.people[ROLE_REPRESENTATIVE[role]]


async def default_clinic() -> int:
    """The id of the clinic the migration made (the cast's clinic)."""
    clinic_id = await clinics.default_clinic_id()
    assert clinic_id is not None, "the migration makes the first clinic"
    return clinic_id


async def create_cast() -> Cast:
    people = {}
    clinic_id = await default_clinic()
    for key, (name, role, hpr) in PEOPLE.items():
        person = await users.create_user(
            email=f"{key}@test.example",
            name=name,
            role=role,
            password=None,
            hpr_number=hpr,
            workplace_name=f"{name}s arbeidssted",
        )
        await User.update({User.password_hash: _password_hash()}).where(User.id == person.id)
        if totp.required_for(role):
            await totp.enrol_demo(person.id, person.email)
        if role in CLINIC_STAFF:
            await ClinicMembership.insert(
                ClinicMembership(clinic=clinic_id, member=person.id, since=utcnow())
            )
        if role in regions.MEMBER_ROLES:
            # The migration's default region, as on an installation with one region.
            await regions.add_member(person.id, await regions.default_region_id())
        people[key] = person
    return Cast(people)


async def sign_in(client: httpx.AsyncClient, user: CurrentUser) -> None:
    """Give the client a live session cookie for the user (no password or code round-trip)."""
    client.cookies.set(sessions.SESSION_COOKIE, await sessions.start_session(user.id))


async def bearer(user: CurrentUser) -> dict[str, str]:
    return {"Authorization": f"Bearer {await tokens.create_api_token(user.id, 'test')}"}


_TOKEN_FIELD = re.compile(r'name="_csrf_token" value="([0-9a-f]+)"')


async def csrf_token(client: httpx.AsyncClient) -> str:
    """The form token for the client's current session (or pre-session): the one the login
    page's form carries. Fetch it again after the session changes."""
    page = await client.get("/login")
    found = _TOKEN_FIELD.search(page.text)
    assert found, "the login page should carry a CSRF token"
    return found.group(1)


async def second_factor_code(email: str) -> str:
    """The next code the login of this cast member (or demo account) will accept."""
    return (await totp.demo_code(email)).code


async def log_in(
    client: httpx.AsyncClient, email: str, password: str = PASSWORD, **extra: str
) -> httpx.Response:
    """Log in through the forms as a browser does: the password, then the code where one is
    asked for; returns the last response (303 to the page asked for when it worked)."""
    form = {"email": email, "password": password, "_csrf_token": await csrf_token(client)}
    response = await client.post("/login", data={**form, **extra})
    if response.status_code == 303 and response.headers["location"] == "/login/kode":
        page = await client.get("/login/kode")
        found = _TOKEN_FIELD.search(page.text)
        assert found, "the code page should carry a CSRF token"
        code = await second_factor_code(email)
        response = await client.post(
            "/login/kode", data={"code": code, "_csrf_token": found.group(1)}
        )
    return response
