"""Reads of public list pages from a read replica, when one is configured (docs/deployment.md).

Only anonymous GET and HEAD requests to the pages named in `REPLICA_READ_PAGES` read from the
replica: a visitor cannot notice a replica's lag of a second, while a signed-in user must see what
they have just saved. Everything else, and every write, goes to the primary.
"""

from contextvars import ContextVar

from django.conf import settings

REPLICA = "replica"
_reading_from_replica: ContextVar[bool] = ContextVar("reading_from_replica", default=False)


def replica_configured() -> bool:
    return REPLICA in settings.DATABASES


class ReplicaRouter:
    """Routes the reads of a marked request to the replica; never migrates or writes there."""

    def db_for_read(self, model, **hints):
        if _reading_from_replica.get() and replica_configured():
            return REPLICA
        return None

    def db_for_write(self, model, **hints):
        return "default"

    def allow_relation(self, obj1, obj2, **hints):
        return True

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return db != REPLICA


class ReplicaReadsMiddleware:
    """Marks anonymous reads of the configured pages for the replica."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            return self.get_response(request)
        finally:
            token = getattr(request, "_replica_token", None)
            if token is not None:
                _reading_from_replica.reset(token)

    def process_view(self, request, view_func, view_args, view_kwargs):
        if not replica_configured() or request.method not in ("GET", "HEAD"):
            return None
        match = request.resolver_match
        if match is None or match.view_name not in settings.REPLICA_READ_PAGES:
            return None
        # The session and the user come from the primary, before the mark is set.
        if request.user.is_authenticated:
            return None
        request._replica_token = _reading_from_replica.set(True)
        return None


def reading_from_replica() -> bool:
    return _reading_from_replica.get()
