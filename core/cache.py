"""The Redis cache that never takes a page down with it.

Django's `RedisCache` raises `ConnectionError` when Redis is stopped and blocks without limit when
it is paused (a stalled or overloaded server accepts the connection and never answers). The
portal's cache holds nothing that cannot be recomputed, so `FailoverRedisCache` fails open:

1. Every command has short socket timeouts (`socket_connect_timeout`, `socket_timeout`, half a
   second) and no retry inside the client.
2. When a command fails, the cache is "down" for `RETRY_AFTER` seconds in this process: the next
   commands do not touch Redis at all, so a paused Redis costs one request one timeout, not every
   request every timeout. After that one command tries Redis again.
3. While down, a read answers the default (a miss), and a write, delete or increment does nothing:
   the caller recomputes what it wanted.
4. Rate limits are the exception: they must fail safe, not open. Keys starting with one of
   `LOCAL_PREFIXES` (allauth's sign-in limits `allauth:rl:` with their locks, the portal's own
   limits, the API's throttles) go to a per-process in-memory cache while Redis is down, so
   signing in works and the limits still hold, per process (with N processes, at most N times the
   limit while Redis is away).
5. Warnings are rate-limited: one when Redis goes away, then at most one a minute while it stays
   away, and one line when it answers again.
"""

import logging
import threading
import time

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.locmem import LocMemCache
from django.core.cache.backends.redis import RedisCache, RedisCacheClient

logger = logging.getLogger(__name__)

DEFAULT_TIMEOUTS = {"socket_connect_timeout": 0.5, "socket_timeout": 0.5}
RETRY_AFTER = 5.0  # seconds a failed Redis is left alone in this process
WARN_EVERY = 60.0  # seconds between two warnings while Redis stays away
# allauth's sign-in limits, the portal's own limits (core/ratelimit.py), the API's throttles (DRF)
LOCAL_PREFIXES = ("allauth:rl:", "portal-rl:", "throttle_")


class _Health:
    """Per process and per Redis location: is it down, and when did we last say so."""

    def __init__(self):
        self.lock = threading.Lock()
        self.down_until = 0.0
        self.down_since = 0.0
        self.last_warning = 0.0
        self.failures = 0


_health: dict[str, _Health] = {}
_health_lock = threading.Lock()


def _health_of(location: str) -> _Health:
    with _health_lock:
        return _health.setdefault(location, _Health())


class ReusedClientRedisCacheClient(RedisCacheClient):
    """Django builds a `redis.Redis` per command, and redis-py fills a table of some 170 response
    callbacks each time (about 0.1 ms, as much as the command itself on loopback): a cached anonymous
    page, two commands, spent a third of its time there. One client per connection pool serves
    every command (redis-py's clients are thread-safe; the pool holds the connections)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients = {}

    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)
        client = self._clients.get(id(pool))
        if client is None:
            client = self._clients[id(pool)] = self._client(connection_pool=pool)
        return client


class FailoverRedisCache(RedisCache):
    def __init__(self, server, params):
        options = {**DEFAULT_TIMEOUTS, **params.get("OPTIONS", {})}
        retry_after = options.pop("RETRY_AFTER", RETRY_AFTER)
        super().__init__(server, {**params, "OPTIONS": options})
        self._class = ReusedClientRedisCacheClient
        from redis.backoff import NoBackoff
        from redis.retry import Retry

        # No retry loop inside redis-py: one attempt, one timeout, then the cache is "down".
        self._options.setdefault("retry", Retry(NoBackoff(), 0))
        self.retry_after = float(retry_after)
        self.location = server if isinstance(server, str) else ",".join(server)
        self.health = _health_of(self.location)
        self.local = LocMemCache(f"failover:{self.location}", {"TIMEOUT": self.default_timeout})

    # The one place that talks to Redis.

    def _redis_or(self, method: str, fallback, *args):
        if time.monotonic() < self.health.down_until:
            return fallback()
        import redis

        try:
            result = getattr(super(), method)(*args)
        except (redis.RedisError, OSError) as exc:
            self._went_down(exc)
            return fallback()
        if self.health.down_since:
            self._came_back()
        return result

    def _went_down(self, exc: Exception) -> None:
        health = self.health
        now = time.monotonic()
        with health.lock:
            health.down_until = now + self.retry_after
            health.failures += 1
            first = not health.down_since
            if first:
                health.down_since = now
            if first or now - health.last_warning >= WARN_EVERY:
                health.last_warning = now
                logger.warning(
                    "cache: Redis at %s does not answer (%s: %s); serving without it, next try in %.0fs",
                    self.location,
                    type(exc).__name__,
                    exc,
                    self.retry_after,
                )

    def _came_back(self) -> None:
        health = self.health
        with health.lock:
            if not health.down_since:
                return
            away = time.monotonic() - health.down_since
            logger.warning("cache: Redis at %s answers again after %.1fs", self.location, away)
            health.down_since = health.down_until = 0.0
            health.failures = 0

    def _local(self, key) -> bool:
        return isinstance(key, str) and key.startswith(LOCAL_PREFIXES)

    def _or(self, key, local, otherwise):
        """While Redis is away: the in-process cache for a rate limit's key, `otherwise` for the rest."""
        return local if self._local(key) else (lambda: otherwise)

    # Reads answer a miss while Redis is away; writes do nothing (the rate limits stay local).

    def get(self, key, default=None, version=None):
        fallback = self._or(key, lambda: self.local.get(key, default, version), default)
        return self._redis_or("get", fallback, key, default, version)

    def has_key(self, key, version=None):
        return self._redis_or("has_key", self._or(key, lambda: self.local.has_key(key, version), False), key, version)

    def get_many(self, keys, version=None):
        local = [key for key in keys if self._local(key)]
        return self._redis_or("get_many", lambda: self.local.get_many(local, version), keys, version)

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        fallback = self._or(key, lambda: self.local.add(key, value, timeout, version), False)
        return self._redis_or("add", fallback, key, value, timeout, version)

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        fallback = self._or(key, lambda: self.local.set(key, value, timeout, version), None)
        return self._redis_or("set", fallback, key, value, timeout, version)

    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None):
        fallback = self._or(key, lambda: self.local.touch(key, timeout, version), False)
        return self._redis_or("touch", fallback, key, timeout, version)

    def delete(self, key, version=None):
        return self._redis_or("delete", self._or(key, lambda: self.local.delete(key, version), False), key, version)

    def incr(self, key, delta=1, version=None):
        return self._redis_or(
            "incr", self._or(key, lambda: self.local.incr(key, delta, version), delta), key, delta, version
        )

    def set_many(self, data, timeout=DEFAULT_TIMEOUT, version=None):
        return self._redis_or("set_many", lambda: list(data), data, timeout, version)

    def delete_many(self, keys, version=None):
        return self._redis_or("delete_many", lambda: None, keys, version)

    def clear(self):
        self.local.clear()
        return self._redis_or("clear", lambda: False)
