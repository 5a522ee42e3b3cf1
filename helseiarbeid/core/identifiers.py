"""Norwegian identifiers: fødselsnummer / D-number / H-number, organisasjonsnummer, HPR number.

Check digits come from python-stdnum; this module only turns its verdicts into Norwegian
messages a user can act on, and decides which synthetic (test) national IDs are accepted.
"""

from __future__ import annotations

import re
from datetime import date

from stdnum.exceptions import InvalidChecksum, InvalidComponent, InvalidLength, ValidationError
from stdnum.no import fodselsnummer, orgnr

from helseiarbeid.settings import get_settings

# The Tax Administration's synthetic population (Tenor, used by GP systems' and hospitals' test
# environments) adds 80 to the birth month, so no synthetic number can belong to a real person.
# NAV's Dolly adds 40, as H-numbers do; those are real-shaped and accepted like H-numbers.
# Source: Skatteetaten's Tenor test data documentation on synthetic national IDs.
TENOR_MONTH_OFFSET = 80


_BAD_BIRTH_DATE = "Fødselsnummeret inneholder ikke en gyldig fødselsdato."


class IdentifierError(ValueError):
    """The value is not a valid identifier; ``str(error)`` is a message for the user."""


def is_synthetic_national_id(number: str) -> bool:
    """True for a Tenor synthetic number: 11 digits whose month is 81–92."""
    return (
        len(number) == 11 and number.isdigit() and 1 <= int(number[2:4]) - TENOR_MONTH_OFFSET <= 12
    )


def validate_national_id(value: str) -> str:
    """Return the 11 digits of a valid fødselsnummer, D-number or H-number.

    A synthetic Tenor number (birth month + 80) is returned when the setting
    ``HELSEIARBEID_ACCEPT_SYNTHETIC_IDS`` is on (demo and test environments) and its check
    digits and birth date are valid; otherwise it is refused as a test number.
    Raises IdentifierError with a Norwegian message.
    """
    compact = fodselsnummer.compact(value)
    if is_synthetic_national_id(compact):
        if not get_settings().accept_synthetic_ids:
            raise IdentifierError(
                "Fødselsnummeret er et syntetisk testnummer (Tenor) "
                "og godtas bare i test- og demomiljøer."
            )
        # The same rules, checked on the number as if the month were real; the check digits
        # are computed over the synthetic digits, so they are checked first.
        if not _check_digits_match(compact):
            raise IdentifierError("Fødselsnummeret har feil kontrollsiffer.")
        real_month = int(compact[2:4]) - TENOR_MONTH_OFFSET
        as_if_real = f"{compact[:2]}{real_month:02d}{compact[4:]}"
        try:
            born = fodselsnummer.get_birth_date(as_if_real)
        except InvalidComponent as exc:
            raise IdentifierError(_BAD_BIRTH_DATE) from exc
        if born > date.today():  # noqa: DTZ011 - as python-stdnum checks real numbers
            raise IdentifierError(_BAD_BIRTH_DATE)
        return compact
    try:
        return str(fodselsnummer.validate(value))
    except InvalidLength as exc:
        raise IdentifierError("Fødselsnummeret må ha 11 siffer.") from exc
    except InvalidChecksum as exc:
        raise IdentifierError("Fødselsnummeret har feil kontrollsiffer.") from exc
    except InvalidComponent as exc:
        raise IdentifierError(_BAD_BIRTH_DATE) from exc
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


def _check_digits_match(number: str) -> bool:
    return number[9] == fodselsnummer.calc_check_digit1(number[:9]) and number[
        10
    ] == fodselsnummer.calc_check_digit2(number[:10])


def synthetic_national_id(birth_date: date, serial: int = 0, *, d_number: bool = False) -> str:
    """A synthetic fødselsnummer (or D-number) in Tenor's form: birth month + 80, right check
    digits, so it can never be a real person's number.

    Only for demo data and tests (accepted where ``HELSEIARBEID_ACCEPT_SYNTHETIC_IDS`` is on).
    Tries individual numbers from ``serial`` on (within the range that encodes the birth
    century) until both check digits exist.
    """
    day = birth_date.day + (40 if d_number else 0)
    month = birth_date.month + TENOR_MONTH_OFFSET
    low = 0 if birth_date.year < 2000 else 500
    for offset in range(500):
        individual = low + (serial + offset) % 500
        first_nine = f"{day:02d}{month:02d}{birth_date.year % 100:02d}{individual:03d}"
        check1 = fodselsnummer.calc_check_digit1(first_nine)
        check2 = fodselsnummer.calc_check_digit2(first_nine + check1)
        if check1 != "10" and check2 != "10":
            return first_nine + check1 + check2
    raise ValueError(f"no valid national ID for {birth_date}")  # pragma: no cover


def synthetic_org_number(serial: int) -> str:
    """An organisasjonsnummer with a valid check digit, from a range kept for demo and test data."""
    for stem in range(99_000_000 + serial * 100, 99_000_000 + serial * 100 + 100):
        for digit in "0123456789":
            if orgnr.is_valid(f"{stem}{digit}"):
                return f"{stem}{digit}"
    raise ValueError(f"no valid organisation number near serial {serial}")  # pragma: no cover
