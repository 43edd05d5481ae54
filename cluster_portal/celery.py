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


celeryd_init.connect(refuse_in_memory_broker, weak=False)
beat_init.connect(refuse_in_memory_broker, weak=False)
