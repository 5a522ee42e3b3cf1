"""Fill a migrated database with a health region's years of data, for benchmarks.

    python -m bench.generate --referrals 200000

Writes through the tables in large batches (not through the services, which would take hours
for a million rows), with the same shapes the services produce: statuses with their history,
audit rows, assessments and consultations, enterprises with programmes and sessions.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import time
from datetime import UTC, date, datetime, timedelta
from functools import lru_cache
from typing import Any

from piccolo.engine.postgres import PostgresEngine

from helseiarbeid.clinic_track.tables import Assessment, Consultation, ConsultationStaff
from helseiarbeid.clinics import services as clinics
from helseiarbeid.clinics.tables import ClinicMembership
from helseiarbeid.company_track.tables import (
    Enterprise,
    Programme,
    ProgrammeSession,
    ServiceArea,
    SessionFacilitator,
)
from helseiarbeid.core.database import write_transaction
from helseiarbeid.core.identifiers import synthetic_national_id, synthetic_org_number
from helseiarbeid.core.passwords import hash_password
from helseiarbeid.core.roles import Role
from helseiarbeid.core.tables import AuditEvent, User
from helseiarbeid.core.working_days import add_working_days, working_days_between
from helseiarbeid.referrals.tables import Patient, Referral, StatusChange

BATCH = 2_000
FEED_EVENTS = 2_000
PASSWORD = "bench-passord-123"  # noqa: S105 - synthetic bench users only
STAFF_ROLES = (
    [Role.PSYCHOLOGIST] * 30
    + [Role.PHYSICIAN] * 30
    + [Role.NAV_COUNSELLOR] * 30
    + [Role.COORDINATOR] * 10
)
PATHS = [
    (["received"], 4),
    (["received", "under_assessment"], 4),
    (["received", "under_assessment", "accepted"], 6),
    (["received", "under_assessment", "returned"], 12),
    (["received", "under_assessment", "accepted", "in_progress"], 8),
    (["received", "under_assessment", "accepted", "in_progress", "completed"], 62),
    (["received", "withdrawn"], 4),
]


async def _insert(table: Any, rows: list[Any]) -> list[int]:
    ids: list[int] = []
    # PostgreSQL takes at most 32,767 parameters in one statement.
    size = min(BATCH, 30_000 // len(table._meta.columns))
    for start in range(0, len(rows), size):
        async with write_transaction():
            result = await table.insert(*rows[start : start + size]).returning(table.id)
        ids.extend(row["id"] for row in result)
    return ids


@lru_cache(maxsize=4096)
def _due(day: date) -> date:
    return add_working_days(day, 10)


# A clinic closes its cases within months: older referrals have all reached an end status.
FINISHED = ("returned", "completed", "withdrawn")
OPEN_FOR_DAYS = 120


def _paths_at_age(days_ago: int) -> tuple[list[list[str]], list[int]]:
    """The status paths a referral received ``days_ago`` days ago can have taken, weighted."""
    if days_ago <= 14:
        candidates = PATHS[:2]
    elif days_ago > OPEN_FOR_DAYS:
        candidates = [(path, weight) for path, weight in PATHS if path[-1] in FINISHED]
    else:
        candidates = PATHS
    return [path for path, _ in candidates], [weight for _, weight in candidates]


def _waited(received: date, moment: datetime | None) -> int | None:
    return None if moment is None else working_days_between(received, moment.date())


async def users(gps: int, rng: random.Random) -> tuple[list[int], list[tuple[int, Role]]]:
    password_hash = hash_password(PASSWORD)
    now = datetime.now(UTC)
    staff_rows = [
        User(
            email=f"bench-staff{i}@bench.example",
            name=f"Ansatt {i}",
            role=role.value,
            hpr_number="9" + str(100000 + i)
            if role in (Role.PSYCHOLOGIST, Role.PHYSICIAN)
            else None,
            password_hash=password_hash,
            created_at=now,
        )
        for i, role in enumerate(STAFF_ROLES)
    ]
    staff_ids = await _insert(User, staff_rows)
    # One clinic: the first, which the migration made; the team works for it.
    clinic = await clinics.default_clinic_id()
    await _insert(
        ClinicMembership,
        [ClinicMembership(clinic=clinic, member=sid, since=now) for sid in staff_ids],
    )
    gp_rows = [
        User(
            email=f"bench-gp{i}@bench.example",
            name=f"Fastlege {i}",
            role=Role.GP.value,
            hpr_number=str(2_000_000 + i),
            workplace_name=f"Legekontor {i % 400}",
            password_hash=password_hash,
            created_at=now,
        )
        for i in range(gps)
    ]
    gp_ids = await _insert(User, gp_rows)
    return gp_ids, list(zip(staff_ids, STAFF_ROLES, strict=True))


async def referrals(
    count: int, gp_ids: list[int], staff: list[tuple[int, Role]], rng: random.Random
) -> None:
    today = date.today()
    clinic = await clinics.default_clinic_id()
    assessors = [sid for sid, role in staff if role in (Role.PSYCHOLOGIST, Role.PHYSICIAN)]
    team = [sid for sid, role in staff if role is not Role.COORDINATOR]
    patients = [
        Patient(
            national_id=synthetic_national_id(
                date(1960 + i % 40, 1 + i % 12, 1 + i % 28), i // 13440
            ),
            created_at=datetime.now(UTC),
        )
        for i in range(int(count * 0.75))
    ]
    # National IDs from the formula above can repeat; keep the first of each.
    seen: set[str] = set()
    patients = [p for p in patients if not (p.national_id in seen or seen.add(p.national_id))]  # type: ignore[func-returns-value]
    patient_ids = await _insert(Patient, patients)
    referral_rows, plans = [], []
    for i in range(count):
        days_ago = int((i / count) ** 0.8 * 3 * 365) if i else 0
        received_day = today - timedelta(days=days_ago)
        received = datetime.combine(received_day, datetime.min.time(), tzinfo=UTC) + timedelta(
            hours=8
        )
        path = rng.choices(*_paths_at_age(days_ago))[0]
        steps = []
        moment = received
        for status in path:
            steps.append((status, moment))
            moment += timedelta(days=rng.randint(1, 9))
        reached = dict(steps)
        decided = reached.get("accepted") or reached.get("returned")
        consulted = reached.get("in_progress")
        referral_rows.append(
            Referral(
                reference=f"B{i:09d}"[-10:],
                clinic=clinic,
                patient=rng.choice(patient_ids),
                patient_name=f"Pasient {i}",
                patient_address="Benkveien 1, 8000 Bodø",
                patient_phone="90000000",
                gp=rng.choice(gp_ids),
                gp_name="Fastlege",
                gp_hpr_number="2000000",
                gp_office_name="Legekontor",
                gp_office_address="",
                gp_office_phone="",
                employer_name="Arbeidsgiver AS",
                occupation="Ansatt",
                work_status="sick_leave_full",
                complaint=rng.choice(("musculoskeletal", "mental", "both")),
                description="Syntetisk beskrivelse.",
                question="Syntetisk spørsmål.",
                urgency="urgent" if rng.random() < 0.1 else "routine",
                consent_nav_participation=True,
                nav_consent="given",
                status=path[-1],
                received_at=received,
                received_on=received_day,
                assessment_due=_due(received_day),
                source="api",
                version=len(path),
                updated_at=received,
                working_days_to_assessment=_waited(received_day, decided),
                working_days_to_first_consultation=_waited(received_day, consulted),
            )
        )
        plans.append(steps)
    referral_ids = await _insert(Referral, referral_rows)
    changes, audits, assessments, consultations = [], [], [], []
    for referral_id, steps in zip(referral_ids, plans, strict=True):
        previous = None
        for status, moment in steps:
            changes.append(
                StatusChange(
                    referral=referral_id,
                    from_status=previous,
                    to_status=status,
                    changed_at=moment,
                    reason="",
                )
            )
            audits.append(
                AuditEvent(
                    occurred_at=moment,
                    actor=None,
                    actor_role="system",
                    action="update",
                    resource_type="referral",
                    resource_id=str(referral_id),
                    referral_id=referral_id,
                    purpose="benchmark",
                    client="system",
                )
            )
            if status in ("accepted", "returned"):
                assessments.append(
                    Assessment(
                        referral=referral_id,
                        decision=status,
                        reason="",
                        assessed_by=rng.choice(assessors),
                        assessed_at=moment,
                    )
                )
            if status == "in_progress":
                consultations.append((referral_id, moment))
            previous = status
    await _insert(StatusChange, changes)
    await _insert(AuditEvent, audits)
    await _insert(Assessment, assessments)
    booked_before = datetime.now(UTC)
    consultation_ids = await _insert(
        Consultation,
        [
            Consultation(
                referral=rid,
                starts_at=at,
                duration_minutes=60,
                location="Rom 1",
                created_by=assessors[0],
                # Booked before it took place, and never in the future.
                created_at=min(at, booked_before) - timedelta(days=1),
                updated_at=min(at, booked_before) - timedelta(days=1),
            )
            for rid, at in consultations
        ],
    )
    await _insert(
        ConsultationStaff,
        [ConsultationStaff(consultation=cid, staff=rng.choice(team)) for cid in consultation_ids],
    )


async def company(
    enterprises: int, sessions: int, staff: list[tuple[int, Role]], rng: random.Random
) -> None:
    area_ids = await _insert(
        ServiceArea,
        [
            ServiceArea(
                name=f"Område {i}",
                county=("Nordland", "Troms", "Finnmark")[i % 3],
                company_track_from=date(2019, 1, 1),
                individual_track_from=date(2019, 1, 1),
            )
            for i in range(12)
        ],
    )
    enterprise_ids = await _insert(
        Enterprise,
        [
            Enterprise(
                org_number=synthetic_org_number(1000 + i),
                name=f"Virksomhet {i} AS",
                address=f"Gate {i}, 8000 Bodø",
                municipality="Bodø",
                service_area=rng.choice(area_ids),
                employee_count=rng.randint(10, 500),
                created_at=datetime.now(UTC),
            )
            for i in range(enterprises)
        ],
    )
    now = datetime.now(UTC)
    programme_ids = await _insert(
        Programme,
        [
            Programme(
                enterprise=eid, status="modules_in_progress", requested_at=now, updated_at=now
            )
            for eid in enterprise_ids
        ],
    )
    health = [sid for sid, role in staff if role in (Role.PSYCHOLOGIST, Role.PHYSICIAN)]
    nav = [sid for sid, role in staff if role is Role.NAV_COUNSELLOR]
    kinds = ("anchoring", "module_1", "module_2", "module_3", "evaluation")
    session_rows = []
    for i in range(sessions):
        start = now + timedelta(days=rng.randint(-400, 300), hours=rng.randint(0, 6))
        booked = min(start, now) - timedelta(days=rng.randint(1, 60))
        session_rows.append(
            ProgrammeSession(
                programme=programme_ids[i % len(programme_ids)],
                kind=kinds[i % 5],
                state="confirmed",
                starts_at=start,
                duration_minutes=90,
                location="På arbeidsplassen",
                created_at=booked,
                updated_at=booked,
            )
        )
    session_ids = await _insert(ProgrammeSession, session_rows)
    facilitators = []
    for sid in session_ids:
        facilitators.append(SessionFacilitator(session=sid, facilitator=rng.choice(health)))
        facilitators.append(SessionFacilitator(session=sid, facilitator=rng.choice(nav)))
    await _insert(SessionFacilitator, facilitators)
    # One facilitator with a full year ahead: the staff feed of 2,000 events to measure.
    busy = staff[0][0]
    extra = await _insert(
        ProgrammeSession,
        [
            ProgrammeSession(
                programme=programme_ids[i % len(programme_ids)],
                kind="module_1",
                state="confirmed",
                starts_at=now + timedelta(hours=4 * i + 1),
                duration_minutes=90,
                location="På arbeidsplassen",
                created_at=now - timedelta(days=1),
                updated_at=now - timedelta(days=1),
            )
            for i in range(FEED_EVENTS)
        ],
    )
    await _insert(
        SessionFacilitator, [SessionFacilitator(session=s, facilitator=busy) for s in extra]
    )


async def generate(referral_count: int, seed: int = 2026) -> dict[str, float]:
    rng = random.Random(seed)
    started = time.perf_counter()
    gp_ids, staff = await users(2_000, rng)
    await referrals(referral_count, gp_ids, staff, rng)
    await company(5_000, 20_000, staff, rng)
    # What autovacuum would do in the hours after such a load: planner statistics and the
    # visibility map that index-only scans rely on.
    if isinstance(Referral._meta.db, PostgresEngine):
        for table in (
            Referral,
            StatusChange,
            AuditEvent,
            Assessment,
            Consultation,
            ConsultationStaff,
            ProgrammeSession,
            SessionFacilitator,
        ):
            await Referral.raw(f"VACUUM ANALYZE {table._meta.tablename}")
    return {"seconds": time.perf_counter() - started}


async def touch_feed_session() -> None:
    """Move one session of the bench's busiest facilitator to another room, as a reschedule
    would (new sequence and last change): the next feed fetch must rebuild."""
    staff = await User.select(User.id).where(User.email == "bench-staff0@bench.example").first()
    if staff is None:
        raise SystemExit("generate the data first")
    link = (
        await SessionFacilitator.select(SessionFacilitator.session)
        .where(SessionFacilitator.facilitator == staff["id"])
        .order_by(SessionFacilitator.id, ascending=False)
        .first()
    )
    if link is None:
        raise SystemExit("the bench facilitator has no sessions")
    async with write_transaction():
        await ProgrammeSession.update(
            {
                ProgrammeSession.location: "Møterom 2",
                ProgrammeSession.sequence: ProgrammeSession.sequence + 1,
                ProgrammeSession.updated_at: datetime.now(UTC),
            }
        ).where(ProgrammeSession.id == link["session"])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--referrals", type=int, default=20_000)
    parser.add_argument(
        "--touch-feed", action="store_true", help="change one session in the big staff feed"
    )
    args = parser.parse_args()
    if args.touch_feed:
        asyncio.run(touch_feed_session())
        return
    result = asyncio.run(generate(args.referrals))
    print(f"generated {args.referrals} referrals in {result['seconds']:.0f} s")


if __name__ == "__main__":
    main()
