"""The background run of an import uploaded in the admin (imports.tasks calls it with the job's id)."""

import logging

from django.conf import settings
from django.utils import timezone, translation

from .models import ImportJob, ImportStatus
from .reader import ImportFileError, read_rows
from .services import organisations_import

logger = logging.getLogger(__name__)


def import_job_run(*, job_id: int) -> None:
    """Claim a waiting job (a second delivery of the task finds it taken and stops), import its file
    and record the progress after every batch, then the summary and the report."""
    claimed = ImportJob.objects.filter(pk=job_id, status=ImportStatus.PENDING).update(status=ImportStatus.RUNNING)
    if not claimed:
        return
    job = ImportJob.objects.select_related("created_by").get(pk=job_id)
    jobs = ImportJob.objects.filter(pk=job_id)

    def progress(done: int, total: int) -> None:
        jobs.update(rows_done=done, rows_total=total)

    try:
        with translation.override(job.language):
            with job.file.open("rb") as f:
                rows = read_rows(f.read())
            result = organisations_import(
                rows=rows,
                actor=job.created_by,
                dry_run=job.dry_run,
                batch_size=settings.IMPORT_BATCH_SIZE,
                progress=progress,
            )
    except ImportFileError as exc:
        jobs.update(status=ImportStatus.FAILED, error=str(exc), finished_at=timezone.now())
        return
    except Exception as exc:
        logger.exception("organisation import %s failed", job_id)
        jobs.update(status=ImportStatus.FAILED, error=repr(exc)[:2000], finished_at=timezone.now())
        raise
    jobs.update(
        status=ImportStatus.DONE,
        summary=result.summary(),
        report=[issue.as_dict() for issue in result.issues],
        rows_done=result.total,
        rows_total=result.total,
        finished_at=timezone.now(),
    )
