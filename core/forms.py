"""Form helpers shared by every app."""

from crispy_forms.helper import FormHelper
from django import forms
from django.forms.utils import flatatt
from django.utils.html import format_html
from django.utils.safestring import mark_safe


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


class QuickSelect(forms.Select):
    """A <select> written in Python rather than through Django's widget templates.

    Those include one template per <option>: a filter of the 89 regions cost about as much to draw
    as the rest of its page (docs/performance.md). The markup is the same as the templates'.
    """

    def render(self, name, value, attrs=None, renderer=None):
        widget = self.get_context(name, value, attrs)["widget"]
        parts = [format_html('<select name="{}"{}>', widget["name"], flatatt(widget["attrs"]))]
        for group, options, _index in widget["optgroups"]:
            if group:
                parts.append(format_html('<optgroup label="{}">', group))
            parts.extend(
                format_html(
                    '<option value="{}"{}>{}</option>', option["value"], flatatt(option["attrs"]), option["label"]
                )
                for option in options
            )
            if group:
                parts.append("</optgroup>")
        parts.append("</select>")
        return mark_safe("".join(parts))  # nosec B308 B703: every part is escaped by format_html
