"""Filters of the list pages, declared with django-filter.

Two additions to django-filter's FilterSet, shared by the project list, the member directory
and the review queue:

- **references resolved in one query**: a region code, a direction slug, an association slug are
  turned into ids with one UNION query for all the filters in use, and the id goes into the main
  query, so PostgreSQL plans with its statistics (half of the organisations are in Moscow, and a
  plan guessed for an average region is far too slow). A code that does not exist matches nothing.
- **a text query that is searched, not filtered**: `q` is cleaned like any field (whitespace
  collapsed, cut at 200 characters, no NUL) and handed to `core.search.search` by the page.

Invalid values are left out and the valid ones apply, as django-filter does; the form names them.
"""

from types import SimpleNamespace
from urllib.parse import urlencode

import django_filters
from django import forms
from django.db.models import CharField, Value

QUERY_MAX_LENGTH = 200


class SearchTextField(forms.CharField):
    """Free text for search: whitespace collapsed and cut to a length, never refused for length."""

    def __init__(self, *, max_length: int = QUERY_MAX_LENGTH, **kwargs):
        self.cut_at = max_length
        kwargs.setdefault("widget", forms.TextInput(attrs={"type": "search", "maxlength": max_length}))
        super().__init__(**kwargs)

    def to_python(self, value):
        return " ".join(super().to_python(value).split())[: self.cut_at]


class SearchTextFilter(django_filters.CharFilter):
    field_class = SearchTextField


class TextQueryFilter(SearchTextFilter):
    """`q`: left to the page's search (`PortalFilterSet.text`), so the filter itself does nothing."""

    def filter(self, qs, value):
        return qs


class IdFilter(django_filters.Filter):
    """A row's id; a value that is not a whole number ("²") is refused, never a server error."""

    field_class = forms.IntegerField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("min_value", 1)
        super().__init__(*args, **kwargs)


class ReferenceFilter(django_filters.CharFilter):
    """A filter by the code or slug of a reference row, applied with its id (see the module's docstring).

    `method` receives the resolved id (0 when nothing has this code).
    """

    def __init__(self, *, reference, to_field: str, **kwargs):
        self.reference = reference
        self.to_field = to_field
        super().__init__(**kwargs)


class ChoiceOnlyFilter(django_filters.ChoiceFilter):
    """A choice the page reads itself (sort order, view) rather than a condition on the rows."""

    def filter(self, qs, value):
        return qs


def resolve_references(wanted: dict) -> dict:
    """{name: (queryset, field, value)} → {name: id or 0}, in one query."""
    if not wanted:
        return {}
    queries = [
        queryset.filter(**{field: value}).order_by().values_list(Value(name, output_field=CharField()), "pk")
        for name, (queryset, field, value) in wanted.items()
    ]
    found = dict(queries[0].union(*queries[1:], all=True)) if len(queries) > 1 else dict(queries[0])
    return {name: found.get(name, 0) for name in wanted}


class PortalFilterSet(django_filters.FilterSet):
    """A FilterSet that resolves its ReferenceFilters together and exposes its clean values.

    Its filters do not depend on the request, so the form class is built once per FilterSet
    (django-filter builds a new class for every request, a third of its cost on a list page).
    """

    @classmethod
    def _cached_form_class(cls, build):
        if "_form_class" not in cls.__dict__:
            cls._form_class = build()
        return cls._form_class

    def get_form_class(self):
        return self._cached_form_class(super().get_form_class)

    def filter_queryset(self, queryset):
        data = self.form.cleaned_data
        references = {
            name: (filter_.reference.all(), filter_.to_field, data[name])
            for name, filter_ in self.filters.items()
            if isinstance(filter_, ReferenceFilter) and data.get(name)
        }
        ids = resolve_references(references)
        for name, value in data.items():
            queryset = self.filters[name].filter(queryset, ids.get(name, value))
        return queryset

    @property
    def values(self) -> SimpleNamespace:
        """The valid values by name ("" for an empty or invalid one), for the page's own form."""
        cleaned = {}
        if self.is_bound:
            self.form.is_valid()
            cleaned = self.form.cleaned_data
        return SimpleNamespace(**{name: cleaned.get(name) or "" for name in self.filters})

    @property
    def text(self) -> str:
        return self.values.q if "q" in self.filters else ""

    def query(self, *, leave_out=("sort",)) -> str:
        """The filters as a query string (no cursor, no sort), for links that keep them."""
        return urlencode({name: value for name, value in vars(self.values).items() if value and name not in leave_out})
