"""The portal's own rate limits: invitations, join and participation requests, application submission.

Sign-in, sign-up and password reset are limited by allauth (`ACCOUNT_RATE_LIMITS`); this module
limits what the portal's services do, so a page, the API and a command meet the same limit. A
service calls `check(action, key)` before it writes; over the limit it raises `RateLimited`, and
`RateLimitMiddleware` answers that with the 429 page in the user's language (JSON under `/api/`).

Counting: a fixed window per action and key (`"20/d"` is twenty per calendar window of a day),
kept in the cache, so every web process shares it. **Fail safe**: when the cache does not answer
(Redis down, the fail-open cache returning nothing), the count is kept in this process's memory
instead: the limit then holds per process (a few times the configured figure across workers),
never unlimited and never a server error.
"""

import hashlib
import json
import threading
import time
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy

UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


class RateLimited(Exception):
    """Too many of one action in its window; `message` says so in the user's language."""

    message = gettext_lazy("You have done this too many times in a short while. Please try again later.")

    def __init__(self, action: str, retry_after: int):
        super().__init__(action)
        self.action = action
        self.retry_after = retry_after


@dataclass(frozen=True)
class Rate:
    amount: int
    period: int


def parse(rate: str) -> Rate:
    """`"20/d"` → 20 per 86,400 seconds; `"5/10m"` → 5 per 600 seconds."""
    amount, _, period = rate.partition("/")
    unit = period[-1:]
    if unit not in UNITS or not amount.isdigit():
        raise ValueError(f"not a rate: {rate!r}")
    count = period[:-1]
    return Rate(int(amount), (int(count) if count else 1) * UNITS[unit])


def rate_of(action: str) -> Rate:
    return parse(settings.PORTAL_RATE_LIMITS[action])


_local_lock = threading.Lock()
_local: dict[str, tuple[int, float]] = {}


def _count_locally(key: str, cost: int, expires: float) -> int:
    """The per-process fallback counter, used while the cache does not answer."""
    now = time.time()
    with _local_lock:
        if len(_local) > 10_000:
            for stale in [k for k, (_, until) in _local.items() if until <= now]:
                del _local[stale]
        count, until = _local.get(key, (0, expires))
        if until <= now:
            count, until = 0, expires
        count += cost
        _local[key] = (count, until)
    return count


def _count(key: str, cost: int, period: int, expires: float) -> int:
    try:
        cache.add(key, 0, timeout=period)
        count = cache.incr(key, cost)
    except Exception:  # noqa: BLE001 — any cache failure: count in this process (fail safe)
        count = None
    if not isinstance(count, int) or count < cost:
        return _count_locally(key, cost, expires)
    return count


def check(action: str, key, *, cost: int = 1) -> None:
    """Count `cost` uses of `action` by `key` (an organisation's or a user's id); raise
    `RateLimited` when that passes the action's rate (the refused uses are not counted)."""
    rate = rate_of(action)
    window = int(time.time() // rate.period)
    expires = (window + 1) * rate.period
    digest = hashlib.sha256(f"{action}:{key}".encode()).hexdigest()[:32]
    cache_key = f"portal-rl:{action}:{window}:{digest}"
    if _count(cache_key, cost, rate.period, expires) > rate.amount:
        _uncount(cache_key, cost)
        raise RateLimited(action, retry_after=max(1, int(expires - time.time())))


def _uncount(key: str, cost: int) -> None:
    try:
        cache.decr(key, cost)
    except Exception:  # noqa: BLE001, S110 — a refused use left counted only makes the limit stricter
        pass
    with _local_lock:
        if key in _local:
            count, until = _local[key]
            _local[key] = (max(0, count - cost), until)


def reset_local() -> None:
    """Forget the per-process counts (tests)."""
    with _local_lock:
        _local.clear()


class RateLimitMiddleware:
    """Answer `RateLimited` from any view with 429: the portal's page, or JSON under `/api/`."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not isinstance(exception, RateLimited):
            return None
        return too_many_requests(request, exception)


def too_many_requests(request: HttpRequest, exception: RateLimited | None = None) -> HttpResponse:
    message = str(exception.message if exception else RateLimited.message)
    if request.path.startswith("/api/"):
        body = json.dumps({"detail": message, "status": 429}, ensure_ascii=False)
        response = HttpResponse(body, status=429, content_type="application/json")
    else:
        response = render(request, "429.html", {"message": message}, status=429)
    if exception:
        response["Retry-After"] = str(exception.retry_after)
    return response


def handler429(request: HttpRequest) -> HttpResponse:
    """allauth's limits (sign-up, password reset) answer with the same page (ROOT_URLCONF.handler429)."""
    return too_many_requests(request)
