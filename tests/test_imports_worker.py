"""An import uploaded in the admin runs on a real Celery worker through Redis (the "imports" queue),
and a job whose hand-off was lost while Redis was down is recovered by the worker's own sweep.

Built on the fixtures of `test_notifications_worker.py` (its own redis-server and a
`celery worker --beat -Q celery,periodic,imports` on pytest's test database).
"""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from imports.models import ImportJob, ImportStatus
from members.models import Organisation
from tests.test_import_organisations import _csv, _entity
from tests.test_notifications_worker import (  # noqa: F401 (fixtures)
    broker,
    smtp,
    throwaway_redis,
    wait_for,
    workers,
)

pytestmark = [pytest.mark.postgres, pytest.mark.redis, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _fresh_hand_off():
    from core.tasks import broker_reset

    broker_reset()
    yield
    broker_reset()


@pytest.fixture
def shared_media(settings, workers, tmp_path):  # noqa: F811 (fixture)
    """The worker reads the uploaded file from the same MEDIA_ROOT as this process writes it to."""
    settings.MEDIA_ROOT = tmp_path / "media"
    workers.env["MEDIA_ROOT"] = str(settings.MEDIA_ROOT)
    workers.env.update(IMPORT_RESEND_AFTER="0", IMPORT_SWEEP_INTERVAL="1")
    return workers


def _job_finished():
    job = ImportJob.objects.first()
    return job is not None and job.status in (ImportStatus.DONE, ImportStatus.FAILED)


def test_an_uploaded_file_is_imported_by_the_worker(client, world, shared_media, broker):  # noqa: F811
    shared_media.start()
    client.force_login(world.admin)
    rows = [_entity(short_name="ООО «Первая»"), _entity(short_name="ООО «Вторая»"), _entity(inn="7707083894")]
    response = client.post(reverse("admin:imports_importjob_add"), {"file": SimpleUploadedFile("o.csv", _csv(rows))})
    assert response.status_code == 302
    wait_for(_job_finished, 40, f"the worker did not finish the import:\n{shared_media.logs()}", interval=0.2)
    job = ImportJob.objects.get()
    assert job.status == ImportStatus.DONE, job.error
    assert (job.summary["created"], job.summary["invalid"], job.rows_done) == (2, 1, 3)
    assert Organisation.objects.filter(short_name__in=["ООО «Первая»", "ООО «Вторая»"]).count() == 2


def test_a_job_uploaded_while_redis_was_down_is_imported_once_it_is_back(client, world, shared_media, broker):  # noqa: F811
    client.force_login(world.admin)
    broker.stop()
    try:
        response = client.post(
            reverse("admin:imports_importjob_add"), {"file": SimpleUploadedFile("o.csv", _csv([_entity()]))}
        )
    finally:
        broker.start()
    assert response.status_code == 302  # the upload is saved and answered; the hand-off failed
    assert ImportJob.objects.get().status == ImportStatus.PENDING
    shared_media.start()  # its beat runs the import sweep each second, which hands the job over again
    wait_for(_job_finished, 60, f"the sweep did not recover the job:\n{shared_media.logs()}", interval=0.2)
    assert ImportJob.objects.get().status == ImportStatus.DONE
