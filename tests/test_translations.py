"""Both catalogues are complete and compiled: no Russian page falls back to English."""

import gettext
from pathlib import Path

import polib
import pytest

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
