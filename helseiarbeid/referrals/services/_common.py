"""What the referral service modules share: the reference a GP reads aloud, and the patient row a
referral is filed under (from the form, ``submission``, and from a health message,
``received``)."""

from __future__ import annotations

import secrets
from datetime import datetime

from helseiarbeid.core.database import insert_row
from helseiarbeid.referrals.tables import Patient

REFERENCE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"  # no 0/O, 1/I/L: easy to read aloud


def new_reference() -> str:
    """A fresh reference, «HIA-» and six characters of ``REFERENCE_ALPHABET`` (31^6 ≈ 887
    million); unique by the table's index, so a caller retries on a unique violation."""
    return "HIA-" + "".join(secrets.choice(REFERENCE_ALPHABET) for _ in range(6))


async def patient_id_of(national_id: str, now: datetime) -> int:
    """The patient's id, registering a new patient (a race with another first referral for
    the same patient ends in a unique violation, which the caller retries). Call inside the
    caller's write transaction."""
    existing = await Patient.select(Patient.id).where(Patient.national_id == national_id).first()
    if existing:
        return int(existing["id"])
    return await insert_row(Patient, {"national_id": national_id, "created_at": now})
