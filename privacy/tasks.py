"""Celery tasks of the personal-data app (beat schedule in settings)."""

from celery import shared_task


@shared_task(acks_late=True, time_limit=600, soft_time_limit=540, ignore_result=True)
def delete_after_withdrawal() -> int:
    """Daily: delete the accounts whose consent was withdrawn 30 days ago (safe to run twice)."""
    from .services import deletions_due_process

    return deletions_due_process()
