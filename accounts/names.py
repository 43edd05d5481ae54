"""People's names: splitting a name typed in one box, and checking and tidying a typed part.

`split_full_name` is called by the migration that replaced `User.full_name` with the three
parts (accounts/migrations/0002), so keep it free of model imports and its results stable.
"""

import re
import unicodedata

# Russian patronymics (and the Turkic «оглы»/«кызы» written as a separate word).
_PATRONYMIC = re.compile(r"(ич|вна|ична|оглы|кызы|улы)$", re.IGNORECASE)
# Endings of surnames, enough to tell «Анна Петрова» from «Петрова Анна»: strong ones that first
# names rarely have, and weak ones that many first names share (Ирина, Марина, Никита).
_SURNAME_STRONG = re.compile(r"(ов|ова|ев|ева|ёв|ёва|ский|ская|цкий|цкая|ской|цкой|енко|швили|дзе|ян)$", re.IGNORECASE)
_SURNAME_WEAK = re.compile(r"(ин|ина|ын|ына|ых|их|ук|юк|ко)$", re.IGNORECASE)
_LATIN = re.compile(r"^[A-Za-z.'’\- ]+$")

# Letters of any script, joined by one hyphen, apostrophe, space or a dot after an initial.
NAME_PART = re.compile(r"^[^\W\d_]+(?:(?:[-'’ ]|\. ?)[^\W\d_]+)*\.?$")


def _is_patronymic(word: str) -> bool:
    return bool(_PATRONYMIC.search(word))


def _surname_likeness(word: str) -> int:
    """2 for a typical surname ending, 1 for an ending first names share too, 0 otherwise."""
    if _is_patronymic(word):
        return 0
    return 2 if _SURNAME_STRONG.search(word) else 1 if _SURNAME_WEAK.search(word) else 0


def split_full_name(full_name: str) -> tuple[str, str, str]:
    """(surname, first name, patronymic) of a name typed in one box, "" for a part not known.

    The box asked for «фамилия, имя и отчество», so that is the order assumed unless the words
    say otherwise:

    1. Three words or more: a patronymic in the middle means «Имя Отчество Фамилия»; otherwise
       the first word is the surname, the second the first name and the rest the patronymic
       («Мамедов Эльчин Рашид оглы»).
    2. Two words: «Фамилия Имя» unless the second looks more like a surname than the first
       («Ирина Петрова») or is a patronymic («Наталья Игоревна»).
    3. One word: a surname if it clearly looks like one, otherwise a first name.
    4. Latin script is taken in the Western order: first names, then the surname.
    """
    words = full_name.split()
    if not words:
        return "", "", ""
    if _LATIN.match(" ".join(words)):
        if len(words) == 1:
            return "", words[0], ""
        return words[-1], " ".join(words[:-1]), ""
    if len(words) == 1:
        return (words[0], "", "") if _surname_likeness(words[0]) == 2 else ("", words[0], "")
    if len(words) == 2:
        first, second = words
        if _is_patronymic(second):
            return "", first, second
        if _surname_likeness(second) > _surname_likeness(first):
            return second, first, ""
        return first, second, ""
    if _is_patronymic(words[1]) and not _is_patronymic(words[-1]):
        return " ".join(words[2:]), words[0], words[1]
    return words[0], words[1], " ".join(words[2:])


def tidy_name_part(value: str) -> str:
    """One part of a name as it should be stored: composed letters, single spaces, a capital if typed all in lower case."""
    value = " ".join(unicodedata.normalize("NFC", value).split())
    if value and value == value.lower():
        value = "-".join(piece[:1].upper() + piece[1:] for piece in value.split("-"))
    return value
