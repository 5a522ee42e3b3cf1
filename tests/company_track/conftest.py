"""Company-track tests: Erik's enterprise in Salten, and a second one for access checks."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

import httpx
import pytest

from helseiarbeid.core import users
from helseiarbeid.core.clock import OSLO, today_in_oslo
from helseiarbeid.core.roles import Role
from helseiarbeid.core.working_days import is_working_day
from tests.cast import Cast, bearer
from tests.company_track import factories


def working_day_at(days_ahead: int, hour: int, minute: int = 0) -> datetime:
    """The first working day at least ``days_ahead`` days from today, at hour:minute Oslo time."""
    day = today_in_oslo() + timedelta(days=days_ahead)
    while not is_working_day(day):
        day += timedelta(days=1)
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=OSLO)


@dataclass
class Company:
    client: httpx.AsyncClient
    cast: Cast
    enterprise_id: int
    other_enterprise_id: int
    area_id: int

    async def headers(self, person: str) -> dict[str, str]:
        return await bearer(self.cast[person])

    async def post(self, person: str, path: str, body: object = None) -> httpx.Response:
        return await self.client.post(
            f"/api/v1{path}", json=body, headers=await self.headers(person)
        )

    async def get(self, person: str, path: str) -> httpx.Response:
        return await self.client.get(f"/api/v1{path}", headers=await self.headers(person))

    async def programme(self) -> int:
        response = await self.post("erik", f"/enterprises/{self.enterprise_id}/programmes")
        assert response.status_code == 201, response.text
        return int(response.json()["id"])

    def pair(self) -> list[int]:
        """A health facilitator and a NAV counsellor."""
        return [self.cast["per"].id, self.cast["nils"].id]

    async def book(
        self,
        programme_id: int,
        kind: str,
        starts_at: datetime,
        facilitators: list[int] | None = None,
    ) -> httpx.Response:
        return await self.post(
            "kari",
            f"/programmes/{programme_id}/sessions",
            {
                "kind": kind,
                "starts_at": starts_at.isoformat(),
                "facilitator_ids": facilitators or self.pair(),
            },
        )


async def _enterprise(area_id: int, serial: int, name: str, contact_id: int) -> int:
    return await factories.enterprise(
        area_id,
        serial,
        name,
        address=f"{name}veien 1, 8006 Bodø",
        employee_count=80,
        contact_id=contact_id,
        industry="Lager",
        union_representative="Tone Tillitsvalgt",
        safety_delegate="Vidar Verneombud",
    )


@pytest.fixture
async def company(client: httpx.AsyncClient, cast: Cast) -> Company:
    area_id = await factories.service_area(individual_track_from=factories.OPEN_SINCE)
    enterprise_id = await _enterprise(area_id, 11, "Havnelager", cast["erik"].id)
    olga = await users.create_user(
        email="olga@test.example", name="Olga Other", role=Role.ENTERPRISE_CONTACT, password=None
    )
    other_id = await _enterprise(area_id, 12, "Fiskemottak", olga.id)
    return Company(client, cast, enterprise_id, other_id, area_id)
