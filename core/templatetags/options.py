"""`{% load options %}`: the <option>s of a filter's <select> and the attributes of a form's checkboxes, written in Python.

A template loop over the 89 regions with a comparison per option cost more than the rest of a
list page's form (docs/performance.md); this writes the same markup in a fraction of the time.
"""

from django import template
from django.template.loader import get_template
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


@register.simple_tag(takes_context=True)
def check_options(context, field, inline_class="") -> str:
    """The checkboxes or radios of a crispy field as crispy-bootstrap5's `radio_checkbox_select.html`
    writes them: `<div class="form-check">` with its input and label per option, a group's name
    in <strong>. The template's loop cost about 0.4 ms per option (a form with 30 cost 12 ms)."""
    from crispy_forms.templatetags.crispy_forms_filters import optgroups

    invalid = " is-invalid" if field.errors else ""
    wrapper = "form-check form-check-inline" if inline_class else "form-check"
    name = conditional_escape(field.html_name)
    parts = []
    for group, options, _index in optgroups(field):
        if group:
            parts.append(f"<strong>{conditional_escape(group)}</strong>")
        for option in options:
            value = conditional_escape(str(option["value"]))
            parts.append(
                f'<div class="{wrapper}">'
                f'<input type="{option["type"]}" class="form-check-input{invalid}" name="{name}" value="{value}"'
                f"{html_attributes(option['attrs'])}>"
                f'<label for="{conditional_escape(option["attrs"].get("id", ""))}" class="form-check-label">'
                f"{conditional_escape(option['label'])}</label></div>"
            )
    if parts and field.errors and not inline_class:
        # crispy writes the field's errors inside the last option's <div>.
        errors = get_template("bootstrap5/layout/field_errors_block.html").render(context.flatten())
        parts[-1] = parts[-1][: -len("</div>")] + errors + "</div>"
    return mark_safe("".join(parts))  # nosec B308 B703: values, labels and attributes are escaped above
