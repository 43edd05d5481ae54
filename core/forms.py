"""Form helpers shared by every app."""

from crispy_forms.helper import FormHelper


def form_helper() -> FormHelper:
    """A crispy helper for forms rendered inside a page's own <form> tag (which carries the CSRF token)."""
    helper = FormHelper()
    helper.form_tag = False
    helper.disable_csrf = True
    return helper
