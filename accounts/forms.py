"""The sign-up form's extra fields (allauth's ACCOUNT_SIGNUP_FORM_CLASS)."""

from django import forms
from django.conf import settings
from django.urls import reverse_lazy
from django.utils.functional import lazy
from django.utils.html import format_html
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from .services import user_record_signup


def _consent_help():
    return format_html(
        '<a href="{}" target="_blank" rel="noopener">{}</a> ({} {})',
        reverse_lazy("accounts:privacy"),
        _("Read the privacy policy"),
        _("version"),
        settings.PRIVACY_POLICY_VERSION,
    )


class SignupConsentForm(forms.Form):
    full_name = forms.CharField(label=_("Your full name"), max_length=200, required=False)
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
            full_name=self.cleaned_data.get("full_name", ""),
            language=(get_language() or settings.LANGUAGE_CODE)[:2],
        )
