"""Celery tasks of the notification outbox. They take ids; the row decides what happens.

- deliver_notification: claim and send one e-mail; retried with back-off on SMTP errors.
- sweep_notifications (beat): enqueue again what is still pending, or stuck with a dead worker.
"""

import logging

from celery import shared_task
from django.conf import settings

from core.tasks import TransactionAwareTask

logger = logging.getLogger(__name__)

SEND_TIME_LIMIT = settings.NOTIFICATION_SEND_TIME_LIMIT
SEND_SOFT_TIME_LIMIT = max(1, SEND_TIME_LIMIT - max(1, SEND_TIME_LIMIT // 6))


@shared_task(
    base=TransactionAwareTask,
    bind=True,
    acks_late=True,
    reject_on_worker_lost=True,
    time_limit=SEND_TIME_LIMIT,
    soft_time_limit=SEND_SOFT_TIME_LIMIT,
    max_retries=None,  # the row counts attempts (NOTIFICATION_MAX_ATTEMPTS)
    ignore_result=True,
)
def deliver_notification(self, notification_id: int) -> None:
    from .delivery import RetryLater, deliver

    try:
        deliver(notification_id)
    except RetryLater as exc:
        # If the broker is down now, the row stays pending and the sweep enqueues it later.
        raise self.retry(countdown=exc.countdown, exc=exc) from exc


@shared_task(acks_late=True, time_limit=120, soft_time_limit=100, ignore_result=True)
def sweep_notifications() -> int:
    from .delivery import fail_exhausted, sweep

    fail_exhausted()
    ids = sweep()
    for pk in ids:
        deliver_notification.delay(pk)
    if ids:
        logger.info("sweep: enqueued %s notification(s) again", len(ids))
    return len(ids)
