"""Which clinic a new referral goes to (issue 15 §2): the one the GP chose, else the one serving
the patient's municipality, else the only clinic there is. A message to a HER-id goes to that
HER-id's clinic (``directory.clinic_for_her_ids``)."""

from __future__ import annotations

import re

from helseiarbeid.clinics.services.directory import clinic_for_municipality
from helseiarbeid.clinics.tables import Clinic
from helseiarbeid.core.errors import InvalidInput

MUNICIPALITY = re.compile(r"\d{4}")
CHOOSE_CLINIC = (
    "Velg hvilken klinikk henvisningen skal til: ingen klinikk dekker pasientens kommune "
    "automatisk."
)


async def route_referral(clinic_slug: str | None, municipality: str | None) -> int:
    """The clinic id for a referral from the form or API.

    ``clinic_slug`` (the GP's choice) wins when given; else the clinic serving
    ``municipality`` (kommunenummer, 4 digits); else the only clinic when there is one.
    InvalidInput (422) on «clinic» for an unknown clinic or when the GP must choose, on
    «municipality» for a number that is not four digits."""
    if clinic_slug:
        row = await Clinic.select(Clinic.id).where(Clinic.slug == clinic_slug).first()
        if row is None:
            raise InvalidInput({"clinic": "Velg en av klinikkene i listen."})
        return int(row["id"])
    if municipality:
        if not MUNICIPALITY.fullmatch(municipality):
            raise InvalidInput({"patient.municipality": "Kommunenummeret må være fire sifre."})
        found = await clinic_for_municipality(municipality)
        if found is not None:
            return found
    rows = await Clinic.select(Clinic.id).limit(2)
    if len(rows) == 1:
        return int(rows[0]["id"])
    raise InvalidInput({"clinic": CHOOSE_CLINIC})
