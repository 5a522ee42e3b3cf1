"""Two server processes on one database; many clients book the same three people at once.

Clinic consultations and company sessions (booked by the coordinator, or requested by the
enterprise and then confirmed with facilitators) compete for Per, Frida and Nils on a few days,
with some cancellations so the calendar keeps changing, for HELSEIARBEID_SOAK_SECONDS.
Afterwards the consultation and session tables, joined to their staff, must show nobody booked
twice, and every answer must have been one a coordinator can act on.

The second test pins a race found while writing these (PostgreSQL): two first consultations
for one patient at once, one refused because the other had just moved the referral on.
"""

from __future__ import annotations

import asyncio
import itertools
import random
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import httpx

from helseiarbeid.clinic_track.services import CONSULTATION
from helseiarbeid.clinic_track.tables import ConsultationStaff
from helseiarbeid.company_track.services import COMPANY_SESSION
from helseiarbeid.company_track.tables import SessionFacilitator
from helseiarbeid.core.tables import BusyPeriod
from helseiarbeid.referrals.tables import StatusChange
from helseiarbeid.settings import get_settings
from tests.cast import Cast, bearer
from tests.clinic_track.conftest import Pathway, next_weekday_at
from tests.company_track import factories
from tests.company_track.conftest import working_day_at
from tests.faults.servers import SOAK_SECONDS, Servers
from tests.referrals.factories import referral_body

CLIENTS_PER_SERVER = 8
REFERRALS = 4
DAYS = 5
TEAM = ("per", "frida", "nils")
HEALTH_FACILITATORS = ("per", "frida")
BUSY_MESSAGE = "er allerede opptatt"
MIN_BOOKED = 15  # a typical 8-second run books 30–40


@dataclass
class Plan:
    """What the clients book against: accepted referrals, one programme, the contested times."""

    referral_ids: list[int]
    programme_id: int
    starts: list[datetime]
    staff: dict[str, int]
    kari: dict[str, str]
    erik: dict[str, str]

    def some_staff(self) -> list[int]:
        return [self.staff[name] for name in random.sample(TEAM, k=random.choice((1, 2)))]

    def facilitators(self) -> list[int]:
        return [self.staff[random.choice(HEALTH_FACILITATORS)], self.staff["nils"]]


@dataclass
class Tally:
    booked: Counter[str] = field(default_factory=Counter)
    refused: Counter[str] = field(default_factory=Counter)
    booked_via_server: Counter[int] = field(default_factory=Counter)
    cancelled: int = 0
    unexpected: list[str] = field(default_factory=list)

    def judge(self, response: httpx.Response, ok: int, kind: str, server: int) -> bool:
        """Count a booking's answer; True when it was booked. A refusal must say who is busy."""
        if response.status_code == ok:
            self.booked[kind] += 1
            self.booked_via_server[server] += 1
            return True
        if response.status_code == 409 and BUSY_MESSAGE in response.json().get("detail", ""):
            self.refused[kind] += 1
            return False
        self.note(response)
        return False

    def note(self, response: httpx.Response) -> None:
        request = response.request
        self.unexpected.append(
            f"{request.method} {request.url.path} → {response.status_code} {response.text[:300]}"
        )


@dataclass(frozen=True)
class Cancel:
    path: str
    body: Any
    ok: int


@dataclass(frozen=True)
class Booking:
    person: int
    kind: str
    source_id: int
    starts_at: datetime
    ends_at: datetime
    travel: timedelta


async def _accepted_referrals(client: httpx.AsyncClient, cast: Cast, count: int) -> list[int]:
    referral_ids = []
    anne = await bearer(cast["gp_anne"])
    for _ in range(count):
        response = await client.post("/api/v1/referrals", json=referral_body(), headers=anne)
        pathway = Pathway(client, cast, response.json()["id"])
        assert (await pathway.accept()).status_code == 201
        referral_ids.append(pathway.id)
    return referral_ids


async def _set_up(client: httpx.AsyncClient, cast: Cast) -> Plan:
    """Accepted referrals, and a programme whose anchoring meeting is the day before the rush."""
    referral_ids = await _accepted_referrals(client, cast, REFERRALS)
    enterprise_id = await factories.enterprise(
        await factories.service_area(),
        21,
        "Havnelager",
        address="Havneveien 1, 8006 Bodø",
        employee_count=120,
        contact_id=cast["erik"].id,
    )
    staff = {name: cast[name].id for name in TEAM}
    kari, erik = await bearer(cast["kari"]), await bearer(cast["erik"])
    programme = await client.post(f"/api/v1/enterprises/{enterprise_id}/programmes", headers=erik)
    programme_id = programme.json()["id"]
    anchoring_day = working_day_at(8, 8)
    anchoring = await client.post(
        f"/api/v1/programmes/{programme_id}/sessions",
        json={
            "kind": "anchoring",
            "starts_at": anchoring_day.isoformat(),
            "facilitator_ids": [staff["per"], staff["nils"]],
        },
        headers=kari,
    )
    assert anchoring.status_code == 201, anchoring.text
    later = {working_day_at(ahead, 8) for ahead in range(9, 9 + DAYS * 3)} - {anchoring_day}
    days = sorted(later)[:DAYS]
    # Every half hour from 08:00 to 14:30, so a 90-minute module still ends by 16:00.
    starts = [day + timedelta(minutes=30 * step) for day in days for step in range(14)]
    return Plan(referral_ids, programme_id, starts, staff, kari, erik)


async def _book_consultation(
    http: httpx.AsyncClient, plan: Plan, tally: Tally, server: int
) -> Cancel | None:
    referral_id = random.choice(plan.referral_ids)
    response = await http.post(
        f"/api/v1/referrals/{referral_id}/consultations",
        json={
            "starts_at": random.choice(plan.starts).isoformat(),
            "duration_minutes": random.choice((30, 60, 90)),
            "staff_ids": plan.some_staff(),
            "location": "Poliklinikken, rom 2",
        },
        headers=plan.kari,
    )
    if not tally.judge(response, 201, CONSULTATION, server):
        return None
    consultation_id = response.json()["id"]
    return Cancel(
        f"/api/v1/referrals/{referral_id}/consultations/{consultation_id}/cancel",
        {"reason": "Flyttet i testen."},
        204,
    )


async def _book_session(
    http: httpx.AsyncClient, plan: Plan, tally: Tally, server: int
) -> Cancel | None:
    """The coordinator books a module sitting with facilitators at once."""
    response = await http.post(
        f"/api/v1/programmes/{plan.programme_id}/sessions",
        json={
            "kind": "module_1",
            "starts_at": random.choice(plan.starts).isoformat(),
            "facilitator_ids": plan.facilitators(),
        },
        headers=plan.kari,
    )
    if not tally.judge(response, 201, COMPANY_SESSION, server):
        return None
    return _cancel_session(response.json()["id"])


async def _request_and_confirm_session(
    http: httpx.AsyncClient, plan: Plan, tally: Tally, server: int
) -> Cancel | None:
    """The enterprise asks for a sitting; the coordinator confirms it with facilitators."""
    requested = await http.post(
        f"/api/v1/programmes/{plan.programme_id}/sessions",
        json={"kind": "module_1", "starts_at": random.choice(plan.starts).isoformat()},
        headers=plan.erik,
    )
    if requested.status_code != 201:
        tally.note(requested)
        return None
    session_id = requested.json()["id"]
    confirmed = await http.post(
        f"/api/v1/sessions/{session_id}/confirm",
        json={"facilitator_ids": plan.facilitators()},
        headers=plan.kari,
    )
    if not tally.judge(confirmed, 200, COMPANY_SESSION, server):
        return None
    return _cancel_session(session_id)


def _cancel_session(session_id: int) -> Cancel:
    return Cancel(f"/api/v1/sessions/{session_id}/cancel", {"reason": "Flyttet i testen."}, 200)


async def _cancel(http: httpx.AsyncClient, plan: Plan, cancel: Cancel, tally: Tally) -> None:
    response = await http.post(cancel.path, json=cancel.body, headers=plan.kari)
    if response.status_code == cancel.ok:
        tally.cancelled += 1
    else:
        tally.note(response)


async def _client(
    http: httpx.AsyncClient, server: int, plan: Plan, tally: Tally, deadline: float
) -> None:
    """Books at random until the deadline; now and then cancels one of its own bookings."""
    booking_kinds = (_book_consultation, _book_session, _request_and_confirm_session)
    mine: list[Cancel] = []
    while time.monotonic() < deadline:
        try:
            if mine and random.random() < 0.1:
                await _cancel(http, plan, mine.pop(random.randrange(len(mine))), tally)
            elif booked := await random.choice(booking_kinds)(http, plan, tally, server):
                mine.append(booked)
        except httpx.TransportError as error:
            tally.unexpected.append(f"no answer from server {server}: {error!r}")


async def _live_bookings() -> list[Booking]:
    """Live consultations and confirmed company sessions, one row per person booked."""
    travel = timedelta(minutes=get_settings().travel_buffer_minutes)
    consultations = await ConsultationStaff.select(
        ConsultationStaff.staff,
        ConsultationStaff.consultation,
        ConsultationStaff.consultation.starts_at,
        ConsultationStaff.consultation.duration_minutes,
    ).where(ConsultationStaff.consultation.cancelled_at.is_null())
    sessions = await SessionFacilitator.select(
        SessionFacilitator.facilitator,
        SessionFacilitator.session,
        SessionFacilitator.session.starts_at,
        SessionFacilitator.session.duration_minutes,
    ).where(SessionFacilitator.session.state == "confirmed")
    return [
        Booking(
            person=row["staff"],
            kind=CONSULTATION,
            source_id=row["consultation"],
            starts_at=row["consultation.starts_at"],
            ends_at=row["consultation.starts_at"]
            + timedelta(minutes=row["consultation.duration_minutes"]),
            travel=timedelta(0),
        )
        for row in consultations
    ] + [
        Booking(
            person=row["facilitator"],
            kind=COMPANY_SESSION,
            source_id=row["session"],
            starts_at=row["session.starts_at"],
            ends_at=row["session.starts_at"] + timedelta(minutes=row["session.duration_minutes"]),
            travel=travel,
        )
        for row in sessions
    ]


def _double_bookings(bookings: list[Booking]) -> list[tuple[Booking, Booking]]:
    """Pairs of one person's bookings that overlap or leave less than the travel time needed
    (company sessions are on site: 30 minutes either side)."""
    by_person: dict[int, list[Booking]] = defaultdict(list)
    for booking in bookings:
        by_person[booking.person].append(booking)
    return [
        (a, b)
        for mine in by_person.values()
        for a, b in itertools.combinations(mine, 2)
        if a.starts_at < b.ends_at + max(a.travel, b.travel)
        and b.starts_at < a.ends_at + max(a.travel, b.travel)
    ]


async def test_two_server_processes_never_book_anyone_twice(
    database: str, client: httpx.AsyncClient, cast: Cast, tmp_path: Path
) -> None:
    plan = await _set_up(client, cast)
    tally = Tally()
    with Servers(database, tmp_path) as servers:
        first, second = servers.start_many(2)
        deadline = time.monotonic() + SOAK_SECONDS
        async with (
            httpx.AsyncClient(base_url=first.base_url, timeout=60) as one,
            httpx.AsyncClient(base_url=second.base_url, timeout=60) as two,
        ):
            await asyncio.gather(
                *[
                    _client(http, server, plan, tally, deadline)
                    for server, http in ((1, one), (2, two))
                    for _ in range(CLIENTS_PER_SERVER)
                ]
            )
    print(
        f"\nbooked {dict(tally.booked)}, refused {dict(tally.refused)}, "
        f"cancelled {tally.cancelled}, booked via server {dict(tally.booked_via_server)}"
    )
    assert tally.unexpected == [], "every answer is booked, or 409 naming who is busy; no 5xx"

    bookings = await _live_bookings()
    assert _double_bookings(bookings) == []
    ledger = await BusyPeriod.select(BusyPeriod.staff, BusyPeriod.kind, BusyPeriod.source_id)
    assert sorted((r["staff"], r["kind"], r["source_id"]) for r in ledger) == sorted(
        (b.person, b.kind, b.source_id) for b in bookings
    ), "the busy-time ledger and the bookings disagree"
    half_confirmed = await SessionFacilitator.count().where(
        SessionFacilitator.session.state == "requested"
    )
    assert half_confirmed == 0, "a refused confirmation left facilitators on a request"

    assert sum(tally.booked.values()) >= MIN_BOOKED
    assert set(tally.booked) == set(tally.refused) == {CONSULTATION, COMPANY_SESSION}
    assert set(tally.booked_via_server) == {1, 2}, "one server booked nothing"
    kinds_per_person = defaultdict(set)
    for booking in bookings:
        kinds_per_person[booking.person].add(booking.kind)
    assert {CONSULTATION, COMPANY_SESSION} in kinds_per_person.values(), "the tracks never met"


async def test_first_consultations_of_one_patient_booked_at_once_all_succeed(
    database: str, client: httpx.AsyncClient, cast: Cast, tmp_path: Path
) -> None:
    """Per, Frida and Nils booked for one patient at the same moment through both servers.
    Nobody is busy, so no booking may be refused because a parallel one has just moved the
    referral to «under utredning»."""
    referral_ids = await _accepted_referrals(client, cast, 5)
    kari = await bearer(cast["kari"])
    with Servers(database, tmp_path) as servers:
        first, second = servers.start_many(2)
        async with (
            httpx.AsyncClient(base_url=first.base_url, timeout=60) as one,
            httpx.AsyncClient(base_url=second.base_url, timeout=60) as two,
        ):
            for hour, referral_id in enumerate(referral_ids, start=8):
                body = {"starts_at": next_weekday_at(hour).isoformat(), "duration_minutes": 60}
                responses = await asyncio.gather(
                    *[
                        http.post(
                            f"/api/v1/referrals/{referral_id}/consultations",
                            json={**body, "staff_ids": [cast[name].id], "location": "Rom 1"},
                            headers=kari,
                        )
                        for http, name in zip((one, two, one), TEAM, strict=True)
                    ]
                )
                assert [r.status_code for r in responses] == [201] * 3, [r.text for r in responses]
    started = await StatusChange.count().where(StatusChange.to_status == "in_progress")
    assert started == len(referral_ids), "each referral moves to «under utredning» once"
