"""Writes to a user's own account."""

from django.conf import settings
from django.utils import timezone

from .models import User


def user_record_signup(*, user: User, full_name: str, language: str) -> None:
    """At sign-up: the name, the language the person signed up in, and their personal-data consent (152-FZ)."""
    user.full_name = full_name
    user.pd_consent_at = timezone.now()
    user.pd_policy_version = settings.PRIVACY_POLICY_VERSION
    user.language = language
    user.save(update_fields=["full_name", "pd_consent_at", "pd_policy_version", "language"])


def user_set_language(*, user: User, language: str) -> None:
    """Remember the chosen language on the account: e-mails are written in it."""
    if user.language != language:
        user.language = language
        user.save(update_fields=["language"])
