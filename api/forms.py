from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from .models import Scope

EXPIRY_CHOICES = [
    ("30", _("30 days")),
    ("90", _("90 days")),
    ("365", _("A year")),
]


class AccessTokenForm(forms.Form):
    name = forms.CharField(
        label=_("Name"), max_length=100, help_text=_("What the token is for, e.g. «CRM of our company».")
    )
    scopes = forms.MultipleChoiceField(
        label=_("What the token may read"),
        choices=Scope.choices,
        widget=forms.CheckboxSelectMultiple,
        initial=[Scope.READ],
        error_messages={"required": _("Choose at least one scope.")},
    )
    expires_in_days = forms.TypedChoiceField(label=_("Valid for"), choices=EXPIRY_CHOICES, coerce=int, initial="90")

    def clean_expires_in_days(self):
        return min(self.cleaned_data["expires_in_days"], settings.API_TOKEN_MAX_DAYS)
