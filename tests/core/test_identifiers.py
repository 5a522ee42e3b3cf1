"""Norwegian identifiers: check digits from python-stdnum, messages in Norwegian."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from helseiarbeid.core.identifiers import (
    IdentifierError,
    synthetic_national_id,
    synthetic_org_number,
    validate_hpr_number,
    validate_national_id,
    validate_org_number,
)


def test_a_synthetic_fodselsnummer_is_valid_and_keeps_its_digits() -> None:
    number = synthetic_national_id(date(1985, 3, 14))
    assert validate_national_id(number) == number
    assert validate_national_id(f"{number[:6]} {number[6:]}") == number


def test_d_number_and_h_number_are_accepted() -> None:
    d_number = synthetic_national_id(date(1990, 7, 2), d_number=True)
    assert d_number[0] in "4567"
    assert validate_national_id(d_number) == d_number


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("1234", "må ha 11 siffer"),
        ("abcdefghijk", "bare inneholde siffer"),
        ("32138512345", "kontrollsiffer"),
    ],
)
def test_bad_national_ids_get_a_message_that_says_what_is_wrong(value: str, message: str) -> None:
    with pytest.raises(IdentifierError, match=message):
        validate_national_id(value)


@given(st.dates(min_value=date(1930, 1, 1), max_value=date(2020, 12, 31)), st.integers(0, 499))
def test_changing_one_digit_of_a_valid_number_is_always_caught(birth: date, serial: int) -> None:
    number = synthetic_national_id(birth, serial)
    for position in (9, 10):
        wrong = number[:position] + str((int(number[position]) + 1) % 10) + number[position + 1 :]
        with pytest.raises(IdentifierError):
            validate_national_id(wrong)


def test_org_numbers() -> None:
    number = synthetic_org_number(1)
    assert validate_org_number(number) == number
    assert validate_org_number(f"{number[:3]} {number[3:6]} {number[6:]}") == number
    wrong = number[:-1] + str((int(number[-1]) + 1) % 10)
    with pytest.raises(IdentifierError, match="kontrollsiffer"):
        validate_org_number(wrong)
    with pytest.raises(IdentifierError, match="9 siffer"):
        validate_org_number("12345")


@pytest.mark.parametrize("value", ["1234", "123456789", " 9100001 "])
def test_hpr_numbers_of_the_right_shape(value: str) -> None:
    assert validate_hpr_number(value) == value.strip()


@pytest.mark.parametrize("value", ["", "123", "0123456", "1234567890", "12a4567"])
def test_hpr_numbers_of_the_wrong_shape(value: str) -> None:
    with pytest.raises(IdentifierError, match="HPR-nummeret"):
        validate_hpr_number(value)
