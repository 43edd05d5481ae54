"""Russian company identifiers: ИНН, ОГРН/ОГРНИП and КПП by the official rules.

The check-digit algorithms follow the Federal Tax Service (ФНС) rules:
- ИНН of a legal entity (10 digits): weights 2 4 10 3 5 9 4 6 8, check = sum % 11 % 10.
- ИНН of a person / ИП (12 digits): two check digits, weights 7 2 4 10 3 5 9 4 6 8
  and 3 7 2 4 10 3 5 9 4 6 8.
- ОГРН (13 digits): check = first 12 digits as a number % 11 % 10.
- ОГРНИП (15 digits): check = first 14 digits as a number % 13 % 10.
- КПП (9 characters): 4 digits of the tax office, 2 of the reason (digits or A–Z),
  3 digits of the serial number.
"""

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

INN10_WEIGHTS = (2, 4, 10, 3, 5, 9, 4, 6, 8)
INN12_WEIGHTS_1 = (7, 2, 4, 10, 3, 5, 9, 4, 6, 8)
INN12_WEIGHTS_2 = (3, 7, 2, 4, 10, 3, 5, 9, 4, 6, 8)
KPP_RE = re.compile(r"^\d{4}[0-9A-Z]{2}\d{3}$")
OKVED_RE = re.compile(r"^\d{2}(\.\d{1,2}){0,2}$")


def _weighted_check(digits: str, weights: tuple[int, ...]) -> int:
    return sum(int(d) * w for d, w in zip(digits, weights)) % 11 % 10


def inn_check_digits(body: str) -> str:
    """Return the check digit(s) that complete a 9- or 10-digit ИНН body."""
    if len(body) == 9:
        return str(_weighted_check(body, INN10_WEIGHTS))
    if len(body) == 10:
        first = str(_weighted_check(body, INN12_WEIGHTS_1))
        return first + str(_weighted_check(body + first, INN12_WEIGHTS_2))
    raise ValueError("an ИНН body has 9 or 10 digits")


def ogrn_check_digit(body: str) -> str:
    """Return the check digit for a 12-digit ОГРН or 14-digit ОГРНИП body."""
    if len(body) == 12:
        return str(int(body) % 11 % 10)
    if len(body) == 14:
        return str(int(body) % 13 % 10)
    raise ValueError("an ОГРН body has 12 or 14 digits")


def validate_inn(value: str) -> None:
    if not value.isdigit() or len(value) not in (10, 12):
        raise ValidationError(
            _("INN must consist of 10 digits (legal entity) or 12 digits (individual entrepreneur)."),
            code="inn_format",
        )
    if value.startswith("00"):
        raise ValidationError(_("INN cannot start with 00: the first two digits are a region code."), code="inn_region")
    body = value[:9] if len(value) == 10 else value[:10]
    if value[len(body) :] != inn_check_digits(body):
        raise ValidationError(_("INN check digit is wrong: please check the number for typos."), code="inn_checksum")


def validate_ogrn(value: str) -> None:
    if not value.isdigit() or len(value) not in (13, 15):
        raise ValidationError(
            _("OGRN must consist of 13 digits; OGRNIP of an individual entrepreneur of 15 digits."),
            code="ogrn_format",
        )
    if len(value) == 13 and value[0] not in "15":
        raise ValidationError(_("OGRN of a legal entity starts with 1 or 5."), code="ogrn_sign")
    if len(value) == 15 and value[0] != "3":
        raise ValidationError(_("OGRNIP of an individual entrepreneur starts with 3."), code="ogrn_sign")
    if value[-1] != ogrn_check_digit(value[:-1]):
        raise ValidationError(_("OGRN check digit is wrong: please check the number for typos."), code="ogrn_checksum")


def validate_kpp(value: str) -> None:
    if not KPP_RE.match(value):
        raise ValidationError(
            _("KPP must consist of 9 characters: 4 digits, 2 digits or capital Latin letters, 3 digits."),
            code="kpp_format",
        )


def validate_okved(value: str) -> None:
    if not OKVED_RE.match(value):
        raise ValidationError(_("OKVED code looks like 62, 62.01 or 28.99.3."), code="okved_format")


def legal_form_errors(*, legal_form: str, inn: str, ogrn: str, kpp: str) -> dict[str, ValidationError]:
    """Errors by field where the identifiers do not fit the legal form.

    A legal entity has a 10-digit ИНН, a 13-digit ОГРН and a КПП; an individual
    entrepreneur (ИП) has a 12-digit ИНН, a 15-digit ОГРНИП and no КПП.
    """
    from .models import LegalForm

    errors = {}
    if legal_form == LegalForm.LEGAL_ENTITY:
        if inn and len(inn) != 10:
            errors["inn"] = ValidationError(_("A legal entity has a 10-digit INN."), code="inn_legal_form")
        if ogrn and len(ogrn) != 13:
            errors["ogrn"] = ValidationError(_("A legal entity has a 13-digit OGRN."), code="ogrn_legal_form")
        if not kpp:
            errors["kpp"] = ValidationError(_("KPP is required for a legal entity."), code="kpp_required")
    elif legal_form == LegalForm.SOLE_TRADER:
        if inn and len(inn) != 12:
            errors["inn"] = ValidationError(_("An individual entrepreneur has a 12-digit INN."), code="inn_legal_form")
        if ogrn and len(ogrn) != 15:
            errors["ogrn"] = ValidationError(
                _("An individual entrepreneur has a 15-digit OGRNIP."), code="ogrn_legal_form"
            )
        if kpp:
            errors["kpp"] = ValidationError(
                _("An individual entrepreneur has no KPP: leave the field empty."), code="kpp_forbidden"
            )
    return errors
