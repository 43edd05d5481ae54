"""`{% organisation_suggestions organisation %}`: the associations and projects matching an
organisation's directions, for pages whose views do not compute them (the cabinet)."""

from django import template

from ..selectors import suggestions_for

register = template.Library()


@register.inclusion_tag("pages/includes/_suggestions.html", takes_context=True)
def organisation_suggestions(context, organisation):
    return {"suggestions": suggestions_for(organisation, context["request"].user)}
