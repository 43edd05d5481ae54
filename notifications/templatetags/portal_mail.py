"""`{% load portal_mail %}`: what the e-mail templates (notifications and account e-mails) share."""

from django import template
from django.conf import settings
from django.utils.translation import get_language

register = template.Library()


@register.filter
def greeting_name(recipient) -> str:
    """The recipient's name as the greeting in the active language uses it; "" without an account or a first name.

    The recipient is the user model (`greeting_name(language)`), which this app does not import.
    """
    method = getattr(recipient, "greeting_name", None)
    return method(get_language() or settings.LANGUAGE_CODE) if method else ""
