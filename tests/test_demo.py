"""The demo data a newcomer sees after `make run`."""

from __future__ import annotations

from helseiarbeid.clinic_track.dashboard import dashboard
from helseiarbeid.company_track.schemas import ProgrammeStatus
from helseiarbeid.company_track.tables import Enterprise, Programme, ServiceArea
from helseiarbeid.core.identifiers import validate_national_id
from helseiarbeid.core.roles import Role
from helseiarbeid.core.tables import User
from helseiarbeid.demo import load_demo_data
from helseiarbeid.referrals.status import Status
from helseiarbeid.referrals.tables import Patient, Referral


async def test_demo_data_fills_every_role_region_and_referral_status(database: str) -> None:
    assert await load_demo_data(only_if_empty=True) is True
    roles = {row["role"] for row in await User.select(User.role)}
    assert roles == {role.value for role in Role}
    counties = {row["county"] for row in await ServiceArea.select(ServiceArea.county)}
    assert counties == {"Nordland", "Troms", "Finnmark"}
    assert await Enterprise.count() >= 6
    statuses = {row["status"] for row in await Referral.select(Referral.status)}
    assert statuses == {status.value for status in Status}
    for patient in await Patient.select(Patient.national_id):
        assert validate_national_id(patient["national_id"]) == patient["national_id"]
    programme_statuses = {row["status"] for row in await Programme.select(Programme.status)}
    assert programme_statuses == {status.value for status in ProgrammeStatus}
    areas_with_programmes = await Programme.select(Programme.enterprise.service_area.name)
    assert len({row["enterprise.service_area.name"] for row in areas_with_programmes}) >= 3
    figures = await dashboard()
    year = next(period for period in figures.periods if period.days == 365)
    assert year.to_assessment.count >= 25
    assert year.to_assessment.median is not None
    assert 3 <= year.to_assessment.median <= 10
    assert year.to_first_consultation.count >= 20
    assert figures.overdue >= 1
    assert (
        sum(
            1
            for month in figures.referrals_per_month
            if month.musculoskeletal + month.mental + month.both
        )
        >= 10
    )
    assert sum(figures.onward_destinations.values()) >= 10
    assert await load_demo_data(only_if_empty=True) is False
