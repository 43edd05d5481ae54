"""Identifiers by the official check-digit rules, with vectors computed by hand."""

import pytest
from django.core.exceptions import ValidationError

from members.validators import (
    inn_check_digits,
    legal_form_errors,
    ogrn_check_digit,
    validate_inn,
    validate_kpp,
    validate_ogrn,
)

# Real, publicly listed identifiers (ФНС register) and hand-computed ones.
VALID_INN_10 = ["7707083893", "7736050003", "7728168971", "7710140679"]
VALID_INN_12 = ["500100732259"]
VALID_OGRN = ["1027700132195", "1027700070518"]
VALID_OGRNIP = ["304500116000157"]


@pytest.mark.parametrize("inn", VALID_INN_10 + VALID_INN_12)
def test_it_accepts_valid_inn(inn):
    validate_inn(inn)


@pytest.mark.parametrize(
    "inn,code",
    [
        ("7707083894", "inn_checksum"),  # last digit changed
        ("500100732258", "inn_checksum"),  # second check digit wrong
        ("500100732269", "inn_checksum"),  # first check digit wrong
        ("770708389", "inn_format"),  # 9 digits
        ("77070838931", "inn_format"),  # 11 digits
        ("77O7083893", "inn_format"),  # a letter O
        ("0000000000", "inn_region"),
    ],
)
def test_it_refuses_invalid_inn(inn, code):
    with pytest.raises(ValidationError) as err:
        validate_inn(inn)
    assert err.value.code == code


def test_inn_check_digit_where_remainder_is_ten():
    # 7 7 0 0 0 0 0 0 1 weighted by 2 4 10 3 5 9 4 6 8: 14+28+8 = 50; 50 % 11 = 6 ...
    # search for a body whose weighted sum % 11 == 10 and check that the digit becomes 0.
    body = next(
        f"77{n:07d}"
        for n in range(10_000)
        if sum(int(d) * w for d, w in zip(f"77{n:07d}", (2, 4, 10, 3, 5, 9, 4, 6, 8))) % 11 == 10
    )
    assert inn_check_digits(body) == "0"
    validate_inn(body + "0")


@pytest.mark.parametrize("ogrn", VALID_OGRN + VALID_OGRNIP)
def test_it_accepts_valid_ogrn(ogrn):
    validate_ogrn(ogrn)


def test_ogrn_check_digit_from_remainder_ten():
    # 1027700000005: 102770000000 % 11 = 10 -> check digit 0 (remainder of 10 and above).
    body = next(f"10277{n:07d}" for n in range(100_000) if int(f"10277{n:07d}") % 11 == 10)
    assert ogrn_check_digit(body) == "0"
    validate_ogrn(body + "0")
    with pytest.raises(ValidationError):
        validate_ogrn(body + "1")


def test_ogrnip_check_digit_from_remainders_ten_to_twelve():
    for remainder in (10, 11, 12):
        body = next(f"30477{n:09d}" for n in range(100_000) if int(f"30477{n:09d}") % 13 == remainder)
        assert ogrn_check_digit(body) == str(remainder % 10)
        validate_ogrn(body + str(remainder % 10))


@pytest.mark.parametrize(
    "ogrn,code",
    [
        ("1027700132196", "ogrn_checksum"),
        ("304500116000158", "ogrn_checksum"),
        ("102770013219", "ogrn_format"),
        ("3027700132195", "ogrn_sign"),  # 13 digits must start with 1 or 5
        ("104500116000157", "ogrn_sign"),  # 15 digits must start with 3
    ],
)
def test_it_refuses_invalid_ogrn(ogrn, code):
    with pytest.raises(ValidationError) as err:
        validate_ogrn(ogrn)
    assert err.value.code == code


@pytest.mark.parametrize("kpp", ["770701001", "7707AB001", "500101001"])
def test_it_accepts_valid_kpp(kpp):
    validate_kpp(kpp)


@pytest.mark.parametrize("kpp", ["77070100", "7707010011", "77070a001", "A70701001", ""])
def test_it_refuses_invalid_kpp(kpp):
    with pytest.raises(ValidationError):
        validate_kpp(kpp)


def test_legal_entity_needs_10_13_and_kpp():
    assert legal_form_errors(legal_form="legal_entity", inn="7707083893", ogrn="1027700132195", kpp="770701001") == {}
    errors = legal_form_errors(legal_form="legal_entity", inn="500100732259", ogrn="304500116000157", kpp="")
    assert set(errors) == {"inn", "ogrn", "kpp"}


def test_sole_trader_needs_12_15_and_no_kpp():
    assert legal_form_errors(legal_form="sole_trader", inn="500100732259", ogrn="304500116000157", kpp="") == {}
    errors = legal_form_errors(legal_form="sole_trader", inn="7707083893", ogrn="1027700132195", kpp="770701001")
    assert set(errors) == {"inn", "ogrn", "kpp"}
