"""Celery tasks of membership applications (beat schedule in settings)."""

from celery import shared_task


@shared_task(acks_late=True, time_limit=600, soft_time_limit=540, ignore_result=True)
def send_review_reminders() -> int:
    """Daily: one digest per reviewer of the applications waiting too long (safe to run twice a day)."""
    from .services import review_reminders_send

    return review_reminders_send()
