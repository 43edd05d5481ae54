"""`{% load bilingual %}`: a bilingual field shown in the page's language, the fallback marked with `lang`.

    {% bilingual project "title" "h1" %}
    {% bilingual project "summary" "p" class="lead" %}
    {% bilingual project "description" "div" linebreaks=True unless_same_as="summary" %}
    {% bilingual association "name" "a" href=association.get_absolute_url %}

renders the element with the text of `core.i18n.localized_text`: `<h1>…</h1>` in the page's
language, `<h1 lang="en">…</h1>` when only the English text is filled in on a Russian page (and
the other way round). An empty field renders nothing, and so does a body that repeats the summary
(`unless_same_as`), so no page shows the same text twice.
"""

from django import template
from django.forms.utils import flatatt
from django.template.defaultfilters import linebreaks_filter
from django.utils.html import conditional_escape, format_html

from core.i18n import localized_text

register = template.Library()


@register.simple_tag
def bilingual(obj, field, element="span", *, linebreaks=False, unless_same_as="", **attrs):
    text = localized_text(obj, field)
    if not text.text.strip():
        return ""
    if unless_same_as and text.text.strip() == localized_text(obj, unless_same_as).text.strip():
        return ""
    attributes = flatatt({**attrs, "lang": text.language if text.fallback else None})
    body = linebreaks_filter(text.text, autoescape=True) if linebreaks else conditional_escape(text.text)
    return format_html("<{}{}>{}</{}>", element, attributes, body, element)
