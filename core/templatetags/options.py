"""`{% load options %}`: the <option>s of a filter's <select> and the attributes of a form's checkboxes, written in Python.

A template loop over the 89 regions with a comparison per option cost more than the rest of a
list page's form (docs/performance.md); this writes the same markup in a fraction of the time.
"""

from django import template
from django.utils.html import conditional_escape
from django.utils.safestring import mark_safe

register = template.Library()


@register.simple_tag
def select_options(options, chosen) -> str:
    """`<option value="…">…</option>` for each (value, text) pair, the chosen value selected."""
    chosen = str(chosen)
    parts = []
    for value, text in options:
        value = str(value)
        selected = " selected" if value == chosen else ""
        parts.append(f'<option value="{conditional_escape(value)}"{selected}>{conditional_escape(text)}</option>')
    return mark_safe("".join(parts))  # nosec B308 B703: values and texts are escaped above


@register.simple_tag
def html_attributes(attrs) -> str:
    """A widget's attributes as crispy-forms' `attrs.html` writes them: ` name="value"`, the name
    alone for True, nothing for False."""
    parts = []
    for name, value in attrs.items():
        if value is False:
            continue
        parts.append(
            f" {conditional_escape(name)}"
            if value is True
            else f' {conditional_escape(name)}="{conditional_escape(value)}"'
        )
    return mark_safe("".join(parts))  # nosec B308 B703: names and values are escaped above
