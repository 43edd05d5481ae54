"""Celery tasks of the notification outbox. They take ids; the row decides what happens.

- deliver_notification: claim and send one e-mail; retried with back-off on SMTP errors.
- sweep_notifications (beat, on the `periodic` queue): enqueue again what is still pending, or
  stuck with a dead worker. At most one sweep runs at a time (a lock in the cache with an expiry),
  and beat's sweeps expire after one interval, so sweeps that waited never pile up.
"""

import logging
import time
import uuid

from celery import shared_task
from django.conf import settings
from django.core.cache import cache

from core.tasks import TransactionAwareTask

logger = logging.getLogger(__name__)

SEND_TIME_LIMIT = settings.NOTIFICATION_SEND_TIME_LIMIT
SEND_SOFT_TIME_LIMIT = max(1, SEND_TIME_LIMIT - max(1, SEND_TIME_LIMIT // 6))
SWEEP_TIME_LIMIT = 120
SWEEP_LOCK = "notifications:sweep-lock"


class DeliveryTask(TransactionAwareTask):
    def hand_off_failed(self, args, kwargs) -> None:
        """The id never reached the broker: the sweep may enqueue the row after NOTIFICATION_SWEEP_AFTER."""
        from .models import Notification

        notification_id = args[0] if args else kwargs.get("notification_id")
        Notification.objects.filter(pk=notification_id).update(email_enqueued_at=None)


@shared_task(
    base=DeliveryTask,
    bind=True,
    acks_late=True,
    reject_on_worker_lost=True,
    time_limit=SEND_TIME_LIMIT,
    soft_time_limit=SEND_SOFT_TIME_LIMIT,
    max_retries=None,  # the row decides (NOTIFICATION_RETRY_PERIOD)
    ignore_result=True,
)
def deliver_notification(self, notification_id: int) -> None:
    """Deliver one e-mail. Its row was marked enqueued when written; `hand_off_failed` unmarks it."""
    from .delivery import RetryLater, deliver

    # Recording `sent` through a database blip may take until just before the soft time limit.
    deadline = time.monotonic() + max(1, SEND_SOFT_TIME_LIMIT - 1)
    try:
        deliver(notification_id, task_id=self.request.id or "", deadline=deadline)
    except RetryLater as exc:
        # If the broker is down now, the row stays pending and the sweep enqueues it later.
        raise self.retry(countdown=exc.countdown, exc=exc) from exc


@shared_task(acks_late=True, time_limit=SWEEP_TIME_LIMIT, soft_time_limit=SWEEP_TIME_LIMIT - 20, ignore_result=True)
def sweep_notifications() -> int:
    """Enqueue the rows that need it; skipped (0) while another sweep holds the lock."""
    from .delivery import fail_exhausted, sweep

    token = uuid.uuid4().hex
    if not cache.add(SWEEP_LOCK, token, timeout=SWEEP_TIME_LIMIT):
        logger.info("sweep: another sweep is running, or the cache is away; skipped")
        return 0
    try:
        fail_exhausted()
        ids = sweep()
        for pk in ids:
            deliver_notification.delay(pk)
        if ids:
            logger.info("sweep: enqueued %s notification(s) again", len(ids))
        return len(ids)
    finally:
        if cache.get(SWEEP_LOCK) == token:
            cache.delete(SWEEP_LOCK)
