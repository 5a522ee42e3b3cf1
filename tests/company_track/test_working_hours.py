"""One working-hours rule for both tracks: a consultation and a company session are refused
(or accepted) at the same times — Oslo time, working days, the opening hours, in the future,
and the whole appointment must fit."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from helseiarbeid.clinic_track.tables import Consultation
from helseiarbeid.company_track.tables import ProgrammeSession
from helseiarbeid.core.clock import OSLO, today_in_oslo
from helseiarbeid.core.tables import BusyPeriod
from helseiarbeid.referrals.tables import ReferralDocument
from tests.cast import bearer
from tests.clinic_track.conftest import Pathway
from tests.company_track.conftest import Company, working_day_at
from tests.referrals.factories import referral_body


def _next_saturday_at(hour: int) -> datetime:
    day = today_in_oslo() + timedelta(days=7)
    day += timedelta(days=(5 - day.weekday()) % 7)
    return datetime(day.year, day.month, day.day, hour, 0, tzinfo=OSLO)


# (what, start, minutes, words in the message): the observed faults first.
REFUSED = [
    ("a Saturday", lambda: _next_saturday_at(10), 60, "helg eller helligdag"),
    ("22:00 on a working day", lambda: working_day_at(7, 22), 60, "arbeidstiden 08:00–16:00"),
    ("07:00", lambda: working_day_at(7, 7), 60, "arbeidstiden 08:00–16:00"),
    ("ends after closing", lambda: working_day_at(7, 15, 30), 60, "ferdig innen 16:00"),
    ("in the past", lambda: working_day_at(7, 10) - timedelta(days=14), 60, "allerede vært"),
]


async def _accepted_referral(company: Company) -> Pathway:
    referral = await company.client.post(
        "/api/v1/referrals", json=referral_body(), headers=await bearer(company.cast["gp_anne"])
    )
    pathway = Pathway(company.client, company.cast, referral.json()["id"])
    assert (await pathway.accept()).status_code == 201
    return pathway


@pytest.mark.parametrize(("what", "start", "minutes", "words"), REFUSED)
async def test_both_tracks_refuse_the_same_times(
    company: Company, what: str, start: object, minutes: int, words: str
) -> None:
    starts_at = start()  # type: ignore[operator]
    pathway = await _accepted_referral(company)
    consultation = await pathway.book(["per", "nils"], starts_at, minutes)
    assert consultation.status_code == 422, (what, consultation.text)
    assert words in consultation.json()["errors"]["starts_at"], what
    programme_id = await company.programme()
    coordinator = await company.book(programme_id, "anchoring", starts_at)
    assert coordinator.status_code == 422, (what, coordinator.text)
    assert words in coordinator.json()["errors"]["starts_at"], what
    contact = await company.post(
        "erik",
        f"/programmes/{programme_id}/sessions",
        {"kind": "anchoring", "starts_at": starts_at.isoformat()},
    )
    assert contact.status_code == 422, (what, contact.text)
    assert words in contact.json()["errors"]["starts_at"], what
    # Nothing stored: no consultation, no appointment letter, no session, no busy time.
    assert await Consultation.count() == 0
    assert await ReferralDocument.count().where(ReferralDocument.kind == "appointment_letter") == 0
    assert await ProgrammeSession.count() == 0
    assert await BusyPeriod.count() == 0


async def test_the_last_slot_of_the_day_fits_in_both_tracks(company: Company) -> None:
    """15:00–16:00 ends at closing time: allowed in both tracks."""
    pathway = await _accepted_referral(company)
    assert (await pathway.book(["per"], working_day_at(7, 15), 60)).status_code == 201
    programme_id = await company.programme()
    booked = await company.book(programme_id, "anchoring", working_day_at(8, 15))
    assert booked.status_code == 201, booked.text


async def test_moving_a_session_follows_the_same_rule(company: Company) -> None:
    programme_id = await company.programme()
    booked = await company.book(programme_id, "anchoring", working_day_at(7, 9))
    session_id = booked.json()["id"]
    for starts_at, words in (
        (_next_saturday_at(10), "helg eller helligdag"),
        (working_day_at(9, 22), "arbeidstiden 08:00–16:00"),
    ):
        moved = await company.post(
            "kari", f"/sessions/{session_id}/reschedule", {"starts_at": starts_at.isoformat()}
        )
        assert moved.status_code == 422, moved.text
        assert words in moved.json()["errors"]["starts_at"]
    session = await ProgrammeSession.select(ProgrammeSession.starts_at).first()
    assert session is not None
    assert session["starts_at"] == working_day_at(7, 9)
