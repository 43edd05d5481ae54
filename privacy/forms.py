"""The confirmations a person gives on the personal-data pages."""

from django import forms
from django.utils.translation import gettext_lazy as _


class ConsentWithdrawForm(forms.Form):
    confirm = forms.BooleanField(
        label=_("I withdraw my consent to the processing of my personal data"),
        error_messages={"required": _("Tick the box to withdraw your consent.")},
    )


class AccountDeleteForm(forms.Form):
    """Deletion cannot be undone: the person enters their password once more."""

    password = forms.CharField(
        label=_("Your password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
        error_messages={"required": _("Enter your password to delete the account.")},
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_password(self) -> str:
        password = self.cleaned_data["password"]
        if not self.user.check_password(password):
            raise forms.ValidationError(_("The password is not correct."), code="invalid")
        return password
