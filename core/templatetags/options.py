"""`{% load options %}`: the <option>s of a filter's <select>, written in Python.

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
