"""Keyset pagination: pages are addressed by the sort key of a boundary row, not by OFFSET.

The last page of a large list costs what the first does: the database walks an
index from the cursor and stops after `size + 1` rows. No exact COUNT is run;
`capped_count` counts up to a limit and the page says "more than N" beyond it.
"""

import base64
import json
from dataclasses import dataclass, field
from datetime import datetime
from urllib.parse import urlencode

from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import connection
from django.db.models import DateTimeField, Q
from django.db.models.expressions import RawSQL

COUNT_CAP = 1000


@dataclass
class Page:
    items: list
    has_next: bool = False
    has_previous: bool = False
    next_query: str = ""
    previous_query: str = ""
    number: int | None = None  # for pages addressed by number (relevance order)
    first_query: str = ""
    last_query: str = ""
    keyset: bool = False
    extra: dict = field(default_factory=dict)

    def __iter__(self):
        return iter(self.items)

    def __len__(self):
        return len(self.items)


LIST_CAP = 50  # a list inside a page (participants, history, requests) shows at most this many rows


class Capped(list):
    """The first rows of a longer list and the length of the whole (`total`; from `first_rows`, only
    known to exceed the rows shown): a page shows them and says, or links to, the rest when `more`."""

    def __init__(self, rows, total: int):
        super().__init__(rows)
        self.total = total

    @property
    def more(self) -> bool:
        return self.total > len(self)


# Up to this many rows of a list are fetched by primary key (`within`); more are found by the sort order.
FENCE = 2000


def id_set(ids: list[int]):
    """The ids for `pk__in`. On PostgreSQL `SELECT unnest(<ids>)`: the planner estimates a
    set-returning function at 100 rows whatever its length, so it fetches the rows by primary key
    and sorts them, rather than walk the sort-order index filtering by a long `id = ANY(…)` it
    expects to meet early (measured at 350,000 organisations: 285,090 rows walked, 3 s, for the
    886 ids of names under «С»)."""
    if connection.vendor == "postgresql":
        return RawSQL("SELECT unnest(%s::bigint[])", [ids])
    return ids


def within(queryset, ids, *, fence: int = FENCE):
    """`queryset` limited to the primary keys that the `ids` queryset (a `values_list` of keys) gives.

    A few (at most `fence`) are fetched first and given as a set (`id_set`), so a page of them costs
    the primary-key lookups and a sort, however they are spread over the sort order; more are left
    as a sub-query, which the walk of the sort-order index meets early. One query (and none for the
    page of an empty list).
    """
    found = list(ids.order_by()[: fence + 1])
    if len(found) > fence:
        return queryset.filter(pk__in=ids)
    return queryset.filter(pk__in=id_set(found)) if found else queryset.none()


class CountedPaginator(Paginator):
    """A numbered paginator told its count (one kept in the cache) instead of counting the rows."""

    def __init__(self, object_list, per_page, *, count: int, **kwargs):
        super().__init__(object_list, per_page, **kwargs)
        self.count = count  # shadows the cached property: no COUNT query


def first_rows(queryset, limit: int = LIST_CAP) -> Capped:
    """The first `limit` rows of `queryset` and whether more follow: one query of `limit + 1` rows,
    no COUNT (templates: `core/includes/_more.html`)."""
    rows = list(queryset[: limit + 1])
    return Capped(rows[:limit], total=len(rows))


def encode_cursor(values: list) -> str:
    return base64.urlsafe_b64encode(json.dumps(values, default=str).encode()).decode().rstrip("=")


def decode_cursor(token: str | None, fields: list) -> list | None:
    """The cursor's values converted to the fields' types; None for a missing or damaged cursor."""
    if not token:
        return None
    try:
        values = json.loads(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)))
        if not isinstance(values, list) or len(values) != len(fields):
            return None
        converted = []
        for model_field, value in zip(fields, values):
            if value is None:  # the keys are never null: a crafted cursor
                return None
            if isinstance(model_field, DateTimeField):
                value = datetime.fromisoformat(value)
            else:
                value = model_field.to_python(value)
            converted.append(value)
        return converted
    except (ValueError, TypeError, ValidationError):
        return None


def _after(keys: list[tuple[str, bool]], values: list, *, forward: bool) -> Q:
    """Rows strictly after (or before) the cursor in the order given by `keys` (name, descending)."""
    (first, first_desc), (pk_name, pk_desc) = keys
    first_value, pk_value = values

    def op(descending: bool) -> str:
        return "lt" if descending == forward else "gt"

    # The redundant bound on the first key lets the database start the index scan at the cursor.
    bound = Q(**{f"{first}__{op(first_desc)}e": first_value})
    return bound & (
        Q(**{f"{first}__{op(first_desc)}": first_value})
        | Q(**{first: first_value, f"{pk_name}__{op(pk_desc)}": pk_value})
    )


def keyset_page(queryset, *, ordering: tuple[str, str], params, size: int = 20, prefix: str = "") -> Page:
    """One page of `queryset` in `ordering` (a field and the primary key), from the `after`/`before` GET cursor.

    With a `prefix` the cursor is read from and written to `<prefix>after`, `<prefix>before` and
    `<prefix>page`, so one page may hold several lists, each paged on its own.
    """
    after_key, before_key, page_key = f"{prefix}after", f"{prefix}before", f"{prefix}page"
    keys = [(name.lstrip("-"), name.startswith("-")) for name in ordering]
    model = queryset.model
    fields = [model._meta.pk if name == "pk" else model._meta.get_field(name) for name, _ in keys]
    after = decode_cursor(params.get(after_key), fields)
    before = None if after else decode_cursor(params.get(before_key), fields)
    last = after is None and before is None and params.get(page_key) == "last"
    if before is not None or last:
        # Walk the index backwards from the cursor (or from the end, for the last page).
        reverse = tuple(name[1:] if name.startswith("-") else f"-{name}" for name in ordering)
        if before is not None:
            queryset = queryset.filter(_after(keys, before, forward=False))
        rows = list(queryset.order_by(*reverse)[: size + 1])
        has_previous = len(rows) > size
        items = list(reversed(rows[:size]))
        has_next = not last
    else:
        if after is not None:
            queryset = queryset.filter(_after(keys, after, forward=True))
        rows = list(queryset.order_by(*ordering)[: size + 1])
        items = rows[:size]
        has_next = len(rows) > size
        has_previous = after is not None
    page = Page(items=items, has_next=has_next and bool(items), has_previous=has_previous and bool(items))
    base = {k: v for k, v in params.items() if k not in (after_key, before_key, page_key) and v}
    page.first_query = urlencode(base)
    page.last_query = urlencode({**base, page_key: "last"})
    page.keyset = True
    if items:
        page.next_query = urlencode({**base, after_key: _cursor_of(items[-1], keys)})
        page.previous_query = urlencode({**base, before_key: _cursor_of(items[0], keys)})
    return page


def _cursor_of(obj, keys) -> str:
    return encode_cursor([getattr(obj, name) for name, _ in keys])


def capped_count(queryset, cap: int = COUNT_CAP) -> tuple[int, bool]:
    """How many rows match, counting at most `cap + 1` of them: (count, more than cap)."""
    n = queryset.order_by()[: cap + 1].count()
    return min(n, cap), n > cap


FUZZY_MAX_PAGES = 10  # a search by similar names shows its best this many pages


def fuzzy_page(queryset, *, params, size: int = 20, max_pages: int = FUZZY_MAX_PAGES) -> Page:
    """Pages of a ranked result cut from its best `max_pages * size` rows, loaded in one query.

    The rows are counted as they are loaded, so no separate COUNT runs: for a
    similarity search PostgreSQL would answer a LIMITed count by walking the
    name index row by row instead of using the trigram index.
    """
    try:
        number = max(1, min(int(params.get("page", 1)), max_pages))
    except (TypeError, ValueError):
        number = 1
    cap = max_pages * size
    rows = list(queryset[: cap + 1])
    offset = (number - 1) * size
    base = {k: v for k, v in params.items() if k not in ("after", "before", "page") and v}
    page = Page(items=rows[offset : offset + size], number=number)
    page.has_next = len(rows) > offset + size and number < max_pages
    page.has_previous = number > 1
    page.next_query = urlencode({**base, "page": number + 1})
    page.previous_query = urlencode({**base, "page": number - 1})
    page.extra = {"count": min(len(rows), cap), "more": len(rows) > cap}
    return page
