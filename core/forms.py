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
        # Django's `optgroups` builds a dict of attributes per option (`create_option`); the options
        # are written here straight from the choices, with Django's rule for the selected one.
        chosen = set(self.format_value(value))
        final_attrs = self.build_attrs(self.attrs, attrs)
        if self.allow_multiple_selected:
            final_attrs["multiple"] = True
        parts = [format_html('<select name="{}"{}>', name, flatatt(final_attrs))]
        has_selected = False
        for option_value, option_label in self.choices:
            group = option_label if isinstance(option_label, (list, tuple)) else None
            if group is not None:
                parts.append(format_html('<optgroup label="{}">', option_value))
            for sub_value, sub_label in group if group is not None else [(option_value, option_label)]:
                text = "" if sub_value is None else str(sub_value)
                selected = (not has_selected or self.allow_multiple_selected) and text in chosen
                has_selected |= selected
                parts.append(
                    format_html('<option value="{}"{}>{}</option>', text, " selected" if selected else "", sub_label)
                )
            if group is not None:
                parts.append("</optgroup>")
        parts.append("</select>")
        return mark_safe("".join(parts))  # nosec B308 B703: every part is escaped by format_html
