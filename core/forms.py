"""Form helpers shared by every app."""

from crispy_forms.helper import FormHelper
from django import forms


def form_helper() -> FormHelper:
    """A crispy helper for forms rendered inside a page's own <form> tag (which carries the CSRF token)."""
    helper = FormHelper()
    helper.form_tag = False
    helper.disable_csrf = True
    return helper


class RequiredToSubmitCharField(forms.CharField):
    """A text a draft may leave empty but a submission needs.

    It is marked as required wherever forms are drawn (crispy's asterisk, the `required`
    attribute; the page's form has `novalidate`, so a draft is still sent), and the form checks
    it itself when the user submits.
    """

    def __init__(self, **kwargs):
        kwargs["required"] = True
        super().__init__(**kwargs)

    def validate(self, value):
        """Emptiness is the form's question (it depends on the button pressed); the rest is checked."""
        if value in self.empty_values:
            return
        super().validate(value)
