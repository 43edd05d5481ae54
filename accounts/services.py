"""Writes to a user's own account."""

from django.conf import settings
from django.utils import timezone

from .models import User

NAME_FIELDS = ["last_name", "first_name", "patronymic"]


def user_record_signup(*, user: User, last_name: str, first_name: str, patronymic: str = "", language: str) -> None:
    """At sign-up: the name, the language the person signed up in, and their personal-data consent (152-FZ)."""
    user.last_name, user.first_name, user.patronymic = last_name, first_name, patronymic
    user.pd_consent_at = timezone.now()
    user.pd_policy_version = settings.PRIVACY_POLICY_VERSION
    user.language = language
    user.save(update_fields=[*NAME_FIELDS, "pd_consent_at", "pd_policy_version", "language"])


def user_rename(*, user: User, last_name: str, first_name: str, patronymic: str = "") -> None:
    """Change the person's own name (the profile page); e-mails greet by it from now on."""
    user.last_name, user.first_name, user.patronymic = last_name, first_name, patronymic
    user.save(update_fields=NAME_FIELDS)


def user_set_language(*, user: User, language: str) -> None:
    """Remember the chosen language on the account: e-mails are written in it."""
    if user.language != language:
        user.language = language
        user.save(update_fields=["language"])
