"""Delivery of notification e-mails. (Full claim/retry/sweep logic: see issue 4.)"""

from celery import shared_task


@shared_task(acks_late=True)
def deliver_notification(notification_id: int) -> None:
    from .delivery import deliver

    deliver(notification_id)
