"""Service areas and the enterprises (virksomheter) in them: creating both, linking an enterprise's
contact persons, and reading an enterprise as its contact or the team sees it. A contact sees
only their own enterprise.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from helseiarbeid.company_track.schemas import EnterpriseCreate, EnterpriseOut
from helseiarbeid.company_track.services.scope import (
    check_enterprise_access,
    enterprise_scope,
)
from helseiarbeid.company_track.tables import Enterprise, EnterpriseContact, Programme, ServiceArea
from helseiarbeid.core.clock import utcnow
from helseiarbeid.core.database import is_unique_violation, write_transaction
from helseiarbeid.core.errors import Conflict, InvalidInput, NotFound
from helseiarbeid.core.identifiers import IdentifierError, validate_org_number
from helseiarbeid.core.roles import Role
from helseiarbeid.core.tables import User
from helseiarbeid.core.users import CurrentUser
from helseiarbeid.regions import services as regions


async def create_service_area(
    name: str,
    county: str,
    *,
    company_track_from: date | None,
    individual_track_from: date | None,
) -> int:
    async with write_transaction():
        if await ServiceArea.exists().where(ServiceArea.name == name):
            raise InvalidInput({"name": f"Tjenesteområdet {name} finnes allerede."})
        rows = await ServiceArea.insert(
            ServiceArea(
                name=name,
                county=county,
                company_track_from=company_track_from,
                individual_track_from=individual_track_from,
            )
        )
    return int(rows[0]["id"])


async def list_service_areas() -> list[dict[str, Any]]:
    return list(await ServiceArea.select().order_by(ServiceArea.county).order_by(ServiceArea.name))


async def create_enterprise(data: EnterpriseCreate) -> int:
    problems: dict[str, str] = {}
    try:
        org_number = validate_org_number(data.org_number)
    except IdentifierError as exc:
        problems["org_number"] = str(exc)
    if data.employee_count < 1:
        problems["employee_count"] = "Antall ansatte må være minst 1."
    for field in ("name", "address", "municipality"):
        if not getattr(data, field).strip():
            problems[field] = "Må fylles ut."
    if problems:
        raise InvalidInput(problems)
    try:
        async with write_transaction():
            if not await ServiceArea.exists().where(ServiceArea.id == data.service_area_id):
                raise InvalidInput({"service_area_id": "Tjenesteområdet finnes ikke."})
            if await Enterprise.exists().where(Enterprise.org_number == org_number):
                message = f"En virksomhet med organisasjonsnummer {org_number} finnes allerede."
                raise Conflict(message)
            region_id = await regions.region_for_municipality(data.municipality)
            rows = await Enterprise.insert(
                Enterprise(
                    org_number=org_number,
                    region=region_id,
                    name=data.name.strip(),
                    address=data.address.strip(),
                    municipality=data.municipality.strip(),
                    service_area=data.service_area_id,
                    employee_count=data.employee_count,
                    industry=data.industry.strip(),
                    sector=data.sector.strip(),
                    union_representative=data.union_representative.strip(),
                    safety_delegate=data.safety_delegate.strip(),
                    company_health_service_takes_part=data.company_health_service_takes_part,
                    created_at=utcnow(),
                )
            )
    except Exception as error:
        if is_unique_violation(error):
            message = f"En virksomhet med organisasjonsnummer {org_number} finnes allerede."
            raise Conflict(message) from error
        raise
    return int(rows[0]["id"])


async def add_contact(enterprise_id: int, user_id: int) -> None:
    """Make an `enterprise_contact` user the contact of one enterprise."""
    async with write_transaction():
        role = await User.select(User.role).where(User.id == user_id).first()
        if role is None:
            raise NotFound(f"no user with id {user_id}")
        if role["role"] != Role.ENTERPRISE_CONTACT.value:
            message = "Bare brukere med rollen kontaktperson kan knyttes til en virksomhet."
            raise InvalidInput({"user": message})
        if not await Enterprise.exists().where(Enterprise.id == enterprise_id):
            raise NotFound(f"no enterprise with id {enterprise_id}")
        await EnterpriseContact.insert(EnterpriseContact(user=user_id, enterprise=enterprise_id))


async def _check_enterprise_access(user: CurrentUser, enterprise_id: int) -> None:
    """A contact sees only its own enterprise, staff the enterprises of their regions
    (``scope.check_enterprise_access``); any other is as if it did not exist."""
    await check_enterprise_access(user, enterprise_id)


async def get_enterprise(user: CurrentUser, enterprise_id: int) -> EnterpriseOut:
    await _check_enterprise_access(user, enterprise_id)
    row = await (
        Enterprise.select(
            *Enterprise.all_columns(), Enterprise.service_area.name, Enterprise.service_area.county
        )
        .where(Enterprise.id == enterprise_id)
        .first()
    )
    if row is None:
        raise NotFound("Virksomheten finnes ikke.")
    contacts = await EnterpriseContact.select(EnterpriseContact.user.name).where(
        EnterpriseContact.enterprise == enterprise_id
    )
    programmes = await Programme.select(Programme.id).where(Programme.enterprise == enterprise_id)
    return EnterpriseOut(
        id=row["id"],
        org_number=row["org_number"],
        name=row["name"],
        address=row["address"],
        municipality=row["municipality"],
        service_area=row["service_area.name"],
        county=row["service_area.county"],
        employee_count=row["employee_count"],
        industry=row["industry"],
        sector=row["sector"],
        union_representative=row["union_representative"],
        safety_delegate=row["safety_delegate"],
        company_health_service_takes_part=row["company_health_service_takes_part"],
        contacts=[contact["user.name"] for contact in contacts],
        programme_ids=[programme["id"] for programme in programmes],
    )


async def list_enterprises(user: CurrentUser, area_id: int | None = None) -> list[dict[str, Any]]:
    """The enterprises the user sees (their regions'; ``scope``), in one service area or all:
    id, name, org_number, municipality, employee_count, service_area.name, region.name."""
    query = Enterprise.select(
        Enterprise.id,
        Enterprise.name,
        Enterprise.org_number,
        Enterprise.municipality,
        Enterprise.employee_count,
        Enterprise.service_area.name,
        Enterprise.region.name,
    ).order_by(Enterprise.name)
    condition = (await enterprise_scope(user)).condition(Enterprise.id, Enterprise.region)
    if condition is not None:
        query = query.where(condition)
    if area_id is not None:
        query = query.where(Enterprise.service_area == area_id)
    return list(await query)
