"""The background run of an import uploaded in the admin (imports.tasks calls it with the job's id)."""

import logging

from django.conf import settings
from django.utils import timezone, translation
from django.utils.translation import gettext

from .models import ImportJob, ImportStatus
from .reader import ImportFileError, read_rows
from .services import organisations_import

logger = logging.getLogger(__name__)


def import_job_run(*, job_id: int) -> None:
    """Claim a waiting job (a second delivery of the task finds it taken and stops), import its file
    and record the progress after every batch, then the summary and the report."""
    claimed = ImportJob.objects.filter(pk=job_id, status=ImportStatus.PENDING).update(
        status=ImportStatus.RUNNING, heartbeat_at=timezone.now()
    )
    if not claimed:
        return
    job = ImportJob.objects.select_related("created_by").get(pk=job_id)
    jobs = ImportJob.objects.filter(pk=job_id)

    def progress(done: int, total: int) -> None:
        jobs.update(rows_done=done, rows_total=total, heartbeat_at=timezone.now())

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


def import_jobs_sweep(*, send) -> dict:
    """Recover jobs the broker or a worker lost: nothing is left waiting or "running" for ever.

    A job still waiting IMPORT_RESEND_AFTER after its hand-off (the broker was away at upload, or
    the message was lost) is handed over again; the claim in import_job_run makes a second
    delivery harmless. A running job whose last batch is older than IMPORT_STALLED_AFTER lost its
    worker (killed, out of memory, time limit): it is marked failed with a message that says so.
    The batches it finished stay written, and uploading the file again is safe, because the
    import creates or updates by ИНН and changes nothing that is already right.
    """
    now = timezone.now()
    waiting = list(
        ImportJob.objects.filter(
            status=ImportStatus.PENDING, heartbeat_at__lt=now - settings.IMPORT_RESEND_AFTER
        ).values_list("pk", flat=True)[:100]
    )
    for pk in waiting:
        # Marked first, so a sweep that comes while the broker is still away waits its turn again.
        ImportJob.objects.filter(pk=pk, status=ImportStatus.PENDING).update(heartbeat_at=now)
        send(pk)
    stalled = ImportJob.objects.filter(
        status=ImportStatus.RUNNING, heartbeat_at__lt=now - settings.IMPORT_STALLED_AFTER
    )
    failed = 0
    for pk, language in stalled.values_list("pk", "language")[:100]:
        with translation.override(language):
            message = gettext(
                "The import stopped: the worker running it stopped responding. The batches already "
                "written are kept; upload the file again, a repeated import duplicates nothing."
            )
        failed += stalled.filter(pk=pk).update(status=ImportStatus.FAILED, error=message, finished_at=now)
    if failed:
        logger.warning("%s organisation import(s) stopped without finishing: marked failed", failed)
    return {"resent": len(waiting), "failed": failed}
