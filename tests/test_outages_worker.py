"""Outages with a real Celery worker, a throwaway Redis and an SMTP server on loopback (issue 13).

Built on the fixtures of `test_notifications_worker.py` (its own redis-server, aiosmtpd and a
`celery worker --beat -Q celery,periodic` on pytest's test database, short timings):

- Redis paused (SIGSTOP) while applications are submitted: every hand-off gives up within about a
  second, and once Redis resumes every e-mail arrives once.
- The worker's database connection is killed as the SMTP server says 250: recording `sent` is
  retried on a new connection; the e-mail arrives once. Then the pool process is killed mid-send:
  the redelivered task takes its own claim back at once, long before the claim timeout.

`bench/fault_suite.py` runs the longer scenarios and prints the table of docs/benchmarks/outages.md.
"""

import os
import signal
import time
from pathlib import Path

import psycopg2
import pytest
from django.conf import settings

from notifications.models import EmailStatus
from notifications.services import notify
from tests.factories import UserFactory
from tests.test_notifications_worker import (  # noqa: F401 (fixtures)
    _assert_each_delivered_once,
    _draft_applications,
    _submit,
    broker,
    smtp,
    throwaway_redis,
    wait_for,
    workers,
)

pytestmark = [pytest.mark.postgres, pytest.mark.redis, pytest.mark.django_db(transaction=True)]

WORKER_APPLICATION = "cp-outage-worker"


@pytest.fixture(autouse=True)
def _fresh_hand_off():
    from core.tasks import broker_reset

    broker_reset()
    yield
    broker_reset()


def _database_url(**options) -> str:
    db = settings.DATABASES["default"]
    query = "&".join(f"{k}={v}" for k, v in options.items())
    return f"postgres://{db['USER'] or 'postgres'}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}" + (
        f"?{query}" if query else ""
    )


def _pause(server):
    os.kill(server.process.pid, signal.SIGSTOP)


def _resume(server):
    os.kill(server.process.pid, signal.SIGCONT)


def test_submissions_answer_at_once_while_redis_is_paused(workers, broker, smtp):  # noqa: F811 (fixtures)
    _controller, handler = smtp
    workers.start()
    warm_up, *applications = _draft_applications(4)
    started = time.monotonic()
    _submit(warm_up)
    usual = time.monotonic() - started

    _pause(broker)
    try:
        durations = []
        for application in applications:
            started = time.monotonic()
            _submit(application)  # the hand-off after commit meets a Redis that never answers
            durations.append(time.monotonic() - started)
    finally:
        _resume(broker)
    assert max(durations) < usual + 2, (usual, durations)  # one bounded hand-off of about a second
    assert min(durations) < usual + 0.5, (usual, durations)  # then this process leaves Redis alone
    _assert_each_delivered_once(handler, workers, timeout=30)


def _children(pid: int) -> list[int]:
    path = Path(f"/proc/{pid}/task/{pid}/children")
    return [int(child) for child in path.read_text().split()] if path.exists() else []


def test_a_database_blip_after_250_and_a_killed_pool_process_send_each_e_mail_once(workers, smtp):  # noqa: F811
    """1. The worker's database connection is killed just before the SMTP server says 250: recording
    `sent` is retried on a new connection. 2. The pool process is killed mid-send: the redelivered
    task (same id) takes its own claim back at once, long before the claim timeout (120 s here)."""
    _controller, handler = smtp
    workers.env["DATABASE_URL"] = _database_url(application_name=WORKER_APPLICATION)
    workers.env["NOTIFICATION_CLAIM_TIMEOUT"] = "120"
    db = settings.DATABASES["default"]
    killed = []

    def kill_worker_connections():
        with psycopg2.connect(
            dbname=db["NAME"], user=db["USER"] or "postgres", host=db["HOST"] or "127.0.0.1", port=db["PORT"] or 5432
        ) as conn:
            conn.autocommit = True
            with conn.cursor() as cursor:
                cursor.execute(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = %s",
                    [WORKER_APPLICATION],
                )
                killed.extend(row[0] for row in cursor.fetchall())

    handler.before_accept = kill_worker_connections
    worker = workers.start()
    blipped = notify(recipient=UserFactory(), kind="application_approved", params={"association": "Фотоника"})
    _assert_each_delivered_once(handler, workers, timeout=30)
    assert any(killed), workers.logs()
    assert "recording it failed" in workers.logs()
    blipped.refresh_from_db()
    assert (blipped.email_status, blipped.email_attempts) == (EmailStatus.SENT, 1)

    handler.stall_next_rcpt = 30.0
    started = time.monotonic()
    interrupted = notify(recipient=UserFactory(), kind="application_approved", params={"association": "Фотоника"})
    assert handler.stalled.wait(15), workers.logs()
    for child in _children(worker.pid):  # the pool process, mid-conversation with the SMTP server
        os.kill(child, signal.SIGKILL)
    _assert_each_delivered_once(handler, workers, timeout=30)
    assert time.monotonic() - started < 60  # not the claim timeout's 120 s
    interrupted.refresh_from_db()
    assert (interrupted.email_status, interrupted.email_attempts) == (EmailStatus.SENT, 2)
