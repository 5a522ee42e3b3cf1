"""Norwegian identifiers: fødselsnummer / D-number / H-number, organisasjonsnummer, HPR number.

Check digits come from python-stdnum; this module only turns its verdicts into Norwegian
messages a user can act on.
"""

from __future__ import annotations

import re
from datetime import date

from stdnum.exceptions import InvalidChecksum, InvalidComponent, InvalidLength, ValidationError
from stdnum.no import fodselsnummer, orgnr


class IdentifierError(ValueError):
    """The value is not a valid identifier; ``str(error)`` is a message for the user."""


def validate_national_id(value: str) -> str:
    """Return the 11 digits of a valid fødselsnummer, D-number or H-number."""
    try:
        return str(fodselsnummer.validate(value))
    except InvalidLength as exc:
        raise IdentifierError("Fødselsnummeret må ha 11 siffer.") from exc
    except InvalidChecksum as exc:
        raise IdentifierError("Fødselsnummeret har feil kontrollsiffer.") from exc
    except InvalidComponent as exc:
        raise IdentifierError("Fødselsnummeret inneholder ikke en gyldig fødselsdato.") from exc
    except ValidationError as exc:
        raise IdentifierError("Fødselsnummeret kan bare inneholde siffer.") from exc


def validate_org_number(value: str) -> str:
    """Return the 9 digits of a valid organisasjonsnummer."""
    try:
        return str(orgnr.validate(value))
    except InvalidLength as exc:
        raise IdentifierError("Organisasjonsnummeret må ha 9 siffer.") from exc
    except InvalidChecksum as exc:
        raise IdentifierError("Organisasjonsnummeret har feil kontrollsiffer.") from exc
    except ValidationError as exc:
        raise IdentifierError("Organisasjonsnummeret kan bare inneholde siffer.") from exc


# The Health Personnel Register assigns numbers of up to nine digits; none starts with 0.
_HPR_SHAPE = re.compile(r"[1-9][0-9]{3,8}")


def validate_hpr_number(value: str) -> str:
    """Return a well-shaped HPR number (4–9 digits, no leading zero).

    HPR numbers carry no check digit, so shape is all that can be checked offline.
    """
    compact = value.strip().replace(" ", "")
    if not _HPR_SHAPE.fullmatch(compact):
        raise IdentifierError("HPR-nummeret må være 4–9 siffer og kan ikke begynne med 0.")
    return compact


def synthetic_national_id(birth_date: date, serial: int = 0, *, d_number: bool = False) -> str:
    """A fødselsnummer (or D-number) for a fictitious person: right shape, right check digits.

    Only for demo data and tests. Tries individual numbers from ``serial`` on (within the range
    that encodes the birth century) until both check digits exist.
    """
    day = birth_date.day + (40 if d_number else 0)
    low = 0 if birth_date.year < 2000 else 500
    for offset in range(500):
        individual = low + (serial + offset) % 500
        first_nine = f"{day:02d}{birth_date.month:02d}{birth_date.year % 100:02d}{individual:03d}"
        check1 = fodselsnummer.calc_check_digit1(first_nine)
        check2 = fodselsnummer.calc_check_digit2(first_nine + check1)
        if check1 != "10" and check2 != "10":
            return validate_national_id(first_nine + check1 + check2)
    raise ValueError(f"no valid national ID for {birth_date}")  # pragma: no cover


def synthetic_org_number(serial: int) -> str:
    """An organisasjonsnummer with a valid check digit, from a range kept for demo and test data."""
    for stem in range(99_000_000 + serial * 100, 99_000_000 + serial * 100 + 100):
        for digit in "0123456789":
            if orgnr.is_valid(f"{stem}{digit}"):
                return f"{stem}{digit}"
    raise ValueError(f"no valid organisation number near serial {serial}")  # pragma: no cover
