"""Form helpers shared by every app."""

from crispy_forms.helper import FormHelper


def form_helper(**attributes) -> FormHelper:
    """A crispy helper for forms rendered inside a page's own <form> tag (which carries the CSRF token)."""
    helper = FormHelper()
    helper.form_tag = False
    helper.disable_csrf = True
    for name, value in attributes.items():
        setattr(helper, name, value)
    return helper
