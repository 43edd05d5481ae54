"""Reference data and content carry both languages in fields (`name` / `name_en`).

The field without a suffix holds the Russian text, `<field>_en` the English one. A page shows
its own language and falls back to the other only when its own is empty; the fallback is
marked with `lang` (`{% bilingual %}` in `core.templatetags.bilingual`), so a screen reader
reads it in the right voice and nobody mistakes it for a missing translation of the page.
"""

from dataclasses import dataclass

from django.utils.translation import get_language


@dataclass(frozen=True)
class LocalizedText:
    text: str
    language: str  # the language the text is written in: "ru" or "en"
    fallback: bool  # the page's own language was empty, so this is the other one

    def __str__(self) -> str:
        return self.text

    def __bool__(self) -> bool:
        return bool(self.text)


def page_language() -> str:
    return "en" if (get_language() or "ru").startswith("en") else "ru"


def localized_text(obj, field: str) -> LocalizedText:
    """`obj.<field>` (Russian) or `obj.<field>_en` (English) in the active language, the other when empty."""
    texts = {"ru": getattr(obj, field) or "", "en": getattr(obj, f"{field}_en", "") or ""}
    own = page_language()
    other = "ru" if own == "en" else "en"
    if texts[own] or not texts[other]:
        return LocalizedText(texts[own], own, False)
    return LocalizedText(texts[other], other, True)


def localized(obj, field: str) -> str:
    """The text of `localized_text`, where no markup can carry its language (page titles, e-mails, choices)."""
    return localized_text(obj, field).text
