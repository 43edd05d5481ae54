"""Cached figures and pages, invalidated by versions rather than by deleting keys (not the cache
backend itself: that is `core.cache`).

Every cached value depends on named *groups* of data ("memberships", "projects", …). Each group
has a version, a random token kept in the cache; a value is stored under a key that holds the
versions of its groups, so bumping a group's version makes every value built from it unreachable
at once (the old entries expire on their own). Who bumps:

1. `watch(Model, *groups)` connects the model's save, delete and many-to-many signals, so a
   change through the ORM (a service, the admin) bumps its groups;
2. `model_changed(Model)` is called by the paths that write without signals: the decide-once
   `core.transitions.change_once` (a conditional UPDATE), bulk imports and `generate_load_data`.

A bump happens at once and again when the transaction commits: a request that recomputed a value
between the two, from data not yet committed, stored it under a version that is gone by then.

The cache may be down: then every value is computed directly, and pages are rendered as usual.
A bump the process could not write then is kept and written at its next read once the cache
answers (`_skipped`); what another process kept meanwhile is bounded by the values' timeouts.
"""

import hashlib
import logging
import re
import threading
import uuid
from collections.abc import Callable, Iterable
from functools import wraps

from asgiref.local import Local
from django.core.cache import cache
from django.core.signals import request_finished, request_started
from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import get_token
from django.utils import translation

logger = logging.getLogger(__name__)

TIMEOUT = 3600  # seconds; versions, not expiry, keep values fresh
LOCK_TIMEOUT = 30  # seconds one request may take to recompute a value before another tries
_MISSING = object()
_watched: dict[type, set[str]] = {}
_unwatched_fields: dict[type, frozenset[str]] = {}


def _version_key(group: str) -> str:
    return f"version:{group}"


# The versions one request has read, so that the page's several cached values cost one round trip
# each, not two (`read_ahead` fetches a page's groups at once). Reset when a request starts and
# ends; a bump made by the request itself is written here too. Outside requests (tasks, commands,
# the shell) every read asks the cache.
_request = Local()


def _reset_request_versions(**kwargs) -> None:
    _request.versions = {}
    _request.values = {}


def _forget_request_versions(**kwargs) -> None:
    _request.versions = None
    _request.values = None


request_started.connect(_reset_request_versions, dispatch_uid="core.versioned_cache.request_started")
request_finished.connect(_forget_request_versions, dispatch_uid="core.versioned_cache.request_finished")


def versions(groups: Iterable[str]) -> str:
    """The current versions of the groups, one token each; a missing version is created."""
    if _skipped:
        _replay_skipped()
    keys = [_version_key(group) for group in groups]
    known = getattr(_request, "versions", None)
    found = {key: known[key] for key in keys if key in known} if known else {}
    wanted = [key for key in keys if key not in found]
    if wanted:
        found.update(cache.get_many(wanted))
        missing = {key: uuid.uuid4().hex[:12] for key in wanted if key not in found}
        if missing:
            cache.set_many(missing, None)
            found.update(missing)
        if known is not None:
            known.update({key: found[key] for key in wanted})
    return ".".join(found[key] for key in keys)


def read_ahead(*groups: str) -> None:
    """Read the versions of the groups a page's cached values depend on in one round trip (kept for
    the request); nothing when the cache fails, the values then read them as usual."""
    if getattr(_request, "versions", None) is None:
        return
    try:
        versions(groups)
    except Exception:
        logger.warning("cache: could not read the versions of %s ahead", groups, exc_info=True)


# Groups whose bump this process could not write (the cache was down or did not answer): written
# as soon as the cache answers again, at the next value read here, so a change made while Redis was
# away does not leave the previous values readable once it is back.
_skipped: set[str] = set()
_skipped_lock = threading.Lock()


def _renew(groups: Iterable[str]) -> bool:
    """New versions for the groups; False when the cache did not take them (`set_many` names the
    keys it failed to write: all of them while `core.cache` sees Redis down)."""
    tokens = {_version_key(group): uuid.uuid4().hex[:12] for group in groups}
    try:
        failed = cache.set_many(tokens, None)
    except Exception:
        failed = True
    known = getattr(_request, "versions", None)
    if known is not None:  # this request reads what it wrote, or asks the cache again
        for key, token in tokens.items():
            if failed:
                known.pop(key, None)
            else:
                known[key] = token
    return not failed


def _replay_skipped() -> None:
    with _skipped_lock:
        groups = sorted(_skipped)
        _skipped.clear()
    if not groups:
        return
    if _renew(groups):
        logger.warning("cache: bumped %s, skipped while the cache was away", groups)
    else:
        with _skipped_lock:
            _skipped.update(groups)


def bump(*groups: str) -> None:
    """New versions for the groups: now, and once more when the current transaction commits."""

    def renew():
        if not _renew(groups):
            logger.warning("cache: could not bump %s; kept to bump when the cache answers", groups)
            with _skipped_lock:
                _skipped.update(groups)

    renew()
    transaction.on_commit(renew)


def cached(
    name: str,
    groups: Iterable[str],
    compute: Callable[[], object],
    timeout: int = TIMEOUT,
    *,
    fresh: Callable[[object], bool] | None = None,
):
    """`compute()`'s value, kept until one of the groups changes; computed directly when the cache fails.

    After a change one request recomputes (it holds a short lock); the requests that arrive while
    it does get the previous value, so a burst does not run the same aggregate many times at once.
    A value that also goes stale with time says so through `fresh(value)`: one that is not is
    computed again, and never served as the previous value.

    Within a request a value read once is kept for the request's other callers (the filter options
    a page's several forms draw): they get the same object, which none may change.
    """
    try:
        key = f"{name}:{versions(groups)}"
    except Exception:
        logger.warning("cache: unavailable, computing %s directly", name, exc_info=True)
        return compute()
    kept = getattr(_request, "values", None)
    if kept is not None and key in kept and (fresh is None or fresh(kept[key])):
        return kept[key]
    value = _read_or_compute(name, key, compute, timeout, fresh)
    if kept is not None:
        kept[key] = value
    return value


def _read_or_compute(name: str, key: str, compute: Callable[[], object], timeout: int, fresh) -> object:
    try:
        value = cache.get(key, _MISSING)
    except Exception:
        logger.warning("cache: unavailable, computing %s directly", name, exc_info=True)
        return compute()
    if value is not _MISSING and (fresh is None or fresh(value)):
        return value
    latest = f"latest:{name}"
    lock = f"computing:{key}"
    try:
        if not cache.add(lock, 1, LOCK_TIMEOUT):
            previous = cache.get(latest, _MISSING)
            if previous is not _MISSING and (fresh is None or fresh(previous)):
                return previous
    except Exception:
        logger.warning("cache: could not take the lock of %s", name, exc_info=True)
    try:
        value = compute()
    except BaseException:
        # No value this time (a page that is now an error, a failed query): the others must not go
        # on being served the previous value, nor wait for a lock no one will release.
        _forget(lock, latest)
        raise
    try:
        cache.set_many({key: value, latest: value}, timeout)
    except Exception:
        logger.warning("cache: could not store %s", name, exc_info=True)
    return value


def _forget(*keys: str) -> None:
    try:
        cache.delete_many(keys)
    except Exception:
        logger.warning("cache: could not delete %s", keys, exc_info=True)


def watch(model, *groups: str, unless_only: Iterable[str] = ()) -> None:
    """Bump `groups` whenever a row of `model` is saved or deleted, or its many-to-many links change
    (pass the `through` model for those). A save that writes only `unless_only` fields (a user's
    `last_login`, written at every sign-in) bumps nothing."""
    _watched.setdefault(model, set()).update(groups)
    if unless_only:
        _unwatched_fields[model] = frozenset(unless_only)
    uid = f"core.versioned_cache.{model._meta.label}"
    post_save.connect(_on_change, sender=model, weak=False, dispatch_uid=uid + ".save")
    post_delete.connect(_on_change, sender=model, weak=False, dispatch_uid=uid + ".delete")
    m2m_changed.connect(_on_change, sender=model, weak=False, dispatch_uid=uid + ".m2m")


def model_changed(model) -> None:
    """Rows of `model` changed without a signal (an UPDATE, a bulk insert): bump its groups."""
    groups = _watched.get(model)
    if groups:
        bump(*sorted(groups))


def _on_change(sender, **kwargs) -> None:
    update_fields = kwargs.get("update_fields")
    if update_fields and sender in _unwatched_fields and set(update_fields) <= _unwatched_fields[sender]:
        return
    if kwargs.get("action", "post_").startswith("post_"):
        model_changed(sender)


# Whole pages for anonymous visitors

# The hidden field `{% csrf_token %}` renders; its value is masked anew for every request.
CSRF_FIELD = re.compile(rb'(name="csrfmiddlewaretoken" value=")[^"]*(")')
CSRF_PLACEHOLDER = rb"\g<1>csrf-placeholder\g<2>"
CSRF_CACHED = re.compile(rb'(name="csrfmiddlewaretoken" value=")csrf-placeholder(")')


def _may_cache(request: HttpRequest) -> bool:
    """An anonymous GET without a query string and with no message waiting to be shown."""
    if request.method != "GET" or request.META.get("QUERY_STRING"):
        return False
    if "messages" in request.COOKIES:
        return False
    if request.user.is_authenticated:
        return False
    session = getattr(request, "session", None)
    return not (session is not None and session.session_key and session.get("_messages"))


def cache_anonymous_page(*groups: str, timeout: int = TIMEOUT):
    """Serve an anonymous visitor's page from the cache, per path and language, until a group changes.

    Signed-in users always get a freshly rendered page. The page's forms carry the visitor's own
    CSRF token: the cached copy holds a placeholder, replaced on every hit (which also sets the
    CSRF cookie, as rendering the token would).
    """

    def decorator(view):
        @wraps(view)
        def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            if not _may_cache(request):
                return view(request, *args, **kwargs)
            path = hashlib.sha256(request.path.encode()).hexdigest()[:24]
            name = f"page:{translation.get_language()}:{path}"

            def render() -> tuple[str, bytes]:
                response = view(request, *args, **kwargs)
                if response.status_code != 200 or response.streaming or response.cookies:
                    raise _Uncacheable(response)
                return response["Content-Type"], CSRF_FIELD.sub(CSRF_PLACEHOLDER, response.content)

            try:
                content_type, content = cached(name, groups, render, timeout)
            except _Uncacheable as refused:
                return refused.response
            token = get_token(request).encode()
            content = CSRF_CACHED.sub(lambda m: m.group(1) + token + m.group(2), content)
            response = HttpResponse(content, content_type=content_type)
            response["X-Page-Cache"] = "anonymous"
            return response

        return wrapper

    return decorator


class _Uncacheable(Exception):
    """The view's answer is not a plain page (an error, a redirect, a cookie): pass it through."""

    def __init__(self, response: HttpResponse):
        self.response = response
