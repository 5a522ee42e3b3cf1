"""Feed tests: a programme with booked sessions and a consultation, and feeds to fetch."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import icalendar
import pytest
import vobject

from tests.cast import Cast, bearer
from tests.clinic_track.conftest import Pathway
from tests.company_track import factories
from tests.company_track.conftest import working_day_at
from tests.referrals.factories import referral_body


@dataclass
class Calendars:
    client: httpx.AsyncClient
    cast: Cast
    programme_id: int
    session_ids: list[int]
    consultation_id: int
    referral_id: int

    async def feed_url(self, person: str, kind: str) -> str:
        response = await self.client.post(
            "/api/v1/calendar-feeds", json={"kind": kind}, headers=await bearer(self.cast[person])
        )
        assert response.status_code == 201, response.text
        url: str = response.json()["url"]
        return url.removeprefix("http://testserver")

    async def fetch(self, path: str, **headers: str) -> httpx.Response:
        return await self.client.get(path, headers=headers)


def parse_both(body: bytes) -> tuple[icalendar.Calendar, object]:
    """Parsed by icalendar and by vobject, an independent parser; both must accept it."""
    by_icalendar = icalendar.Calendar.from_ical(body)
    by_vobject = vobject.readOne(body.decode("utf-8"))
    return by_icalendar, by_vobject


ROOT = Path(__file__).resolve().parents[2]
ICAL_JS_SCRIPT = Path(__file__).with_name("ical_js_events.mjs")


def events_by_ical_js(body: bytes) -> dict[str, dict[str, Any]]:
    """The feed's events as ical.js reads them, by UID (node and `make test-tools` needed:
    skipped without them on a developer's machine, a failure under CI)."""
    node = shutil.which("node")
    missing = (
        "node is not installed"
        if node is None
        else "ical.js is missing (make test-tools)"
        if not (ROOT / "node_modules" / "ical.js").is_dir()
        else None
    )
    if missing:
        if os.environ.get("CI"):
            pytest.fail(f"CI is set but {missing}")
        pytest.skip(f"{missing}; CI runs this check")
    assert node is not None
    done = subprocess.run(
        [node, str(ICAL_JS_SCRIPT)], input=body, capture_output=True, check=False, timeout=60
    )
    assert done.returncode == 0, done.stderr.decode()
    return {event["uid"]: event for event in json.loads(done.stdout)}


@pytest.fixture
async def calendars(client: httpx.AsyncClient, cast: Cast) -> Calendars:
    area = await factories.service_area()
    enterprise_id = await factories.enterprise(area, 60, contact_id=cast["erik"].id)
    kari = await bearer(cast["kari"])
    programme = await client.post(f"/api/v1/enterprises/{enterprise_id}/programmes", headers=kari)
    programme_id = programme.json()["id"]
    session_ids = []
    for kind, days, hour in (("anchoring", 7, 9), ("module_1", 17, 9)):
        response = await client.post(
            f"/api/v1/programmes/{programme_id}/sessions",
            json={
                "kind": kind,
                "starts_at": working_day_at(days, hour).isoformat(),
                "facilitator_ids": [cast["per"].id, cast["nils"].id],
            },
            headers=kari,
        )
        assert response.status_code == 201, response.text
        session_ids.append(response.json()["id"])
    referral = await client.post(
        "/api/v1/referrals", json=referral_body(), headers=await bearer(cast["gp_anne"])
    )
    pathway = Pathway(client, cast, referral.json()["id"])
    await pathway.accept()
    booked = await pathway.book(["per", "frida"], working_day_at(8, 13), 60)
    assert booked.status_code == 201, booked.text
    return Calendars(
        client, cast, programme_id, session_ids, booked.json()["id"], referral.json()["id"]
    )
