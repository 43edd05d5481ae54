"""Reference data and content carry both languages in fields (`name` / `name_en`)."""

from django.utils.translation import get_language


def localized(obj, field: str) -> str:
    """The English variant `<field>_en` when English is active and filled in."""
    if (get_language() or "ru").startswith("en"):
        value = getattr(obj, f"{field}_en", "")
        if value:
            return value
    return getattr(obj, field)
