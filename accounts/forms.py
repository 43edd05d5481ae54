"""The person's name: asked at sign-up (allauth's ACCOUNT_SIGNUP_FORM_CLASS, with the 152-FZ
consent) and on the name page (`accounts:profile`)."""

from django import forms
from django.conf import settings
from django.urls import reverse_lazy
from django.utils.functional import lazy
from django.utils.html import format_html
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from .names import NAME_PART, tidy_name_part
from .services import user_record_signup

NAME_INVALID = _("Only letters, with a hyphen, an apostrophe or a space between them.")


def _consent_help():
    return format_html(
        '<a href="{}" target="_blank" rel="noopener">{}</a> ({} {})',
        reverse_lazy("accounts:privacy"),
        _("Read the privacy policy"),
        _("version"),
        settings.PRIVACY_POLICY_VERSION,
    )


class NameField(forms.CharField):
    """One part of a person's name: letters of any script, tidied (`accounts.names.tidy_name_part`)."""

    def __init__(self, *, autocomplete: str, **kwargs):
        kwargs.setdefault("max_length", 150)
        super().__init__(**kwargs)
        self.widget.attrs.update(autocomplete=autocomplete, spellcheck="false")

    def to_python(self, value):
        return tidy_name_part(super().to_python(value))

    def validate(self, value):
        super().validate(value)
        if value and not NAME_PART.match(value):
            raise forms.ValidationError(NAME_INVALID, code="invalid")


class PersonNameForm(forms.Form):
    """Surname, first name and patronymic, as the sign-up and the profile page ask for them."""

    last_name = NameField(
        label=_("Surname"), autocomplete="family-name", error_messages={"required": _("Enter your surname.")}
    )
    first_name = NameField(
        label=_("First name"), autocomplete="given-name", error_messages={"required": _("Enter your first name.")}
    )
    patronymic = NameField(
        label=_("Patronymic"), autocomplete="additional-name", required=False, help_text=_("If you have one.")
    )


class SignupConsentForm(PersonNameForm):
    pd_consent = forms.BooleanField(
        label=_("I consent to the processing of my personal data under Federal Law No. 152-FZ"),
        help_text=lazy(_consent_help, str)(),
        error_messages={
            "required": _(
                "Tick the box to register: without your consent to the processing of personal data "
                "we cannot keep an account for you."
            )
        },
    )

    def signup(self, request, user) -> None:
        user_record_signup(
            user=user,
            last_name=self.cleaned_data["last_name"],
            first_name=self.cleaned_data["first_name"],
            patronymic=self.cleaned_data["patronymic"],
            language=(get_language() or settings.LANGUAGE_CODE)[:2],
        )
