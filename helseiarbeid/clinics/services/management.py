"""The administrator's changes to clinics (issue 15 §4): clinics, their HER-ids, the
municipalities they serve and their members. Every change is audited (resource «clinic»);
bad input is InvalidInput naming the field, and nothing is stored."""

from __future__ import annotations

import re
from typing import Any

from helseiarbeid.clinics.services.directory import clinic_by_slug
from helseiarbeid.clinics.tables import Clinic, ClinicHerId, ClinicMembership, ClinicMunicipality
from helseiarbeid.core import audit
from helseiarbeid.core.audit import Actor, AuditAction
from helseiarbeid.core.clock import utcnow
from helseiarbeid.core.database import is_unique_violation, write_transaction
from helseiarbeid.core.errors import InvalidInput, NotFound
from helseiarbeid.core.roles import CLINIC_STAFF
from helseiarbeid.core.tables import User

SLUG = re.compile(r"[a-z0-9][a-z0-9-]{1,39}")
HER_ID = re.compile(r"\d{1,16}")
MUNICIPALITY = re.compile(r"\d{4}")


def _name(name: str) -> str:
    name = " ".join(name.split())
    if not 2 <= len(name) <= 200:
        raise InvalidInput({"name": "Navnet må ha 2–200 tegn."})
    return name


def _opening_hours(text: str) -> str:
    text = " ".join(text.split())
    if len(text) > 200:
        raise InvalidInput({"opening_hours": "Åpningstidene kan være høyst 200 tegn."})
    return text


async def _unique(insert: Any, fields: dict[str, str]) -> Any:
    """Run ``insert``; a concurrent change that took the same unique value first (the check
    before it passed for both) is the same 422 as the check's, never a 500. On PostgreSQL the
    failed statement ends the transaction, which the caller's block then rolls back."""
    try:
        return await insert
    except Exception as error:
        if is_unique_violation(error):
            raise InvalidInput(fields) from error
        raise


async def _record(actor: Actor, clinic_id: int, purpose: str) -> None:
    await audit.record(actor, AuditAction.UPDATE, "clinic", clinic_id, purpose=purpose)


async def create_clinic(actor: Actor, *, name: str, slug: str, opening_hours: str = "") -> int:
    """A new clinic; returns its id. 422 for a name or short name already taken or malformed
    (short name: 2–40 of a–z, 0–9 and «-»)."""
    problems: dict[str, str] = {}
    try:
        name = _name(name)
    except InvalidInput as exc:
        problems.update(exc.fields)
    slug = slug.strip().lower()
    if not SLUG.fullmatch(slug):
        problems["slug"] = "Kortnavnet må ha 2–40 tegn: små bokstaver a–z, sifre og bindestrek."
    hours = _opening_hours(opening_hours)
    async with write_transaction():
        if "name" not in problems and await Clinic.exists().where(Clinic.name == name):
            problems["name"] = "En klinikk med dette navnet finnes allerede."
        if "slug" not in problems and await Clinic.exists().where(Clinic.slug == slug):
            problems["slug"] = "En klinikk med dette kortnavnet finnes allerede."
        if problems:
            raise InvalidInput(problems)
        rows = await _unique(
            Clinic.insert(Clinic(name=name, slug=slug, opening_hours=hours, created_at=utcnow())),
            {"slug": "En klinikk med dette navnet eller kortnavnet finnes allerede."},
        )
        clinic_id = int(rows[0]["id"])
        await audit.record(
            actor, AuditAction.CREATE, "clinic", clinic_id, purpose=f"klinikk opprettet: {name}"
        )
    return clinic_id


async def update_clinic(actor: Actor, slug: str, *, name: str, opening_hours: str) -> None:
    """Rename a clinic or change its opening hours. 404 for an unknown clinic."""
    name = _name(name)
    hours = _opening_hours(opening_hours)
    async with write_transaction():
        clinic_id = await clinic_by_slug(slug)
        if await Clinic.exists().where((Clinic.name == name) & (Clinic.id != clinic_id)):
            raise InvalidInput({"name": "En klinikk med dette navnet finnes allerede."})
        await Clinic.update({Clinic.name: name, Clinic.opening_hours: hours}).where(
            Clinic.id == clinic_id
        )
        await _record(actor, clinic_id, "navn og åpningstider endret")


async def add_her_id(actor: Actor, slug: str, her_id: str) -> None:
    """Messages to ``her_id`` go to this clinic from now on. 422 for a malformed HER-id or one
    another (or this) clinic already has: a HER-id reaches one clinic."""
    her_id = her_id.strip()
    if not HER_ID.fullmatch(her_id):
        raise InvalidInput({"her_id": "HER-id-en må være 1–16 sifre."})
    async with write_transaction():
        clinic_id = await clinic_by_slug(slug)
        owner = await (
            ClinicHerId.select(ClinicHerId.clinic.name).where(ClinicHerId.her_id == her_id).first()
        )
        if owner is not None:
            raise InvalidInput({"her_id": f"HER-id-en tilhører allerede {owner['clinic.name']}."})
        await _unique(
            ClinicHerId.insert(ClinicHerId(clinic=clinic_id, her_id=her_id)),
            {"her_id": "HER-id-en tilhører allerede en klinikk."},
        )
        await _record(actor, clinic_id, f"HER-id {her_id} lagt til")


async def remove_her_id(actor: Actor, slug: str, her_id: str) -> None:
    async with write_transaction():
        clinic_id = await clinic_by_slug(slug)
        gone = (
            await ClinicHerId.delete()
            .where((ClinicHerId.clinic == clinic_id) & (ClinicHerId.her_id == her_id.strip()))
            .returning(ClinicHerId.id)
        )
        if not gone:
            raise NotFound("Klinikken har ikke denne HER-id-en.")
        await _record(actor, clinic_id, f"HER-id {her_id.strip()} fjernet")


async def add_municipality(actor: Actor, slug: str, *, number: str, name: str) -> None:
    """The clinic serves patients living in municipality ``number`` (4 digits). 422 when
    another clinic serves it already (one clinic per municipality)."""
    number = number.strip()
    if not MUNICIPALITY.fullmatch(number):
        raise InvalidInput({"number": "Kommunenummeret må være fire sifre."})
    name = " ".join(name.split())
    if not 2 <= len(name) <= 100:
        raise InvalidInput({"municipality_name": "Kommunenavnet må ha 2–100 tegn."})
    async with write_transaction():
        clinic_id = await clinic_by_slug(slug)
        owner = await (
            ClinicMunicipality.select(ClinicMunicipality.clinic.name)
            .where(ClinicMunicipality.number == number)
            .first()
        )
        if owner is not None:
            raise InvalidInput({"number": f"Kommunen dekkes allerede av {owner['clinic.name']}."})
        await _unique(
            ClinicMunicipality.insert(
                ClinicMunicipality(clinic=clinic_id, number=number, name=name)
            ),
            {"number": "Kommunen dekkes allerede av en klinikk."},
        )
        await _record(actor, clinic_id, f"kommune {number} {name} lagt til")


async def remove_municipality(actor: Actor, slug: str, number: str) -> None:
    async with write_transaction():
        clinic_id = await clinic_by_slug(slug)
        gone = (
            await ClinicMunicipality.delete()
            .where((ClinicMunicipality.clinic == clinic_id) & (ClinicMunicipality.number == number))
            .returning(ClinicMunicipality.id)
        )
        if not gone:
            raise NotFound("Klinikken dekker ikke denne kommunen.")
        await _record(actor, clinic_id, f"kommune {number} fjernet")


async def add_member(actor: Actor | None, slug: str, user_id: int) -> None:
    """``user_id`` works for the clinic from now on (already a member: nothing changes). 422
    for a user who is not clinic staff (coordinator, psychologist, physician, NAV
    counsellor). ``actor`` None: inside a caller's transaction that audits itself."""
    async with write_transaction():
        clinic_id = await clinic_by_slug(slug)
        user = await User.select(User.role, User.name).where(User.id == user_id).first()
        if user is None:
            raise InvalidInput({"member": "Brukeren finnes ikke."})
        if user["role"] not in {role.value for role in CLINIC_STAFF}:
            raise InvalidInput(
                {
                    "member": "Bare koordinator, psykolog, fysikalsk medisiner og NAV-veileder "
                    "kan være medlem av en klinikk."
                }
            )
        if await ClinicMembership.exists().where(
            (ClinicMembership.clinic == clinic_id) & (ClinicMembership.member == user_id)
        ):
            return
        await ClinicMembership.insert(
            ClinicMembership(clinic=clinic_id, member=user_id, since=utcnow())
        ).on_conflict(action="DO NOTHING")
        if actor is not None:
            await _record(actor, clinic_id, f"medlem lagt til: bruker {user_id}")


async def remove_member(actor: Actor, slug: str, user_id: int) -> None:
    async with write_transaction():
        clinic_id = await clinic_by_slug(slug)
        gone = (
            await ClinicMembership.delete()
            .where((ClinicMembership.clinic == clinic_id) & (ClinicMembership.member == user_id))
            .returning(ClinicMembership.id)
        )
        if not gone:
            raise NotFound("Brukeren er ikke medlem av klinikken.")
        await _record(actor, clinic_id, f"medlem fjernet: bruker {user_id}")
