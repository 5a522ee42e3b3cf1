"""Clinics as the other domains and the admin pages see them."""

from __future__ import annotations

from helseiarbeid.core.schemas import Schema


class Municipality(Schema):
    number: str  # kommunenummer, 4 digits
    name: str


class Member(Schema):
    user_id: int
    name: str
    email: str
    role: str


class ClinicOut(Schema):
    id: int
    name: str
    slug: str
    opening_hours: str
    her_ids: list[str]
    municipalities: list[Municipality]
    members: list[Member]


class ClinicChoice(Schema):
    """A clinic a GP may send a referral to (the referral form's choice)."""

    slug: str
    name: str
