"""Service areas and enterprises for tests, through the company track's own services.

Every test that needs an enterprise makes it here, with a synthetic organisation number; the
programme itself is asked for by each test, the way its users ask for it (API or page).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from helseiarbeid.company_track import services
from helseiarbeid.company_track.schemas import EnterpriseCreate
from helseiarbeid.core.identifiers import synthetic_org_number

# Long enough ago that every area is open for both tracks in every test.
OPEN_SINCE = date(2019, 1, 1)


async def service_area(
    name: str = "Salten",
    county: str = "Nordland",
    *,
    company_track_from: date = OPEN_SINCE,
    individual_track_from: date | None = None,
) -> int:
    return await services.create_service_area(
        name,
        county,
        company_track_from=company_track_from,
        individual_track_from=individual_track_from,
    )


async def enterprise(
    area_id: int,
    serial: int,
    name: str = "Bodø Havnelager AS",
    *,
    address: str = "Havnegata 12, 8006 Bodø",
    municipality: str = "Bodø",
    employee_count: int = 85,
    contact_id: int | None = None,
    **fields: Any,
) -> int:
    """An enterprise in ``area_id`` with org number ``synthetic_org_number(serial)``, and
    ``contact_id`` (a user) as its contact person if given. ``fields``: the rest of
    ``EnterpriseCreate`` (industry, union_representative, ...)."""
    enterprise_id = await services.create_enterprise(
        EnterpriseCreate(
            org_number=synthetic_org_number(serial),
            name=name,
            address=address,
            municipality=municipality,
            service_area_id=area_id,
            employee_count=employee_count,
            **fields,
        )
    )
    if contact_id is not None:
        await services.add_contact(enterprise_id, contact_id)
    return enterprise_id
