"""Both catalogues are complete and compiled: no Russian page falls back to English."""

import gettext
import re
from pathlib import Path

import polib
import pytest
from django.urls import reverse

LOCALE = Path(__file__).resolve().parent.parent / "locale"


@pytest.mark.parametrize("language", ["ru", "en"])
def test_every_message_is_translated(language):
    po = polib.pofile(str(LOCALE / language / "LC_MESSAGES" / "django.po"))
    assert len(po) > 500
    assert [e.msgid for e in po.untranslated_entries()] == []
    assert [e.msgid for e in po.fuzzy_entries()] == []


@pytest.mark.parametrize("language", ["ru", "en"])
def test_the_compiled_catalogue_matches_the_source(language):
    po = polib.pofile(str(LOCALE / language / "LC_MESSAGES" / "django.po"))
    with open(LOCALE / language / "LC_MESSAGES" / "django.mo", "rb") as mo:
        compiled = gettext.GNUTranslations(mo)
    stale = [
        e.msgid for e in po if not e.msgid_plural and compiled.pgettext(e.msgctxt, e.msgid) != e.msgstr if e.msgctxt
    ] + [e.msgid for e in po if not e.msgid_plural and not e.msgctxt and compiled.gettext(e.msgid) != e.msgstr]
    assert stale == [], "run `make messages` (compilemessages) after editing the .po files"


CYRILLIC = re.compile(r"[А-Яа-яЁё]")
# Russian entries that are rightly written in Latin letters: the language's own name on the switcher.
LATIN_IN_RUSSIAN = {"English"}


PLACEHOLDER = re.compile(r"%\(\w+\)[sd]")


def _texts(entry) -> list[str]:
    """The translations of an entry, placeholders left out."""
    texts = entry.msgstr_plural.values() if entry.msgid_plural else [entry.msgstr]
    return [PLACEHOLDER.sub("", text) for text in texts]


def test_english_has_no_cyrillic():
    """English labels say INN, OGRN, KPP, OKVED, not ИНН, ОГРН, КПП, ОКВЭД."""
    po = polib.pofile(str(LOCALE / "en" / "LC_MESSAGES" / "django.po"))
    assert [e.msgid for e in po if any(CYRILLIC.search(t) for t in _texts(e))] == []


def test_russian_is_not_left_in_latin_letters():
    po = polib.pofile(str(LOCALE / "ru" / "LC_MESSAGES" / "django.po"))
    latin = [
        e.msgid
        for e in po
        if e.msgid not in LATIN_IN_RUSSIAN
        and re.search("[A-Za-z]{2}", PLACEHOLDER.sub("", e.msgid))
        and all(_texts(e))  # untranslated entries fail test_every_message_is_translated
        and not any(CYRILLIC.search(t) for t in _texts(e))
    ]
    assert latin == []


def test_russian_quotes_are_guillemets():
    """«ёлочки» in Russian text, never "…" or “…”."""
    po = polib.pofile(str(LOCALE / "ru" / "LC_MESSAGES" / "django.po"))
    assert [e.msgid for e in po if any(q in t for t in _texts(e) for q in '"“”„')] == []


def test_russian_says_el_pochta_not_e_mail():
    po = polib.pofile(str(LOCALE / "ru" / "LC_MESSAGES" / "django.po"))
    assert [e.msgid for e in po if any(re.search("(?i)e-?mail", t) for t in _texts(e))] == []


@pytest.mark.django_db
def test_the_account_pages_say_el_pochta(client):
    """The account library's own labels are said the portal's way (accounts/wording.py)."""
    from django.utils import translation

    from accounts.wording import LIBRARY_WORDING

    with translation.override("ru"):
        russian = [translation.gettext(msgid) for msgid in LIBRARY_WORDING]
    assert all("эл. почт" in text.lower() for text in russian), russian
    login = client.get(reverse("account_login")).content.decode()
    assert "Эл. почта" in login
    assert "E-mail" not in login
