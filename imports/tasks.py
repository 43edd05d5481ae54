from celery import shared_task
from django.conf import settings

from core.tasks import TransactionAwareTask

from .jobs import import_job_run, import_jobs_sweep


@shared_task(
    base=TransactionAwareTask,
    time_limit=settings.IMPORT_TASK_TIME_LIMIT,
    soft_time_limit=max(settings.IMPORT_TASK_TIME_LIMIT - 60, 30),
)
def run_import_job(job_id: int) -> None:
    """Import an uploaded file in the background (sent once the upload's transaction commits)."""
    import_job_run(job_id=job_id)


@shared_task(ignore_result=True)
def sweep_import_jobs() -> dict:
    """Periodic (queue "periodic"): hand waiting jobs over again and fail the ones whose worker died."""
    return import_jobs_sweep(send=lambda job_id: run_import_job.send_now((job_id,)))
