"""Reading clinics: who works where, which clinic a HER-id or municipality belongs to, and the
SQL condition every list of clinic-owned rows filters by (``member_of``)."""

from __future__ import annotations

from piccolo.querystring import QueryString

from helseiarbeid.clinics.schemas import ClinicChoice, ClinicOut, Member, Municipality
from helseiarbeid.clinics.tables import Clinic, ClinicHerId, ClinicMembership, ClinicMunicipality
from helseiarbeid.core.errors import NotFound


def member_of(clinic_column: str, user_id: int) -> QueryString:
    """SQL: the row's clinic (``clinic_column``, e.g. ``"referral.clinic"`` — a column name
    from the caller's own table, never input) is one ``user_id`` works for. Used as a WHERE
    condition or a selected flag; one indexed EXISTS."""
    return QueryString(
        "EXISTS (SELECT 1 FROM clinic_membership cm "  # noqa: S608 - a column name, not input
        f"WHERE cm.clinic = {clinic_column} AND cm.member = {{}})",
        user_id,
    )


async def clinic_ids_of(user_id: int) -> list[int]:
    """The ids of the clinics ``user_id`` works for, lowest first."""
    rows = await (
        ClinicMembership.select(ClinicMembership.clinic)
        .where(ClinicMembership.member == user_id)
        .order_by(ClinicMembership.clinic)
    )
    return [row["clinic"] for row in rows]


async def colleague_ids(user_id: int) -> set[int]:
    """Everyone working for a clinic ``user_id`` works for (``user_id`` included)."""
    rows = await ClinicMembership.select(ClinicMembership.member).where(
        ClinicMembership.clinic.is_in(await clinic_ids_of(user_id) or [0])
    )
    return {row["member"] for row in rows}


async def member_ids(clinic_ids: list[int]) -> set[int]:
    """Everyone working for one of ``clinic_ids``."""
    if not clinic_ids:
        return set()
    rows = await ClinicMembership.select(ClinicMembership.member).where(
        ClinicMembership.clinic.is_in(clinic_ids)
    )
    return {row["member"] for row in rows}


async def is_member(user_id: int, clinic_id: int | None) -> bool:
    if clinic_id is None:
        return False
    return bool(
        await ClinicMembership.exists().where(
            (ClinicMembership.member == user_id) & (ClinicMembership.clinic == clinic_id)
        )
    )


async def default_clinic_id() -> int | None:
    """The first clinic (the one a single-clinic installation's migration made), or None."""
    row = await Clinic.select(Clinic.id).order_by(Clinic.id).first()
    return None if row is None else int(row["id"])


async def clinic_for_her_ids(her_ids: list[str]) -> int | None:
    """The clinic owning one of ``her_ids`` (a message's receivers, innermost last: the last
    one that is known wins), or None when no clinic has any of them."""
    if not her_ids:
        return None
    rows = await ClinicHerId.select(ClinicHerId.her_id, ClinicHerId.clinic).where(
        ClinicHerId.her_id.is_in(list(her_ids))
    )
    owner = {row["her_id"]: row["clinic"] for row in rows}
    for her_id in reversed(her_ids):
        if her_id in owner:
            return int(owner[her_id])
    return None


async def clinic_names() -> dict[int, tuple[str, str]]:
    """Every clinic's (short name, name) by id, in name order."""
    rows = await Clinic.select(Clinic.id, Clinic.slug, Clinic.name).order_by(Clinic.name)
    return {int(row["id"]): (row["slug"], row["name"]) for row in rows}


async def all_her_ids() -> tuple[str, ...]:
    """Every clinic's HER-ids, in the order they were added: what the message-server poller
    asks for (one installation receives for all its clinics)."""
    rows = await ClinicHerId.select(ClinicHerId.her_id).order_by(ClinicHerId.id)
    return tuple(row["her_id"] for row in rows)


async def clinic_for_municipality(number: str) -> int | None:
    row = await (
        ClinicMunicipality.select(ClinicMunicipality.clinic)
        .where(ClinicMunicipality.number == number)
        .first()
    )
    return None if row is None else int(row["clinic"])


async def clinic_by_slug(slug: str) -> int:
    """The id of the clinic with this short name; NotFound otherwise."""
    row = await Clinic.select(Clinic.id).where(Clinic.slug == slug).first()
    if row is None:
        raise NotFound("Klinikken finnes ikke.")
    return int(row["id"])


async def clinic_name(clinic_id: int | None) -> str:
    if clinic_id is None:
        return ""
    row = await Clinic.select(Clinic.name).where(Clinic.id == clinic_id).first()
    return "" if row is None else str(row["name"])


async def clinic_her_ids(clinic_id: int | None) -> tuple[str, ...]:
    """The clinic's HER-ids in the order they were added (organisation first)."""
    if clinic_id is None:
        return ()
    rows = await (
        ClinicHerId.select(ClinicHerId.her_id)
        .where(ClinicHerId.clinic == clinic_id)
        .order_by(ClinicHerId.id)
    )
    return tuple(row["her_id"] for row in rows)


async def choices() -> list[ClinicChoice]:
    """Every clinic a GP may send a referral to, by name (all clinics are open to every GP)."""
    rows = await Clinic.select(Clinic.slug, Clinic.name).order_by(Clinic.name)
    return [ClinicChoice(slug=row["slug"], name=row["name"]) for row in rows]


async def list_clinics(clinic_ids: list[int] | None = None) -> list[ClinicOut]:
    """Clinics with their HER-ids, municipalities and members, by name; all, or those in
    ``clinic_ids``."""
    query = Clinic.select(*Clinic.all_columns()).order_by(Clinic.name)
    if clinic_ids is not None:
        if not clinic_ids:
            return []
        query = query.where(Clinic.id.is_in(clinic_ids))
    clinics = await query
    ids = [row["id"] for row in clinics]
    if not ids:
        return []
    her_rows = await (
        ClinicHerId.select(ClinicHerId.clinic, ClinicHerId.her_id)
        .where(ClinicHerId.clinic.is_in(ids))
        .order_by(ClinicHerId.id)
    )
    places = await (
        ClinicMunicipality.select(*ClinicMunicipality.all_columns())
        .where(ClinicMunicipality.clinic.is_in(ids))
        .order_by(ClinicMunicipality.number)
    )
    members = await (
        ClinicMembership.select(
            ClinicMembership.clinic,
            ClinicMembership.member,
            ClinicMembership.member.name,
            ClinicMembership.member.email,
            ClinicMembership.member.role,
        )
        .where(ClinicMembership.clinic.is_in(ids))
        .order_by(ClinicMembership.member.name)
    )
    return [
        ClinicOut(
            id=row["id"],
            name=row["name"],
            slug=row["slug"],
            opening_hours=row["opening_hours"],
            her_ids=[her["her_id"] for her in her_rows if her["clinic"] == row["id"]],
            municipalities=[
                Municipality(number=place["number"], name=place["name"])
                for place in places
                if place["clinic"] == row["id"]
            ],
            members=[
                Member(
                    user_id=member["member"],
                    name=member["member.name"],
                    email=member["member.email"],
                    role=member["member.role"],
                )
                for member in members
                if member["clinic"] == row["id"]
            ],
        )
        for row in clinics
    ]


async def get_clinic(slug: str) -> ClinicOut:
    clinic_id = await clinic_by_slug(slug)
    return (await list_clinics([clinic_id]))[0]
