from celery import shared_task
from django.conf import settings

from core.tasks import TransactionAwareTask

from .jobs import import_job_run


@shared_task(
    base=TransactionAwareTask,
    time_limit=settings.IMPORT_TASK_TIME_LIMIT,
    soft_time_limit=max(settings.IMPORT_TASK_TIME_LIMIT - 60, 30),
)
def run_import_job(job_id: int) -> None:
    """Import an uploaded file in the background (sent once the upload's transaction commits)."""
    import_job_run(job_id=job_id)
