"""Throttling per token (or signed-in user) and per anonymous address, in the cache.

When the cache does not answer (Redis down) the request is let through: the API stays up
without its rate limits rather than failing every call.
"""

import logging

from django.conf import settings
from rest_framework import throttling

from .models import AccessToken

logger = logging.getLogger(__name__)


class FailOpenMixin:
    def allow_request(self, request, view):
        try:
            return super().allow_request(request, view)
        except Exception:  # the cache backend's errors differ (redis, memcached…): allow
            logger.warning("API throttle skipped: the cache did not answer", exc_info=True)
            return True


class AnonAddressThrottle(FailOpenMixin, throttling.AnonRateThrottle):
    scope = "anon"

    def get_rate(self):
        return settings.API_THROTTLE_ANON


class CallerThrottle(FailOpenMixin, throttling.SimpleRateThrottle):
    """One budget per token; a browser session shares its user's."""

    scope = "caller"

    def get_rate(self):
        return settings.API_THROTTLE_TOKEN

    def get_cache_key(self, request, view):
        if isinstance(request.auth, AccessToken):
            ident = f"token-{request.auth.pk}"
        elif request.user.is_authenticated:
            ident = f"user-{request.user.pk}"
        else:
            return None
        return self.cache_format % {"scope": self.scope, "ident": ident}
