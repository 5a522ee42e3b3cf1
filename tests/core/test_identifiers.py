"""Norwegian identifiers: check digits from python-stdnum, messages in Norwegian."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st
from stdnum.no import fodselsnummer

from helseiarbeid.core.identifiers import (
    IdentifierError,
    is_synthetic_national_id,
    synthetic_national_id,
    synthetic_org_number,
    validate_hpr_number,
    validate_national_id,
    validate_org_number,
)
from helseiarbeid.settings import get_settings


@pytest.fixture
def production(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Settings as in production: synthetic national IDs are not accepted."""
    monkeypatch.setenv("HELSEIARBEID_ACCEPT_SYNTHETIC_IDS", "false")
    get_settings.cache_clear()
    yield
    monkeypatch.undo()
    get_settings.cache_clear()


def _with_check_digits(first_nine: str) -> str:
    """The first nine digits completed with the individual numbers' check digits."""
    for individual in range(int(first_nine[6:9]), 1000):
        stem = f"{first_nine[:6]}{individual:03d}"
        check1 = fodselsnummer.calc_check_digit1(stem)
        check2 = fodselsnummer.calc_check_digit2(stem + check1)
        if check1 != "10" and check2 != "10":
            return stem + check1 + check2
    raise AssertionError(f"no check digits for {first_nine}")


def test_a_synthetic_fodselsnummer_is_valid_and_keeps_its_digits() -> None:
    number = synthetic_national_id(date(1985, 3, 14))
    assert validate_national_id(number) == number
    assert validate_national_id(f"{number[:6]} {number[6:]}") == number


def test_d_number_and_h_number_are_accepted() -> None:
    d_number = synthetic_national_id(date(1990, 7, 2), d_number=True)
    assert d_number[0] in "4567"
    assert validate_national_id(d_number) == d_number


def test_the_issue_example_a_tenor_number_is_accepted_when_the_setting_is_on() -> None:
    assert validate_national_id("15858010060") == "15858010060"
    assert validate_national_id("158580 10060") == "15858010060"


@given(st.dates(min_value=date(1930, 1, 1), max_value=date(2020, 12, 31)), st.integers(0, 499))
def test_synthetic_numbers_are_tenor_numbers_with_valid_check_digits(
    birth: date, serial: int
) -> None:
    number = synthetic_national_id(birth, serial)
    assert is_synthetic_national_id(number)
    assert int(number[2:4]) == birth.month + 80
    assert validate_national_id(number) == number


@pytest.mark.parametrize(
    ("first_nine", "message"),
    [
        ("318280100", "fødselsdato"),  # 31 February
        ("019380100", "fødselsdato"),  # month 13
        ("01819950", "11 siffer"),
    ],
)
def test_tenor_numbers_are_held_to_the_same_rules(first_nine: str, message: str) -> None:
    number = _with_check_digits(first_nine) if len(first_nine) == 9 else first_nine
    with pytest.raises(IdentifierError, match=message):
        validate_national_id(number)


def test_a_tenor_number_born_in_the_future_is_refused() -> None:
    next_year = date.today().year % 100 + 1  # noqa: DTZ011 - as python-stdnum
    with pytest.raises(IdentifierError, match="fødselsdato"):
        validate_national_id(_with_check_digits(f"0181{next_year:02d}500"))


@pytest.mark.usefixtures("production")
def test_production_refuses_a_tenor_number_and_says_it_is_a_test_number() -> None:
    with pytest.raises(IdentifierError, match="er et syntetisk testnummer"):
        validate_national_id("15858010060")
    with pytest.raises(IdentifierError, match="er et syntetisk testnummer"):
        validate_national_id(synthetic_national_id(date(1990, 7, 2), d_number=True))


@pytest.mark.usefixtures("production")
def test_production_accepts_dolly_and_h_numbers_as_before() -> None:
    """NAV's Dolly adds 40 to the month, as H-numbers do: real-shaped, accepted as today."""
    h_number = _with_check_digits("154580100")
    assert validate_national_id(h_number) == h_number
    assert not is_synthetic_national_id(h_number)


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
