"""Generators of valid identifiers, for demo content, load data and tests."""

import random

from .validators import inn_check_digits, ogrn_check_digit


def make_inn(rng: random.Random, *, sole_trader: bool = False, region: str = "77") -> str:
    body = region + "".join(str(rng.randint(0, 9)) for _ in range(8 if sole_trader else 7))
    return body + inn_check_digits(body)


def make_ogrn(rng: random.Random, *, sole_trader: bool = False, region: str = "77") -> str:
    year = f"{rng.randint(2, 24):02d}"
    if sole_trader:
        body = "3" + year + region + "".join(str(rng.randint(0, 9)) for _ in range(9))
    else:
        body = "1" + year + region + "".join(str(rng.randint(0, 9)) for _ in range(7))
    return body + ogrn_check_digit(body)


def make_kpp(rng: random.Random, *, region: str = "77") -> str:
    return f"{region}{rng.randint(1, 51):02d}01001"
