"""Clinic tests start from a referral Anne has sent; helpers move it along the pathway."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import httpx
import pytest

from helseiarbeid.core.clock import OSLO, pinned, today_in_oslo
from helseiarbeid.core.working_days import is_working_day
from tests.cast import Cast, bearer
from tests.referrals.factories import referral_body


def next_weekday_at(hour: int, days_ahead: int = 7) -> datetime:
    """A working day at least ``days_ahead`` days from now, at ``hour``:00 Oslo time."""
    day = today_in_oslo() + timedelta(days=days_ahead)
    while not is_working_day(day):
        day += timedelta(days=1)
    return datetime(day.year, day.month, day.day, hour, 0, tzinfo=OSLO)


class Pathway:
    """Drives one referral through the API as the team would."""

    def __init__(self, client: httpx.AsyncClient, cast: Cast, referral_id: int) -> None:
        self.client = client
        self.cast = cast
        self.id = referral_id
        self._headers: dict[str, dict[str, str]] = {}

    async def headers(self, person: str) -> dict[str, str]:
        if person not in self._headers:
            self._headers[person] = await bearer(self.cast[person])
        return self._headers[person]

    async def post(self, person: str, path: str, body: Any) -> httpx.Response:
        return await self.client.post(
            f"/api/v1/referrals/{self.id}{path}", json=body, headers=await self.headers(person)
        )

    async def accept(self, person: str = "frida") -> httpx.Response:
        deadline = (today_in_oslo() + timedelta(days=30)).isoformat()
        return await self.post(
            person,
            "/assessment",
            {"decision": "accepted", "start_deadline": deadline, "priority": "normal"},
        )

    async def book(
        self, staff: list[str], starts_at: datetime | None = None, minutes: int = 60
    ) -> httpx.Response:
        return await self.post(
            "kari",
            "/consultations",
            {
                "starts_at": (starts_at or next_weekday_at(10)).isoformat(),
                "duration_minutes": minutes,
                "staff_ids": [self.cast[name].id for name in staff],
                "location": "Poliklinikken, rom 2",
            },
        )

    async def record(
        self, consultation: dict[str, Any], outcome: str = "held", person: str = "kari"
    ) -> httpx.Response:
        """Record the consultation's outcome an hour after it started (the clock pinned
        there: outcomes can only be recorded once a consultation has begun)."""
        started = datetime.fromisoformat(consultation["starts_at"])
        with pinned(started + timedelta(hours=1)):
            return await self.post(
                person, f"/consultations/{consultation['id']}/outcome", {"outcome": outcome}
            )

    async def cancel(
        self, consultation: dict[str, Any], reason: str = "Pasienten er innlagt på sykehus."
    ) -> httpx.Response:
        return await self.post(
            "kari", f"/consultations/{consultation['id']}/cancel", {"reason": reason}
        )

    async def clarify(
        self, version: int | None = None, summary: str = "Arbeidsevne avklart."
    ) -> httpx.Response:
        response = await self.client.put(
            f"/api/v1/referrals/{self.id}/clarification",
            json={
                "summary": summary,
                "coping_plan": "Gradvis økt aktivitet, søvnhygiene.",
                "work_recommendations": "Gradert arbeid 50 % i fire uker, tilrettelagte løft.",
                "follow_up": "Fastlege følger opp sykmelding.",
                "version": version,
            },
            headers=await self.headers("nils"),
        )
        return response

    async def status(self) -> str:
        """As the referring GP sees it (the team sees an ended case only if on it)."""
        response = await self.client.get(
            f"/api/v1/referrals/{self.id}", headers=await self.headers("gp_anne")
        )
        return str(response.json()["status"])


@pytest.fixture
async def pathway(client: httpx.AsyncClient, cast: Cast) -> Pathway:
    response = await client.post(
        "/api/v1/referrals", json=referral_body(), headers=await bearer(cast["gp_anne"])
    )
    assert response.status_code == 201
    return Pathway(client, cast, response.json()["id"])
