"""`{% load typography %}`: amounts of money and elapsed time written the way each language writes them.

- `money`: «5 000 000 ₽» in Russian (non-breaking spaces between groups and before the sign),
  «RUB 5,000,000» in English; kopecks only when there are any.
- `elapsed`: how long ago a moment was, as a duration: «меньше минуты» under a minute, otherwise
  Django's `timesince` with its plural forms («2 дня, 3 часа»).
"""

from datetime import datetime, timedelta
from decimal import Decimal, InvalidOperation

from django import template
from django.utils import timezone
from django.utils.timesince import timesince
from django.utils.translation import get_language, gettext

register = template.Library()

NBSP = "\u00a0"


def _english() -> bool:
    return (get_language() or "ru").startswith("en")


@register.filter
def money(value) -> str:
    """An amount in roubles with thousands separators and the currency; "" for no amount."""
    if value is None or value == "":
        return ""
    try:
        amount = Decimal(value)
    except (InvalidOperation, TypeError, ValueError):
        return str(value)
    whole = amount == amount.to_integral_value()
    digits = f"{amount:,.0f}" if whole else f"{amount:,.2f}"
    if _english():
        return f"RUB{NBSP}{digits}"
    digits = digits.replace(",", NBSP).replace(".", ",")
    return f"{digits}{NBSP}₽"


@register.filter
def elapsed(value: datetime | None, now: datetime | None = None) -> str:
    """The time since `value` in words, as long as a duration: «меньше минуты», «5 минут», «2 дня, 3 часа»."""
    if not value:
        return ""
    now = now or timezone.now()
    if now - value < timedelta(minutes=1):
        return gettext("less than a minute")
    return timesince(value, now)
