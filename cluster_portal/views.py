import logging
import sys

from django.conf import settings
from django.db import InterfaceError, OperationalError, connection
from django.http import HttpResponse, HttpResponseRedirect, JsonResponse
from django.template import loader
from django.templatetags.static import static
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from django.views.defaults import server_error as django_server_error
from django.views.i18n import set_language as django_set_language

from accounts.services import user_set_language

logger = logging.getLogger(__name__)


@require_GET
def favicon(request):
    """Browsers ask for /favicon.ico where a page links no icon (the admin, a file opened directly)."""
    return HttpResponseRedirect(static("icons/favicon.png"))


def _check_database() -> str:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:  # any driver error means "down"
        logger.warning("healthz: database check failed: %s", exc)
        return "down"
    return "ok"


def _check_redis() -> str:
    if not settings.REDIS_URL:
        return "not configured"
    import redis

    try:
        client = redis.Redis.from_url(settings.REDIS_URL, socket_connect_timeout=1, socket_timeout=1)
        client.ping()
    except Exception as exc:
        logger.warning("healthz: Redis check failed: %s", exc)
        return "down"
    return "ok"


def _notification_details() -> dict:
    """E-mails staff should look at (the outbox page): failed for good, and long pending."""
    from django.utils import timezone

    from notifications.models import EmailStatus, Notification

    stale = timezone.now() - settings.NOTIFICATION_LONG_PENDING_AFTER
    try:
        return {
            "failed": Notification.objects.filter(email_status=EmailStatus.FAILED).count(),
            "long_pending": Notification.objects.filter(
                email_status__in=[EmailStatus.PENDING, EmailStatus.SENDING], created_at__lt=stale
            ).count(),
        }
    except Exception as exc:  # the database went away between the two checks
        logger.warning("healthz: counting e-mails failed: %s", exc)
        return {}


@never_cache
@require_GET
def healthz(request):
    """200 when the database and (when configured) Redis answer, 503 otherwise.

    Each check has a short timeout (Redis 1 s; the database its `connect_timeout`). The details
    count the e-mails that need attention; they never change the status.
    """
    checks = {"database": _check_database(), "redis": _check_redis()}
    healthy = all(value != "down" for value in checks.values())
    details = {"notifications": _notification_details()} if checks["database"] == "ok" else {}
    return JsonResponse(
        {"status": "ok" if healthy else "fail", "checks": checks, "details": details}, status=200 if healthy else 503
    )


def set_language(request):
    """Django's language switch, also remembered on the account (e-mails use it)."""
    from .middleware import supported_language

    response = django_set_language(request)
    language = supported_language(request.POST.get("language"))
    if request.method == "POST" and language and request.user.is_authenticated:
        user_set_language(user=request.user, language=language)
    return response


def server_error(request):
    """A database that is down or restarting answers 503 with Retry-After, not a bare 500: the request
    failed cleanly (its transaction rolled back) and a repeat in a few seconds will be served."""
    error = sys.exc_info()[1]
    if isinstance(error, (OperationalError, InterfaceError)):
        response = HttpResponse(loader.get_template("503.html").render(), status=503)
        response["Retry-After"] = "5"
        return response
    return django_server_error(request)
