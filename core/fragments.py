"""Rendered fragments of list pages (a project's card, a directory row), kept in the cache.

A list page draws 20–50 such fragments, and drawing them through templates was most of its time
(docs/performance.md). A fragment shows only what everyone who may see the row sees, so it is
shared by every user, and kept until one of its *groups* changes (`core.versioned_cache`: the save
signals, and the paths that write without them, bump the groups' versions, which are part of the
key). One round trip reads the page's fragments, one stores those that were missing; when the
cache is down every fragment is drawn as before.
"""

import hashlib
import logging
from collections.abc import Callable, Iterable

from django.core.cache import cache
from django.db.models import prefetch_related_objects
from django.middleware.csrf import get_token
from django.template.loader import render_to_string
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language

from . import versioned_cache

logger = logging.getLogger(__name__)


# A kept drawing holds this in place of the form token (`{% csrf_token %}` draws the context's
# `csrf_token`); `with_csrf_token` puts the reader's own in.
CSRF_PLACEHOLDER = "csrf-token-placeholder"


def with_csrf_token(html: str, request) -> SafeString:
    """A kept drawing with the reader's form token (which also sets the CSRF cookie, as drawing it would)."""
    field = f'name="csrfmiddlewaretoken" value="{CSRF_PLACEHOLDER}"'
    if field in html:
        html = html.replace(field, f'name="csrfmiddlewaretoken" value="{get_token(request)}"')
    return mark_safe(html)  # nosec B308 B703: a template's output, the token is URL-safe


def _digest(value) -> str:
    """A short hash of an item's key, which may hold any text (a time in words, a name)."""
    return hashlib.blake2b(str(value).encode(), digest_size=12).hexdigest()


def rendered_each(
    items: Iterable,
    template_name: str,
    *,
    as_name: str,
    groups: Iterable[str],
    key: Callable[[object], object] = lambda item: item.pk,
    context: dict | None = None,
    prefetch: tuple[str, ...] = (),
    complete: Callable[[list], list] | None = None,
    timeout: int = versioned_cache.TIMEOUT,
) -> list[tuple[object, SafeString]]:
    """[(item, its fragment)] in the items' order; the template sees the item as `as_name`, beside
    `context` (whatever the fragment depends on must be in `key` or in `groups`). The `prefetch`
    relations are read only for the items that are drawn (one query each, none when all are cached);
    so are the items themselves with `complete` (items read narrow for their keys → the same items
    read whole, in that order; None for one gone meanwhile, which is then left out of the rows)."""
    items = list(items)
    if not items:
        return []
    context = context or {}

    def draw(item) -> SafeString:
        return mark_safe(render_to_string(template_name, {**context, as_name: item}))  # nosec B308 B703: a template's output

    def drawn_whole(chosen: list) -> dict:
        """{id(item): its fragment} for the chosen items, read whole first when they are narrow."""
        whole = complete(chosen) if complete else chosen
        prefetch_related_objects([full for full in whole if full is not None], *prefetch)
        return {id(item): draw(full) for item, full in zip(chosen, whole, strict=True) if full is not None}

    try:
        prefix = f"fragment:{template_name}:{get_language()}:{versioned_cache.versions(groups)}"
        keys = [f"{prefix}:{_digest(key(item))}" for item in items]
        found = cache.get_many(keys)
    except Exception:
        logger.warning("cache: unavailable, drawing %s directly", template_name, exc_info=True)
        fragments = drawn_whole(items)
        return [(item, fragments[id(item)]) for item in items if id(item) in fragments]
    missing = [item for cache_key, item in zip(keys, items, strict=True) if cache_key not in found]
    fragments = drawn_whole(missing) if missing else {}
    drawn = {}
    rows = []
    for cache_key, item in zip(keys, items, strict=True):
        fragment = found.get(cache_key)
        if fragment is None:
            if id(item) not in fragments:  # gone between the two reads
                continue
            fragment = drawn[cache_key] = str(fragments[id(item)])
        rows.append((item, mark_safe(fragment)))  # nosec B308 B703: stored from a template's output
    if drawn:
        try:
            cache.set_many(drawn, timeout)
        except Exception:
            logger.warning("cache: could not store %s", template_name, exc_info=True)
    return rows


def drawn_by_content(name: str, depends_on, draw: Callable[[], str], timeout: int = 600) -> SafeString:
    """`draw()`'s HTML kept under a digest of everything it is drawn from (`depends_on`: plain
    values, lazy texts already made `str`) and the language. Nothing is invalidated: a change of
    what it depends on is another key. `timeout` bounds how long a change of the templates
    themselves (a deployment) leaves the previous drawing in use."""
    key = f"drawn:{name}:{get_language()}:{_digest(repr(depends_on))}"
    try:
        html = cache.get(key)
    except Exception:
        logger.warning("cache: unavailable, drawing %s directly", name, exc_info=True)
        return mark_safe(draw())  # nosec B308 B703: a template's output
    if html is None:
        html = str(draw())
        try:
            cache.set(key, html, timeout)
        except Exception:
            logger.warning("cache: could not store %s", name, exc_info=True)
    return mark_safe(html)  # nosec B308 B703: stored from a template's output
