"""Keyset pages for the API: `?cursor=` is an opaque token of the last row's sort key, no OFFSET.

A new row never shifts the rows of a page already read, and the hundredth page costs what the
first does (core.pagination walks the index from the cursor). A cursor the API did not issue is
answered 400, never guessed at.
"""

from dataclasses import dataclass
from datetime import datetime

from django.utils.translation import gettext

from core.pagination import decode_cursor, encode_cursor, keyset_page

from .problems import InvalidParameter

DEFAULT_LIMIT = 20
MAX_LIMIT = 100


@dataclass
class ApiPage:
    items: list
    next_cursor: str | None


def page_limit(params) -> int:
    raw = params.get("limit")
    if raw in (None, ""):
        return DEFAULT_LIMIT
    try:
        limit = int(raw)
    except (TypeError, ValueError):
        limit = 0
    if not 1 <= limit <= MAX_LIMIT:
        raise InvalidParameter("limit", gettext("A whole number from 1 to %(max)s.") % {"max": MAX_LIMIT})
    return limit


def _fields(queryset, ordering):
    meta = queryset.model._meta
    return [meta.pk if name.lstrip("-") == "pk" else meta.get_field(name.lstrip("-")) for name in ordering]


def _sound(values) -> bool:
    """Values the database accepts: what `decode_cursor` lets through may still be out of range."""
    if values is None:
        return False
    for value in values:
        if isinstance(value, bool) or (isinstance(value, int) and not -(2**63) < value < 2**63):
            return False
        if isinstance(value, str) and "\x00" in value:
            return False
        if isinstance(value, datetime) and value.tzinfo is None:
            return False
    return True


def paginate(queryset, *, ordering: tuple[str, str], params) -> ApiPage:
    """One page of `queryset` in `ordering` (a field and the primary key) after `params["cursor"]`."""
    limit = page_limit(params)
    cursor = params.get("cursor") or None
    if cursor is not None and not _sound(decode_cursor(cursor, _fields(queryset, ordering))):
        raise InvalidParameter("cursor", gettext("The cursor is damaged: use the «next» link of a page."))
    page = keyset_page(queryset, ordering=ordering, params={"after": cursor} if cursor else {}, size=limit)
    next_cursor = None
    if page.has_next:
        last = page.items[-1]
        next_cursor = encode_cursor([getattr(last, name.lstrip("-")) for name in ordering])
    return ApiPage(items=page.items, next_cursor=next_cursor)


def first_rows(queryset, *, params) -> ApiPage:
    """The best rows of a ranked result (names similar to a misspelt query): one page, no cursor."""
    return ApiPage(items=list(queryset[: page_limit(params)]), next_cursor=None)
