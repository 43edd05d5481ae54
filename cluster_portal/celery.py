"""Celery application: settings come from Django's, under the CELERY_ namespace."""

import os

from celery import Celery
from celery.signals import beat_init, celeryd_init

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cluster_portal.settings")

app = Celery("cluster_portal")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

NO_BROKER = (
    "REDIS_URL is not set, so this process would use an in-memory broker and never receive a task "
    "from the web process. Start it with the same DATABASE_URL and REDIS_URL as the web process."
)


def refuse_in_memory_broker(**kwargs) -> None:
    """Without REDIS_URL the web process runs tasks itself; a worker or beat beside it would do nothing."""
    if str(app.conf.broker_url).startswith("memory://"):
        raise SystemExit(NO_BROKER)


def wait_longer_for_redis(**kwargs) -> None:
    """A worker or beat waits longer for Redis than a request does (CELERY_WORKER_BROKER_SOCKET_TIMEOUT).

    The web process hands a task over within about a second or leaves it to the sweep; the worker's
    own sends (retries, the sweep's hand-offs) may wait for a busy Redis a little longer.
    """
    from django.conf import settings

    timeout = settings.CELERY_WORKER_BROKER_SOCKET_TIMEOUT
    app.conf.broker_transport_options = {
        **app.conf.broker_transport_options,
        "socket_timeout": timeout,
        "socket_connect_timeout": timeout,
    }
    app.conf.broker_connection_timeout = timeout


celeryd_init.connect(refuse_in_memory_broker, weak=False)
beat_init.connect(refuse_in_memory_broker, weak=False)
celeryd_init.connect(wait_longer_for_redis, weak=False)
beat_init.connect(wait_longer_for_redis, weak=False)
