"""Fictitious demo data: three clinics (Nordland, Troms, Finnmark) with their teams, HER-ids and
municipalities, GPs, and enterprises in the three counties.

Every person is invented. National IDs are synthetic (Tenor's form, birth month + 80), so no demo
patient can be a real person. Organisation numbers are computed to pass the check digit and are
not meant to match real enterprises. Later domains extend this with referrals and programmes.
"""

from __future__ import annotations

import random
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import date, datetime, timedelta
from datetime import time as clock_time

import msgspec
from litestar.concurrency import sync_to_thread

from helseiarbeid.clinic_track import services as clinic
from helseiarbeid.clinic_track.schemas import (
    AssessmentCreate,
    ClarificationUpdate,
    ConsultationCreate,
    Decision,
    Destination,
    OnwardReferralCreate,
    Outcome,
    OutcomeUpdate,
    Priority,
    Recommendation,
    TriageNoteCreate,
)
from helseiarbeid.clinics import services as clinics
from helseiarbeid.company_track import services as company
from helseiarbeid.company_track.schemas import (
    AnchoringRecord,
    AttendanceRecord,
    EnterpriseCreate,
    EvaluationRecord,
    GoalCreate,
    GoalMeasure,
    SessionCreate,
    SessionKind,
)
from helseiarbeid.core import totp, users
from helseiarbeid.core.audit import Actor
from helseiarbeid.core.clock import OSLO, pinned, today_in_oslo, utcnow
from helseiarbeid.core.database import current_engine, write_transaction
from helseiarbeid.core.errors import Conflict
from helseiarbeid.core.identifiers import synthetic_national_id, synthetic_org_number
from helseiarbeid.core.passwords import hash_password
from helseiarbeid.core.roles import Role
from helseiarbeid.core.tables import User
from helseiarbeid.core.users import CurrentUser
from helseiarbeid.core.working_days import add_working_days, is_working_day
from helseiarbeid.referrals import services as referrals
from helseiarbeid.referrals.schemas import (
    Complaint,
    EmployerIn,
    PatientIn,
    ReferralCreate,
    Urgency,
    WorkStatus,
)
from helseiarbeid.regions import services as regions
from helseiarbeid.surveys import services as surveys

# The password of every demo user; printed by `make run`. Demo data never goes to production.
DEMO_PASSWORD = "demo-passord-123"  # noqa: S105 - demo data only, printed by make run

CLINIC = ("HelseIArbeid, Nordlandssykehuset Bodø", "Parkveien 95, 8005 Bodø", "75 53 40 00")

TEAM = [
    ("koordinator@helseiarbeid.example", "Kari Koordinator", Role.COORDINATOR, None),
    ("psykolog@helseiarbeid.example", "Per Psykolog", Role.PSYCHOLOGIST, "9100001"),
    ("lege@helseiarbeid.example", "Frida Fysikalsk", Role.PHYSICIAN, "9100002"),
    ("nav@helseiarbeid.example", "Nils NAV-veileder", Role.NAV_COUNSELLOR, None),
    ("psykolog2@helseiarbeid.example", "Sara Solberg", Role.PSYCHOLOGIST, "9100003"),
    ("nav2@helseiarbeid.example", "Ole Olsen", Role.NAV_COUNSELLOR, None),
    ("admin@helseiarbeid.example", "Ada Personvernombud", Role.ADMIN, None),
    ("statistikk@helseiarbeid.example", "Stine Statistikk", Role.STATISTICS, None),
]

GPS = [
    (
        "fastlege.bodo@legekontor.example",
        "Anne Fastlege",
        "9200001",
        ("Sentrum legekontor Bodø", "Storgata 10, 8006 Bodø", "75 50 10 10"),
    ),
    (
        "fastlege.tromso@legekontor.example",
        "Bjørn Berg",
        "9200002",
        ("Tromsø legesenter", "Grønnegata 5, 9008 Tromsø", "77 60 20 20"),
    ),
    (
        "fastlege.alta@legekontor.example",
        "Cecilie Dahl",
        "9200003",
        ("Alta legekontor", "Markedsgata 3, 9510 Alta", "78 40 30 30"),
    ),
    (
        "fastlege.svolvaer@legekontor.example",
        "David Eriksen",
        "9200004",
        ("Svolvær legesenter", "Torget 1, 8300 Svolvær", "76 06 40 40"),
    ),
]

# The three clinics (issue 15): slug, name, opening hours, HER-ids (fictitious), the
# municipalities they serve (kommunenummer, name) and their staff beside the Bodø team above.
CLINICS = [
    (
        "nordland",
        "HelseIArbeid Nordland, Nordlandssykehuset Bodø",
        "Mandag–fredag 08.00–15.30",
        ("8110001", "8110002"),
        [
            ("1804", "Bodø"),
            ("1806", "Narvik"),
            ("1833", "Rana"),
            ("1841", "Fauske"),
            ("1860", "Vestvågøy"),
            ("1865", "Vågan"),
            ("1866", "Hadsel"),
            ("1870", "Sortland"),
        ],
    ),
    (
        "troms",
        "HelseIArbeid Troms, UNN Tromsø",
        "Mandag–fredag 08.00–15.00",
        ("8120001",),
        [
            ("5501", "Tromsø"),
            ("5503", "Harstad"),
            ("5524", "Målselv"),
            ("5530", "Senja"),
            ("5532", "Balsfjord"),
            ("5536", "Lyngen"),
            ("5544", "Nordreisa"),
        ],
    ),
    (
        "finnmark",
        "HelseIArbeid Finnmark, Klinikk Alta",
        "Mandag–torsdag 08.00–15.30",
        ("8130001",),
        [
            ("5601", "Alta"),
            ("5603", "Hammerfest"),
            ("5605", "Sør-Varanger"),
            ("5607", "Vadsø"),
            ("5610", "Karasjok"),
            ("5612", "Kautokeino"),
            ("5622", "Porsanger"),
        ],
    ),
]
CLINIC_TEAMS = {
    "troms": (
        ("UNN Tromsø, HelseIArbeid", "Sykehusveien 38, 9019 Tromsø", "77 62 60 00"),
        [
            ("koordinator.troms@helseiarbeid.example", "Tone Tollefsen", Role.COORDINATOR, None),
            ("psykolog.troms@helseiarbeid.example", "Henrik Hansen", Role.PSYCHOLOGIST, "9100011"),
            ("lege.troms@helseiarbeid.example", "Ingrid Isaksen", Role.PHYSICIAN, "9100012"),
            ("nav.troms@helseiarbeid.example", "Jonas Johansen", Role.NAV_COUNSELLOR, None),
        ],
    ),
    "finnmark": (
        ("Klinikk Alta, HelseIArbeid", "Markveien 31, 9510 Alta", "78 97 30 00"),
        [
            ("koordinator.alta@helseiarbeid.example", "Marit Mikkelsen", Role.COORDINATOR, None),
            ("psykolog.alta@helseiarbeid.example", "Aslak Somby", Role.PSYCHOLOGIST, "9100021"),
            ("lege.alta@helseiarbeid.example", "Elle Eira", Role.PHYSICIAN, "9100022"),
            ("nav.alta@helseiarbeid.example", "Per Nilsen Hætta", Role.NAV_COUNSELLOR, None),
        ],
    ),
}
# Where each demo GP's patients live (kommunenummer), so their referrals reach that clinic.
GP_MUNICIPALITY = {
    "fastlege.bodo@legekontor.example": "1804",
    "fastlege.tromso@legekontor.example": "5501",
    "fastlege.alta@legekontor.example": "5601",
    "fastlege.svolvaer@legekontor.example": "1865",
}
DEMO_ADMIN = Actor(user_id=None, role="system", client="demo")

SERVICE_AREAS = [
    ("Salten", "Nordland", date(2019, 1, 1), date(2019, 1, 1)),
    ("Lofoten og Vesterålen", "Nordland", date(2020, 1, 1), date(2019, 1, 1)),
    ("Troms", "Troms", date(2019, 1, 1), date(2019, 1, 1)),
    ("Vest-Finnmark", "Finnmark", date(2019, 1, 1), date(2019, 1, 1)),
]

PRIVATE = "Privat og offentlig næringsvirksomhet"
MUNICIPAL = "Kommunal forvaltning"
ENTERPRISES = [
    ("Bodø Havnelager AS", "Havnegata 12, 8006 Bodø", "Bodø", "Salten", 85, "Lager og logistikk"),
    ("Salten Omsorgssenter", "Rønvikveien 4, 8009 Bodø", "Bodø", "Salten", 140, "Helse og omsorg"),
    (
        "Lofotfisk AS",
        "Kaiveien 2, 8300 Svolvær",
        "Vågan",
        "Lofoten og Vesterålen",
        60,
        "Fiskeindustri",
    ),
    ("Tromsø Renhold AS", "Skippergata 20, 9008 Tromsø", "Tromsø", "Troms", 45, "Renhold"),
    ("Ishavsbygg AS", "Sjøgata 8, 9008 Tromsø", "Tromsø", "Troms", 110, "Bygg og anlegg"),
    ("Alta Skiferbrudd AS", "Bruddveien 1, 9510 Alta", "Alta", "Vest-Finnmark", 70, "Bergverk"),
    ("Finnsnes Mekaniske AS", "Verkstedveien 3, 9300 Finnsnes", "Senja", "Troms", 55, "Industri"),
    # Five more Nordland enterprises with completed programmes, so NAV Arbeidslivssenter
    # Nordland has the 5 enterprises an outcome figure needs (issue 16 §11).
    ("Fauske Trevare AS", "Sagveien 5, 8200 Fauske", "Fauske", "Salten", 65, "Trelast"),
    (
        "Rana Industriservice AS",
        "Verksveien 10, 8622 Mo i Rana",
        "Rana",
        "Salten",
        120,
        "Metallindustri",
    ),
    ("Narvik Havn KF", "Havnegata 1, 8514 Narvik", "Narvik", "Salten", 50, "Havn og sjøtransport"),
    (
        "Saltdal Sykehjem",
        "Storjordveien 2, 8250 Rognan",
        "Saltdal",
        "Salten",
        75,
        "Sykehjem",
    ),
    (
        "Vestvågøy Renovasjon AS",
        "Lufthavnveien 4, 8370 Leknes",
        "Vestvågøy",
        "Lofoten og Vesterålen",
        40,
        "Avfall og renovasjon",
    ),
]

# The NAV regions (NAV Arbeidslivssenter) and the municipalities each serves; who works for
# which: the Bodø clinic's team travels to both, Ole (NAV) works only for Troms og Finnmark.
NAV_REGIONS = {
    "NAV Arbeidslivssenter Nordland": [
        "Bodø",
        "Fauske",
        "Saltdal",
        "Rana",
        "Narvik",
        "Vågan",
        "Vestvågøy",
        "Hadsel",
    ],
    "NAV Arbeidslivssenter Troms og Finnmark": [
        "Tromsø",
        "Senja",
        "Harstad",
        "Alta",
        "Hammerfest",
        "Vadsø",
    ],
}
TROMS_ONLY = {"nav2@helseiarbeid.example"}

# Sick-leave figures: 12 quarters back from the last one that is over, per enterprise (in the
# order above: the first has the completed programme) with its industry and sector beside it.
FIGURE_QUARTERS = 12
# Sick leave in % at the start, and how much it falls each quarter (the completed programme's
# enterprise falls most; the rest drift).
SICK_LEAVE_START = [8.9, 9.4, 7.8, 10.2, 6.9, 7.4, 8.1, 9.1, 8.4, 7.9, 10.6, 8.8]
SICK_LEAVE_FALL = [0.2, 0.05, 0.0, 0.1, -0.05, 0.0, 0.05, 0.2, 0.15, 0.1, 0.25, 0.05]
INDUSTRY_PEOPLE = 40_000
SECTOR_PEOPLE = {PRIVATE: 1_900_000, MUNICIPAL: 520_000}


def _nordland_plan(k: int) -> dict[str, object]:
    """The k-th of five Nordland programmes completed over the last year, a week apart."""
    return {
        "anchoring": -420 + 8 * k,
        "module_1": -390 + 8 * k,
        "module_2": -360 + 8 * k,
        "module_3": -330 + 8 * k,
        "evaluation": -45 - 8 * k,
    }


# Which programme each enterprise has, in order: one in every status. (sessions as days from
# today; None = not booked; "requested" marks an enterprise's wish the coordinator has not
# confirmed.)
PROGRAMMES: list[tuple[str, dict[str, object]]] = [
    (
        "completed",
        {"anchoring": -130, "module_1": -110, "module_2": -95, "module_3": -80, "evaluation": -30},
    ),
    (
        "evaluation_scheduled",
        {"anchoring": -95, "module_1": -75, "module_2": -60, "module_3": -45, "evaluation": 16},
    ),
    ("modules_in_progress", {"anchoring": -45, "module_1": -24, "module_2": 6}),
    ("anchored", {"anchoring": -12}),
    ("anchoring_scheduled", {"anchoring": 11}),
    ("requested", {"anchoring": "requested"}),
    ("cancelled", {"anchoring": 22}),
    # The five Nordland programmes completed over the last year.
    *[("completed", _nordland_plan(k)) for k in range(5)],
]


FIRST_NAMES = [
    "Lise",
    "Tor",
    "Marte",
    "Jonas",
    "Ingrid",
    "Kristian",
    "Sofie",
    "Henrik",
    "Nora",
    "Emil",
    "Ida",
    "Ola",
    "Hanne",
    "Magnus",
    "Silje",
    "Anders",
    "Kari",
    "Eirik",
    "Tone",
    "Sindre",
]
LAST_NAMES = [
    "Lyngstad",
    "Andreassen",
    "Nilsen",
    "Pedersen",
    "Johansen",
    "Olsen",
    "Berg",
    "Larsen",
    "Hansen",
    "Karlsen",
    "Kristiansen",
    "Jensen",
    "Eriksen",
    "Solheim",
    "Mikalsen",
    "Pettersen",
]
OCCUPATIONS = [
    "Lagermedarbeider",
    "Helsefagarbeider",
    "Renholder",
    "Tømrer",
    "Fisker",
    "Sykepleier",
    "Butikkmedarbeider",
    "Barnehagelærer",
    "Sjåfør",
    "Kontormedarbeider",
]
DESCRIPTIONS = {
    Complaint.MUSCULOSKELETAL: "Langvarige smerter i nakke og skuldre, forverret av tunge løft.",
    Complaint.MENTAL: "Søvnvansker, uro og nedstemthet siste månedene; sliter med å møte på jobb.",
    Complaint.BOTH: "Korsryggsmerter og økende nedstemthet; redd for å falle ut av arbeid.",
}
ONWARD = [
    (Destination.PHYSIOTHERAPY, "Fysioterapi Sentrum", "Veiledet styrketrening for rygg og nakke."),
    (
        Destination.MUNICIPAL_MENTAL_HEALTH,
        "Rask psykisk helsehjelp Bodø",
        "Kurs i mestring av søvnvansker og uro.",
    ),
    (Destination.NAV_WORK_MEASURES, "NAV Salten", "Arbeidsrettet oppfølging og tilrettelegging."),
    (Destination.DPS, "Salten DPS", "Utredning av langvarig depresjon."),
    (Destination.REHABILITATION, "Rehabiliteringssenteret Nordland", "Tverrfaglig rehabilitering."),
]
REFERRALS_PER_YEAR = 40
# Recent referrals: (days ago, what happened) — new ones, two past their deadline, one withdrawn.
RECENT = (
    (0, "received"),
    (1, "received"),
    (1, "forwarded"),
    (2, "withdrawn"),
    (3, "received"),
    (6, "triaged"),
    (16, "triaged"),
    (20, "received"),
)


def _at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, clock_time(hour, minute), tzinfo=OSLO)


def _weekday_on_or_after(day: date) -> date:
    while not is_working_day(day):
        day += timedelta(days=1)
    return day


def _demo_referral(rng: random.Random, index: int, received: date) -> ReferralCreate:
    complaint = rng.choices(list(Complaint), weights=(40, 30, 30))[0]
    work_status = rng.choices(list(WorkStatus), weights=(25, 35, 35, 5))[0]
    employer = ENTERPRISES[index % len(ENTERPRISES)]
    urgent = rng.random() < 0.1
    born = date(rng.randint(1962, 2000), rng.randint(1, 12), rng.randint(1, 28))
    sick = work_status in (WorkStatus.SICK_LEAVE_FULL, WorkStatus.SICK_LEAVE_GRADED)
    return ReferralCreate(
        patient=PatientIn(
            national_id=synthetic_national_id(born, index * 7, d_number=index % 17 == 5),
            name=f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}",
            address=f"Demoveien {index + 1}, {employer[1].split(', ')[1]}",
            phone=f"9{rng.randint(1000000, 9999999)}",
        ),
        employer=EmployerIn(
            name=employer[0], org_number=synthetic_org_number(index % len(ENTERPRISES))
        ),
        occupation=rng.choice(OCCUPATIONS),
        work_status=work_status,
        sick_leave_percent=rng.choice((20, 40, 50, 60))
        if work_status is WorkStatus.SICK_LEAVE_GRADED
        else None,
        sick_leave_since=received - timedelta(days=rng.randint(14, 120)) if sick else None,
        complaint=complaint,
        description=DESCRIPTIONS[complaint],
        complaint_duration=f"{rng.randint(2, 18)} måneder",
        question="Vurdering av arbeidsevne og hvilke tiltak som kan hjelpe pasienten å stå i jobb.",
        history="Ingen alvorlig sykdom tidligere.",
        medication="Paracetamol ved behov." if rng.random() < 0.5 else "",
        urgency=Urgency.URGENT if urgent else Urgency.ROUTINE,
        urgency_reason="Står i fare for å miste jobben." if urgent else None,
        consent_nav_participation=True,
    )


def _actor(user: CurrentUser) -> Actor:
    return Actor(user_id=user.id, role=user.role.value, client="web")


async def _follow_case(
    rng: random.Random,
    referral_id: int,
    received: date,
    team: dict[Role, CurrentUser],
    gp: CurrentUser,
    today: date,
) -> None:
    """Play the team's work on one referral forward in time, as far as today allows."""
    assessor = team[rng.choice((Role.PHYSICIAN, Role.PSYCHOLOGIST))]
    triage_day = add_working_days(received, 1)
    if triage_day >= today:
        return
    if rng.random() < 0.05:
        with pinned(_at(triage_day, 8, 30)):
            await referrals.withdraw(
                gp, _actor(gp), referral_id, "Pasienten er tilbake i full jobb"
            )
        return
    for role in (Role.PSYCHOLOGIST, Role.PHYSICIAN, Role.NAV_COUNSELLOR):
        with pinned(_at(triage_day, 9 + len(role.value) % 5)):
            await clinic.add_triage_note(
                team[role],
                _actor(team[role]),
                referral_id,
                TriageNoteCreate(
                    note="Aktuell for tverrfaglig vurdering.", recommendation=Recommendation.ACCEPT
                ),
            )
    # Most are assessed within the 10 working days; a few are late.
    assessed = add_working_days(
        received, rng.choices((3, 5, 7, 9, 12), weights=(20, 30, 25, 15, 10))[0]
    )
    if assessed >= today:
        return
    returned = rng.random() < 0.15
    with pinned(_at(assessed, 13)):
        await clinic.assess(
            assessor,
            _actor(assessor),
            referral_id,
            AssessmentCreate(
                decision=Decision.RETURNED if returned else Decision.ACCEPTED,
                start_deadline=None if returned else assessed + timedelta(days=42),
                priority=None if returned else Priority.NORMAL,
                reason="Bedre hjulpet av kommunale tjenester." if returned else "",
            ),
        )
    if returned or rng.random() < 0.1:
        return
    consultation_day = _weekday_on_or_after(assessed + timedelta(days=rng.randint(7, 24)))
    staff = [team[Role.PSYCHOLOGIST], team[Role.PHYSICIAN], team[Role.NAV_COUNSELLOR]]
    coordinator = team[Role.COORDINATOR]
    booked = None
    with pinned(_at(assessed, 14)):
        for attempt in range(6):
            try:
                async with _undone_if_refused():
                    booked = await clinic.book_consultation(
                        coordinator,
                        _actor(coordinator),
                        referral_id,
                        ConsultationCreate(
                            starts_at=_at(consultation_day, 9 + attempt),
                            duration_minutes=60,
                            staff_ids=[member.id for member in staff],
                            location="Poliklinikken, rom 2",
                        ),
                    )
                break
            except Conflict:
                continue
    finished = add_working_days(consultation_day, 3)
    if finished >= today:
        return
    nav = team[Role.NAV_COUNSELLOR]
    with pinned(_at(finished, 10)):
        await clinic.save_clarification(
            nav,
            _actor(nav),
            referral_id,
            ClarificationUpdate(
                summary="Arbeidsevnen er redusert; pasienten kan øke gradvis med tilrettelegging.",
                coping_plan="Daglig aktivitet, faste søvnrutiner, pusteteknikk ved uro.",
                work_recommendations="Gradert arbeid 50 % i fire uker, så 80 %. Unngå tunge løft.",
                follow_up="Fastlegen følger opp sykmeldingen; ny kontakt med NAV om fire uker.",
            ),
        )
        if rng.random() < 0.6:
            destination, name, reason = rng.choice(ONWARD)
            # Referrals into health services are a clinician's; NAV registers NAV measures.
            author = assessor if destination.is_health_service else nav
            await clinic.add_onward_referral(
                author,
                _actor(author),
                referral_id,
                OnwardReferralCreate(
                    destination_type=destination, destination_name=name, reason=reason
                ),
            )
        if booked is not None:
            await clinic.record_outcome(
                coordinator,
                _actor(coordinator),
                referral_id,
                booked.id,
                OutcomeUpdate(outcome=Outcome.HELD),
            )
        await clinic.write_report(assessor, _actor(assessor), referral_id, None)


def _for_gp(gp: CurrentUser, data: ReferralCreate) -> ReferralCreate:
    """The referral with the GP's patients' municipality, which routes it to a clinic."""
    patient = msgspec.structs.replace(data.patient, municipality=GP_MUNICIPALITY[gp.email])
    return msgspec.structs.replace(data, patient=patient)


async def _load_referrals(
    gps: list[CurrentUser],
    teams: dict[int, dict[Role, CurrentUser]],
    progress: Callable[[str], None],
) -> None:
    """A year of referrals, each as far along as its age allows, so every status is present;
    each followed by the team of the clinic it reached. One recent referral is forwarded from
    Nordland to Troms (the patient moved)."""
    rng = random.Random(2026)  # noqa: S311 - the same believable demo data on every machine
    today = today_in_oslo()
    total = REFERRALS_PER_YEAR + len(RECENT)
    for index in range(REFERRALS_PER_YEAR):
        if index % 10 == 0:
            progress(f"Demo data: referrals {index + 1}–{min(index + 10, total)} of {total} ...")
        received = _weekday_on_or_after(
            today - timedelta(days=int(365 * (1 - index / REFERRALS_PER_YEAR)))
        )
        gp = gps[index % len(gps)]
        with pinned(_at(received, 8 + index % 8, 15)):
            submission = await referrals.submit(
                gp,
                _for_gp(gp, _demo_referral(rng, index, received)),
                key=None,
                source="web" if index % 2 else "api",
            )
        team = teams[await referrals.clinic_of(submission.receipt.id) or 0]
        await _follow_case(rng, submission.receipt.id, received, team, gp, today)
    progress(f"Demo data: referrals {REFERRALS_PER_YEAR + 1}–{total} of {total} ...")
    for offset, (days_ago, state) in enumerate(RECENT):
        received = today - timedelta(days=days_ago)
        index = REFERRALS_PER_YEAR + offset
        gp = gps[index % len(gps)]
        with pinned(_at(received, 8, 5) if days_ago else utcnow()):
            submission = await referrals.submit(
                gp, _for_gp(gp, _demo_referral(rng, index, received)), key=None, source="api"
            )
        team = teams[await referrals.clinic_of(submission.receipt.id) or 0]
        if state == "forwarded":
            coordinator = team[Role.COORDINATOR]
            with pinned(_at(received, 13)):
                await referrals.forward(
                    coordinator,
                    _actor(coordinator),
                    submission.receipt.id,
                    to_clinic="troms",
                    reason="Pasienten har flyttet til Tromsø og skal følges opp der.",
                )
        if state == "withdrawn":
            await referrals.withdraw(
                gp, _actor(gp), submission.receipt.id, "Pasienten er tilbake i full jobb"
            )
        if state == "triaged":
            psychologist = team[Role.PSYCHOLOGIST]
            with pinned(_at(received + timedelta(days=1), 9)):
                await clinic.add_triage_note(
                    psychologist,
                    _actor(psychologist),
                    submission.receipt.id,
                    TriageNoteCreate(
                        note="Trenger mer informasjon om arbeidssituasjonen.",
                        recommendation=Recommendation.MORE_INFORMATION,
                    ),
                )


def _pairs(team: list[CurrentUser]) -> list[list[int]]:
    health = [member.id for member in team if member.role in (Role.PSYCHOLOGIST, Role.PHYSICIAN)]
    nav = [member.id for member in team if member.role is Role.NAV_COUNSELLOR]
    return [[h, n] for n in nav for h in health]


async def _book_demo_session(
    coordinator: CurrentUser,
    contact: CurrentUser,
    programme_id: int,
    kind: SessionKind,
    days: int,
    pairs: list[list[int]],
    *,
    requested: bool = False,
) -> datetime | None:
    """Book on the first free hour of the first working day ``days`` from today."""
    day = _weekday_on_or_after(today_in_oslo() + timedelta(days=days))
    hours = (9, 12) if kind.is_module else (9, 10, 12, 13, 14)
    for hour in hours:
        for pair in pairs:
            starts = _at(day, hour)
            try:
                with pinned(starts - timedelta(days=30)):
                    async with _undone_if_refused():
                        await company.add_session(
                            contact if requested else coordinator,
                            programme_id,
                            SessionCreate(
                                kind=kind,
                                starts_at=starts,
                                facilitator_ids=None if requested else pair,
                            ),
                        )
                return starts
            except Conflict:
                continue
    return None


async def _load_programme(
    enterprise_id: int,
    contact: CurrentUser,
    team: list[CurrentUser],
    status: str,
    plan: dict[str, object],
) -> None:
    """Play one enterprise's programme forward to the wanted status."""
    coordinator = next(member for member in team if member.role is Role.COORDINATOR)
    start = min((d for d in plan.values() if isinstance(d, int)), default=0) - 40
    with pinned(_at(today_in_oslo() + timedelta(days=start), 9)):
        programme_id = await company.request_programme(contact, enterprise_id)
    held: dict[SessionKind, datetime] = {}
    for kind in SessionKind:
        days = plan.get(kind.value)
        if days is None:
            continue
        when = await _book_demo_session(
            coordinator,
            contact,
            programme_id,
            kind,
            days if isinstance(days, int) else 14,
            _pairs(team),
            requested=days == "requested",
        )
        if when is not None:
            held[kind] = when
        if kind is SessionKind.ANCHORING and when is not None and when < utcnow():
            with pinned(when + timedelta(hours=2)):
                await company.record_anchoring(
                    coordinator,
                    programme_id,
                    AnchoringRecord(
                        participants="Daglig leder, HR-leder, tillitsvalgt og verneombud",
                        agreed_deliveries="Tre moduler for alle ansatte, to samlinger ved behov.",
                    ),
                )
                year = today_in_oslo().year + 1
                await company.add_goal(
                    coordinator,
                    programme_id,
                    GoalCreate(
                        description="Lavere sykefravær",
                        indicator="Sykefravær siste fire kvartaler",
                        target=7.5,
                        measure=GoalMeasure.FOUR_QUARTERS,
                        due_year=year,
                        due_quarter=4,
                    ),
                )
                await company.add_goal(
                    coordinator,
                    programme_id,
                    GoalCreate(
                        description="Færre langtidssykmeldte",
                        indicator="Langtidsfravær",
                        baseline=2.4,
                        target=2.0,
                        unit="%",
                    ),
                )
    programme = await company.get_programme(coordinator, programme_id)
    for session in programme.sessions:
        if session.kind.is_module and session.starts_at < utcnow():
            with pinned(session.ends_at):
                await company.record_attendance(
                    coordinator,
                    session.id,
                    AttendanceRecord(
                        invited=60,
                        attended=40 + session.id % 12,
                        tasks="Finn én ting som kan gjøres lettere.",
                        ia_notes="Gode innspill om løfteteknikk og arbeidsfordeling.",
                    ),
                )
    evaluation = held.get(SessionKind.EVALUATION)
    if status == "completed" and evaluation is not None:
        host = next(member for member in team if member.role is Role.PSYCHOLOGIST)
        for session in programme.sessions:
            if session.starts_at < utcnow() and session.kind is not SessionKind.ANCHORING:
                await _run_demo_survey(host, session.id, session.ends_at, seed=session.id)
        with pinned(evaluation + timedelta(hours=2)):
            await company.record_evaluation(
                coordinator,
                programme_id,
                EvaluationRecord(
                    assessment="Godt gjennomført; de ansatte bruker oppgavene i hverdagen.",
                    further_plans="Oppfølging i IA-utvalget hvert kvartal.",
                    measured={goal.id: goal.target - 0.1 for goal in programme.goals},
                ),
            )
    if status == "cancelled":
        await company.cancel_programme(coordinator, programme_id, "Virksomheten omorganiseres.")


async def _run_demo_survey(
    host: CurrentUser, session_id: int, ends_at: datetime, *, seed: int
) -> None:
    """The session's survey as a room would answer it, ten minutes before the end: 12–20
    phones, every group opened, answered (mostly the first options) and closed."""
    rng = random.Random(seed)  # noqa: S311 - demo answers, not a secret
    with pinned(ends_at - timedelta(minutes=10)):
        survey_id = await surveys.start_survey(host, session_id)
        survey = await surveys.get_survey(host, survey_id)
        tokens = [(await surveys.join(survey.code, "demo"))[1] for _ in range(rng.randint(12, 20))]
        for group in survey.groups:
            await surveys.open_group(host, survey_id, group.id)
            for token in tokens:
                choices = {
                    q.item_id: q.options[min(int(rng.expovariate(1.1)), len(q.options) - 1)].id
                    for q in group.questions
                }
                await surveys.answer(survey.code, token, choices)
            await surveys.close_group(host, survey_id, group.id)
        await surveys.close_survey(host, survey_id)


def _sick_leave_csv() -> str:
    """The demo enterprises' quarterly figures with their industries' and sectors', as a CSV in
    the shape the coordinator imports (``company_track.services.sick_leave``)."""
    last = company.Quarter.of(today_in_oslo()).back(1)
    lines = ["kategori;kode;arstall;kvartal;antpers;taptedv;muligedv"]
    for index, (_, _, _, _, employees, industry) in enumerate(ENTERPRISES):
        org_number = synthetic_org_number(index)
        for back in range(FIGURE_QUARTERS):
            quarter = last.back(back)
            step = FIGURE_QUARTERS - 1 - back
            percent = SICK_LEAVE_START[index] - SICK_LEAVE_FALL[index] * step
            seasonal = 0.6 if quarter.number == 1 else (-0.5 if quarter.number == 3 else 0.0)
            possible = employees * 60
            lost = round(possible * (percent + seasonal) / 100, 1)
            lines.append(
                f"VIRKSOMHET;{org_number};{quarter.year};{quarter.number};{employees};"
                f"{lost};{possible}"
            )
            industry_possible = INDUSTRY_PEOPLE * 60
            industry_lost = round(industry_possible * (7.2 + index * 0.2 + seasonal) / 100, 1)
            lines.append(
                f"BRANSJE;{industry};{quarter.year};{quarter.number};{INDUSTRY_PEOPLE};"
                f"{industry_lost};{industry_possible}"
            )
    for sector, people in SECTOR_PEOPLE.items():
        for back in range(FIGURE_QUARTERS):
            quarter = last.back(back)
            seasonal = 0.6 if quarter.number == 1 else (-0.5 if quarter.number == 3 else 0.0)
            possible = people * 60
            base = 6.4 if sector == PRIVATE else 8.6
            lost = round(possible * (base + seasonal) / 100, 1)
            lines.append(
                f"SEKTOR;{sector};{quarter.year};{quarter.number};{people};{lost};{possible}"
            )
    return "\n".join(lines) + "\n"


async def load_demo_data(
    *, only_if_empty: bool, progress: Callable[[str], None] = lambda line: None
) -> bool:
    """Load the demo data; False when ``only_if_empty`` and users already exist.

    Everything is written in one transaction (on SQLite, seconds saved: not a new connection
    for each of some 4,000 queries and a commit for each of some 400 service calls), and the
    same service calls as live requests make it. So a load that fails half-way leaves the
    database empty and ``seed-demo --if-empty`` can simply be run again. ``progress`` is
    handed one line per stage (``make run`` prints them). It holds the write lock throughout:
    load demo data before serving, as ``make run`` does.
    """
    started = time.monotonic()
    async with write_transaction():
        if only_if_empty and await User.exists():
            return False
        progress("Demo data: the team, GPs and enterprises ...")
        team_members, gps, enterprises = await _load_people_and_enterprises()
        team: dict[Role, CurrentUser] = {}
        for member in team_members:
            team.setdefault(member.role, member)
        progress("Demo data: three clinics ...")
        teams = await _load_clinics(team_members, password_hash=await _password_hash())
        await _load_referrals(gps, teams, progress)
        progress("Demo data: sick-leave figures per quarter ...")
        await company.import_figures(team[Role.COORDINATOR], _sick_leave_csv())
        progress(f"Demo data: {len(PROGRAMMES)} company programmes ...")
        for (enterprise_id, contact), (status, plan) in zip(enterprises, PROGRAMMES, strict=True):
            await _load_programme(enterprise_id, contact, team_members, status, plan)
    progress(f"Demo data loaded in {time.monotonic() - started:.0f} s.")
    return True


async def _password_hash() -> str:
    row = await User.select(User.password_hash).where(User.role == Role.GP.value).first()
    return str(row["password_hash"]) if row else await sync_to_thread(hash_password, DEMO_PASSWORD)


async def _load_clinics(
    bodo_team: list[CurrentUser], *, password_hash: str
) -> dict[int, dict[Role, CurrentUser]]:
    """The three clinics: the migration's first clinic becomes Nordland (the Bodø team's);
    Troms and Finnmark get their own staff. Each with HER-ids and municipalities served.
    Returns each clinic's team (one person per clinic role) by clinic id."""
    first = (await clinics.list_clinics([await clinics.default_clinic_id() or 0]))[0]
    teams: dict[int, dict[Role, CurrentUser]] = {}
    north = next(
        region_id
        for region_id, name in (await regions.region_names()).items()
        if name == "NAV Arbeidslivssenter Troms og Finnmark"
    )
    for slug, name, hours, her_ids, places in CLINICS:
        if slug == "nordland":
            slug = first.slug
            await clinics.update_clinic(DEMO_ADMIN, slug, name=name, opening_hours=hours)
            staff = [m for m in bodo_team if m.role not in (Role.ADMIN, Role.STATISTICS)]
        else:
            await clinics.create_clinic(DEMO_ADMIN, name=name, slug=slug, opening_hours=hours)
            (office, address, phone), people = CLINIC_TEAMS[slug]
            staff = []
            for email, person, role, hpr in people:
                member = await users.create_user(
                    email=email,
                    name=person,
                    role=role,
                    password_hash=password_hash,
                    hpr_number=hpr,
                    workplace_name=office,
                    workplace_address=address,
                    workplace_phone=phone,
                )
                await totp.enrol_demo(member.id, member.email)
                staff.append(member)
        for her_id in her_ids:
            if await clinics.clinic_for_her_ids([her_id]) is None:
                await clinics.add_her_id(DEMO_ADMIN, slug, her_id)
        for number, place in places:
            await clinics.add_municipality(DEMO_ADMIN, slug, number=number, name=place)
        team: dict[Role, CurrentUser] = {}
        for member in staff:
            await clinics.add_member(DEMO_ADMIN, slug, member.id)
            team.setdefault(member.role, member)
            # Troms' and Finnmark's teams deliver the company track in their own NAV region.
            if slug != first.slug and member.role in regions.MEMBER_ROLES:
                await regions.add_member(member.id, north)
        teams[await clinics.clinic_by_slug(slug)] = team
    return teams


async def _load_people_and_enterprises() -> tuple[
    list[CurrentUser], list[CurrentUser], list[tuple[int, CurrentUser]]
]:
    """The clinic team, the GPs, the service areas and the enterprises with their contacts."""
    # One hash for the one demo password: argon2 costs tens of milliseconds per user on purpose.
    password_hash = await sync_to_thread(hash_password, DEMO_PASSWORD)
    team_members = [
        await users.create_user(
            email=email,
            name=name,
            role=role,
            password_hash=password_hash,
            hpr_number=hpr,
            workplace_name=CLINIC[0],
            workplace_address=CLINIC[1],
            workplace_phone=CLINIC[2],
        )
        for email, name, role, hpr in TEAM
    ]
    # The team needs a second factor: each account gets its published demo authenticator, whose
    # codes `helseiarbeid totp-code --email …` prints (core/totp.py).
    for member in team_members:
        if totp.required_for(member.role):
            await totp.enrol_demo(member.id, member.email)
    # The system account that delivers health messages: no password, it posts with an API
    # token (`helseiarbeid create-token`), so it never logs in.
    await users.create_user(
        email="meldinger@helseiarbeid.example",
        name="Meldingstjenesten",
        role=Role.MESSAGING,
        password=None,
    )
    gps = [
        await users.create_user(
            email=email,
            name=name,
            role=Role.GP,
            password_hash=password_hash,
            hpr_number=hpr,
            workplace_name=office,
            workplace_address=address,
            workplace_phone=phone,
        )
        for email, name, hpr, (office, address, phone) in GPS
    ]
    region_ids = {}
    for region_name, municipalities in NAV_REGIONS.items():
        region_ids[region_name] = await regions.create_region(region_name)
        for municipality in municipalities:
            await regions.assign_municipality(municipality, region_ids[region_name])
    for member in team_members:
        if member.role not in regions.MEMBER_ROLES:
            continue
        for region_name, region_id in region_ids.items():
            if member.email not in TROMS_ONLY or "Troms" in region_name:
                await regions.add_member(member.id, region_id)
    areas = {}
    for name, county, company_from, individual_from in SERVICE_AREAS:
        areas[name] = await company.create_service_area(
            name, county, company_track_from=company_from, individual_track_from=individual_from
        )
    enterprises: list[tuple[int, CurrentUser]] = []
    for index, (name, address, municipality, area, employees, industry) in enumerate(ENTERPRISES):
        enterprise_id = await company.create_enterprise(
            EnterpriseCreate(
                org_number=synthetic_org_number(index),
                name=name,
                address=address,
                municipality=municipality,
                service_area_id=areas[area],
                employee_count=employees,
                industry=industry,
                sector=MUNICIPAL if "Omsorgssenter" in name or "Sykehjem" in name else PRIVATE,
                union_representative="Tillitsvalgt " + name.split()[0],
                safety_delegate="Verneombud " + name.split()[0],
            )
        )
        contact = await users.create_user(
            email=f"kontakt{index + 1}@virksomhet.example",
            name=f"Kontaktperson {name}",
            role=Role.ENTERPRISE_CONTACT,
            password_hash=password_hash,
            workplace_name=name,
        )
        await company.add_contact(enterprise_id, contact.id)
        enterprises.append((enterprise_id, contact))
    return team_members, gps, enterprises


@asynccontextmanager
async def _undone_if_refused() -> AsyncIterator[None]:
    """A savepoint around a booking the demo tries: when the service refuses it (Conflict),
    whatever it wrote before refusing is rolled back, as its own transaction would have been."""
    transaction = current_engine().current_transaction.get()
    if transaction is None:  # pragma: no cover - load_demo_data always opens one
        raise RuntimeError("demo bookings are tried inside load_demo_data's transaction")
    savepoint = await transaction.savepoint()
    try:
        yield
    except Conflict:
        await savepoint.rollback_to()
        raise
    await savepoint.release()
