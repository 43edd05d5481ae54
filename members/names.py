"""How organisation names sort and compare: by the name itself, not its legal form or quotes.

A reader looks for ООО «ПолимерФорм» under П, as in a printed directory, whether it was typed
with «ёлочки», "straight" or „German“ quotes, or with the legal form spelt out in full. The key
is stored (`Organisation.sort_name`) so that lists are ordered, and keyset-paged, by an index.
"""

import re

# Organisational and legal forms (ОПФ), abbreviated and in full, as they precede or follow a name.
# Written in lower case with «е» for «ё», as the key is compared.
LEGAL_FORMS = (
    # commercial organisations
    "общество с ограниченной ответственностью",
    "общество с дополнительной ответственностью",
    "публичное акционерное общество",
    "непубличное акционерное общество",
    "открытое акционерное общество",
    "закрытое акционерное общество",
    "акционерное общество",
    "производственный кооператив",
    "индивидуальный предприниматель",
    "крестьянское фермерское хозяйство",
    "ооо",
    "одо",
    "пао",
    "нао",
    "оао",
    "зао",
    "ао",
    "ип",
    "кфх",
    "глава кфх",
    # state and municipal enterprises and institutions
    "федеральное государственное унитарное предприятие",
    "государственное унитарное предприятие",
    "муниципальное унитарное предприятие",
    "федеральное государственное автономное образовательное учреждение высшего образования",
    "федеральное государственное бюджетное образовательное учреждение высшего образования",
    "федеральное государственное бюджетное учреждение науки",
    "федеральное государственное бюджетное учреждение",
    "федеральное государственное автономное учреждение",
    "государственное бюджетное учреждение",
    "государственное автономное учреждение",
    "государственное казенное учреждение",
    "фгуп",
    "гуп",
    "муп",
    "фгаоу во",
    "фгбоу во",
    "фгаоу",
    "фгбоу",
    "гбоу во",
    "гаоу во",
    "гбоу",
    "гаоу",
    "гбпоу",
    "фгбун",
    "фгбу",
    "фгау",
    "фгку",
    "гбу",
    "гау",
    "гку",
    "мбу",
    "мау",
    "мку",
    # non-profit organisations
    "автономная некоммерческая организация",
    "некоммерческая организация",
    "некоммерческое партнерство",
    "частное учреждение",
    "ано дпо",
    "ано во",
    "ано",
    "нко",
    "нп",
    "чоу",
    "ноу",
    "чу",
    # forms written in Latin letters
    "llc",
    "ltd",
    "jsc",
    "pjsc",
    "inc",
)

# Every kind of quotation mark a name may be typed with, and the brackets of «(фермерское)».
QUOTES = "«»‹›„“”‟\"'‘’‚‛`´″()"
_QUOTES = str.maketrans({mark: " " for mark in QUOTES})

_FORMS = "|".join(re.escape(form) for form in sorted(LEGAL_FORMS, key=len, reverse=True))
# A form at the start or the end of the name, as whole words (ao is no prefix of «аостра»).
_LEADING_FORM = re.compile(rf"^(?:{_FORMS})(?=[\s,.]|$)[\s,.]*")
_TRAILING_FORM = re.compile(rf"[\s,]+(?:{_FORMS})\.?$")
_EDGES = " ,.;:-–—"


def name_sort_key(name: str) -> str:
    """The key an organisation's name sorts and compares by.

    1. Lower case (casefold) with «е» for «ё», as Russian dictionaries file them.
    2. Quotation marks of every kind become spaces; runs of spaces become one.
    3. Legal forms at the start («ООО», «Акционерное общество», «ИП») or the end («…, ООО»)
       are dropped, repeatedly («АНО ДПО»), unless nothing of the name would remain.

    >>> name_sort_key('ООО «ПолимерФорм»') == name_sort_key('ПолимерФорм, ООО') == "полимерформ"
    True
    """
    text = " ".join(name.casefold().replace("ё", "е").translate(_QUOTES).split())
    key = text
    while True:
        stripped = _TRAILING_FORM.sub("", _LEADING_FORM.sub("", key)).strip(_EDGES)
        if stripped == key:
            break
        key = stripped
    return key or text
