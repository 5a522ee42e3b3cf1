"""New users from the administrator's page (issue 15 §4): a user with their clinics, in one
go, with messages in Norwegian. The CLI's ``create-user`` does the same for scripts."""

from __future__ import annotations

from helseiarbeid.clinics.services.directory import clinic_by_slug
from helseiarbeid.clinics.services.management import add_member
from helseiarbeid.clinics.tables import Clinic
from helseiarbeid.core import audit, users
from helseiarbeid.core.audit import Actor, AuditAction
from helseiarbeid.core.database import write_transaction
from helseiarbeid.core.errors import InvalidInput, NotFound
from helseiarbeid.core.roles import CLINIC_STAFF, Role
from helseiarbeid.core.users import CurrentUser

FIELD_MESSAGES = {
    "email": "Skriv en gyldig e-postadresse (bare a–z, sifre og tegn før @).",
    "name": "Skriv navnet.",
    "hpr": "Skriv et gyldig HPR-nummer (4–9 sifre, ikke 0 først). Det kreves for fastlege, "
    "psykolog og fysikalsk medisiner.",
    "password": "Passordet er for kort eller for lett å gjette (minst 12 tegn).",
}


def _norwegian(problems: dict[str, str]) -> dict[str, str]:
    """The core's field messages (English, for the CLI) as the page says them."""
    said = {}
    for field, text in problems.items():
        if field == "email" and "already exists" in text:
            said[field] = "Det finnes allerede en bruker med denne e-postadressen."
        elif field == "name" and "at most" in text:
            said[field] = f"Navnet kan ha høyst {users.NAME_MAX} tegn."
        else:
            said[field] = FIELD_MESSAGES.get(field, text)
    return said


async def default_clinics_for(role: Role) -> list[str]:
    """The clinics a new clinic staff member joins when none is named: the only clinic of a
    single-clinic installation; none otherwise (and none for other roles)."""
    if role not in CLINIC_STAFF:
        return []
    rows = await Clinic.select(Clinic.slug).limit(2)
    return [rows[0]["slug"]] if len(rows) == 1 else []


async def create_staff_user(
    actor: Actor | None,
    *,
    name: str,
    email: str,
    role: str,
    clinic_slugs: list[str],
    hpr_number: str | None = None,
    workplace_name: str = "",
    password: str | None = None,
) -> CurrentUser:
    """A new user, member of the clinics ``clinic_slugs`` (short names). 422 naming the field
    (Norwegian): name, email (malformed or taken), role, hpr, password, clinics (unknown, or
    given for a role that is not clinic staff). Audited as «bruker opprettet»."""
    try:
        parsed = users.parse_role(role)
    except Exception as exc:  # InvalidInput or ValueError: said on the field
        raise InvalidInput({"role": "Velg en rolle."}) from exc
    problems: dict[str, str] = {}
    try:
        users.validate_new_user(
            email=email, name=name, role=parsed, hpr_number=hpr_number or None, password=password
        )
    except InvalidInput as exc:
        problems.update(_norwegian(exc.fields))
    if len(workplace_name.strip()) > users.NAME_MAX:
        problems["workplace"] = f"Arbeidsstedet kan ha høyst {users.NAME_MAX} tegn."
    slugs = list(dict.fromkeys(slug.strip() for slug in clinic_slugs if slug.strip()))
    if slugs and parsed not in CLINIC_STAFF:
        problems["clinics"] = (
            "Bare koordinator, psykolog, fysikalsk medisiner og NAV-veileder kan være medlem "
            "av en klinikk."
        )
    for slug in slugs:
        try:
            await clinic_by_slug(slug)
        except NotFound:
            problems["clinics"] = "Velg klinikker fra listen."
    if problems:
        raise InvalidInput(problems)
    try:
        user = await users.create_user(
            email=email,
            name=name,
            role=parsed,
            password=password or None,
            hpr_number=hpr_number or None,
            workplace_name=workplace_name.strip(),
        )
    except InvalidInput as exc:
        raise InvalidInput(_norwegian(exc.fields)) from exc
    for slug in slugs:
        await add_member(actor, slug, user.id)
    if actor is not None:
        async with write_transaction():
            await audit.record(
                actor,
                AuditAction.CREATE,
                "app_user",
                user.id,
                purpose=f"bruker opprettet: {parsed.label}"
                + (f", klinikk {', '.join(slugs)}" if slugs else ""),
            )
    return user
