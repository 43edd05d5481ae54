"""Fault tests with a real Celery worker, a real Redis and a real SMTP server on loopback.

Each test starts its own throwaway redis-server (never the shared one), an aiosmtpd
server and a `celery worker --beat` subprocess working on pytest's test database, with
short delivery timings so that the sweep acts within seconds:

- Redis stops while applications are submitted, starts again: every e-mail arrives once.
- The worker is killed with SIGKILL while it sends: the e-mail still arrives once.
- The SMTP server refuses messages for a while, then accepts: none is lost.
"""

import asyncio
import email
import os
import signal
import socket
import subprocess
import threading
import time
from collections import Counter
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from django.conf import settings
from django.db import transaction

from applications.models import ApplicationStatus
from applications.services import notify_application_event
from notifications.models import EmailStatus, Notification
from notifications.services import notify
from tests.factories import ApplicationFactory, AssociationFactory, RepresentativeFactory, UserFactory

pytestmark = [pytest.mark.postgres, pytest.mark.redis, pytest.mark.django_db(transaction=True)]

ROOT = Path(__file__).resolve().parent.parent
WORKER_TIMINGS = {
    "NOTIFICATION_SEND_TIME_LIMIT": "4",
    "NOTIFICATION_CLAIM_TIMEOUT": "5",
    "NOTIFICATION_SWEEP_AFTER": "2",
    "NOTIFICATION_SWEEP_INTERVAL": "1",
    "NOTIFICATION_RETRY_BACKOFF": "1",
    "NOTIFICATION_RETRY_BACKOFF_MAX": "2",
    "EMAIL_TIMEOUT": "10",
}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for(predicate, timeout: float, message: str, interval: float = 0.1):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout}s: {message}")


# SMTP


class RecordingHandler:
    """Records each accepted message by its notification id; can refuse or stall on purpose."""

    def __init__(self):
        self.received = Counter()
        self.lock = threading.Lock()
        self.refuse_for = 0.0  # seconds, from the first DATA on, during which DATA is refused with 451
        self.refuse_until = 0.0
        self.refused = 0
        self.stall_next_rcpt = 0.0  # seconds to stall the next RCPT (once)
        self.stalled = threading.Event()
        self.before_accept = None  # called once, just before the first 250 to DATA (test_outages_worker)

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if self.stall_next_rcpt:
            delay, self.stall_next_rcpt = self.stall_next_rcpt, 0.0
            self.stalled.set()
            await asyncio.sleep(delay)
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        if self.refuse_for and not self.refuse_until:  # the window opens with the first message, however late
            self.refuse_until = time.monotonic() + self.refuse_for
        if time.monotonic() < self.refuse_until:
            self.refused += 1
            return "451 4.3.0 Try again later"
        if self.before_accept is not None:
            hook, self.before_accept = self.before_accept, None
            hook()
        message = email.message_from_bytes(envelope.content)
        with self.lock:
            self.received[int(message["X-Portal-Notification"])] += 1
        return "250 Message accepted"

    def total(self) -> int:
        with self.lock:
            return sum(self.received.values())


@pytest.fixture
def smtp():
    handler = RecordingHandler()
    controller = Controller(handler, hostname="127.0.0.1", port=free_port())
    controller.start()
    yield controller, handler
    controller.stop()


# Redis


class ThrowawayRedis:
    def __init__(self, port: int):
        self.port = port
        self.url = f"redis://127.0.0.1:{port}/0"
        self.process = None

    def start(self):
        self.process = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        import redis

        client = redis.Redis(host="127.0.0.1", port=self.port, socket_connect_timeout=0.5)

        def answers():
            try:
                return client.ping()
            except redis.RedisError:
                return False

        wait_for(answers, 10, "redis-server did not start")

    def stop(self):
        if self.process and self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=10)


@pytest.fixture
def throwaway_redis():
    server = ThrowawayRedis(free_port())
    server.start()
    yield server
    server.stop()


@pytest.fixture
def broker(throwaway_redis):
    """Point this process's Celery producer at the throwaway Redis (and back afterwards)."""
    from cluster_portal.celery import app

    before = app.conf.broker_url
    app.conf.broker_url = throwaway_redis.url
    app._after_fork()  # drop pooled connections to the previous broker
    yield throwaway_redis
    app.conf.broker_url = before
    app._after_fork()


# Worker


class Workers:
    def __init__(self, tmp_path, env):
        self.tmp_path = tmp_path
        self.env = env
        self.processes = []

    def start(self) -> subprocess.Popen:
        n = len(self.processes)
        log = self.tmp_path / f"worker-{n}.log"
        process = subprocess.Popen(
            [
                str(ROOT / ".venv/bin/celery"),
                "-A",
                "cluster_portal",
                "worker",
                "-P",
                "prefork",
                "-c",
                "1",
                "--beat",
                "-Q",
                "celery,periodic,imports",
                "-s",
                str(self.tmp_path / f"beat-{n}"),
                "-l",
                "INFO",
                "--without-gossip",
                "--without-mingle",
                "--without-heartbeat",
                "-n",
                f"h4-test-{os.getpid()}-{n}@%h",
            ],
            cwd=ROOT,
            env=self.env,
            stdout=log.open("w"),
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: SIGKILL reaches the pool child too
        )
        self.processes.append((process, log))
        wait_for(lambda: "ready." in log.read_text(), 30, f"worker did not start:\n{log.read_text()[-3000:]}")
        return process

    def kill(self, process):
        try:
            os.killpg(process.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        process.wait(timeout=10)

    def logs(self) -> str:
        return "\n".join(log.read_text()[-4000:] for _p, log in self.processes)

    def stop_all(self):
        for process, _log in self.processes:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
        for process, _log in self.processes:
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.kill(process)


@pytest.fixture
def workers(transactional_db, broker, smtp, tmp_path):
    controller, _handler = smtp
    env = {
        **os.environ,
        **WORKER_TIMINGS,
        "DATABASE_URL": f"postgres://{settings.DATABASES['default']['USER'] or 'postgres'}@"
        f"{settings.DATABASES['default']['HOST'] or '127.0.0.1'}:{settings.DATABASES['default']['PORT'] or 5432}/"
        f"{settings.DATABASES['default']['NAME']}",
        "REDIS_URL": broker.url,
        "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "EMAIL_HOST": "127.0.0.1",
        "EMAIL_PORT": str(controller.port),
        "CELERY_TASK_ALWAYS_EAGER": "false",
        "CONN_MAX_AGE": "0",
    }
    group = Workers(tmp_path, env)
    yield group
    group.stop_all()


def _draft_applications(count: int):
    association = AssociationFactory()
    association.coordinators.add(UserFactory())
    applications = []
    for _ in range(count):
        application = ApplicationFactory(association=association, status=ApplicationStatus.DRAFT)
        RepresentativeFactory(organisation=application.organisation, user=application.applicant)
        applications.append(application)
    return applications


def _submit(application):
    with transaction.atomic():
        notify_application_event(application.submit(by=application.applicant))


def _assert_each_delivered_once(handler, workers, timeout=40):
    ids = set(Notification.objects.values_list("pk", flat=True))
    assert ids
    wait_for(
        lambda: set(handler.received) >= ids,
        timeout,
        f"not every e-mail arrived: {sorted(ids - set(handler.received))}\n{workers.logs()}",
        interval=0.2,
    )
    time.sleep(1.5)  # let any duplicate in flight arrive before counting
    assert {pk: handler.received[pk] for pk in ids} == dict.fromkeys(ids, 1)
    wait_for(
        lambda: not Notification.objects.exclude(email_status=EmailStatus.SENT).exists(),
        10,
        "rows not recorded as sent",
    )


def test_it_delivers_everything_once_after_redis_was_down_at_submission(workers, broker, smtp):
    _controller, handler = smtp
    workers.start()
    applications = _draft_applications(3)

    broker.stop()
    for application in applications:
        _submit(application)  # the e-mail cannot be enqueued: the row stays pending
    assert Notification.objects.filter(email_status=EmailStatus.PENDING).count() == 6
    broker.start()  # an empty Redis: nothing of the lost messages survives in it

    _assert_each_delivered_once(handler, workers)


def test_it_delivers_once_when_the_worker_is_killed_while_sending(workers, smtp):
    _controller, handler = smtp
    handler.stall_next_rcpt = 30.0
    recipient = UserFactory()
    worker = workers.start()
    with transaction.atomic():
        notification = notify(recipient=recipient, kind="application_approved", params={"association": "Фотоника"})

    assert handler.stalled.wait(15), workers.logs()
    notification.refresh_from_db()
    assert notification.email_status == EmailStatus.SENDING
    workers.kill(worker)  # SIGKILL to the whole worker, mid-conversation with the SMTP server
    assert handler.total() == 0

    workers.start()
    _assert_each_delivered_once(handler, workers)
    notification.refresh_from_db()
    assert notification.email_attempts == 2


def test_it_loses_nothing_while_smtp_refuses_for_a_while(workers, smtp):
    _controller, handler = smtp
    handler.refuse_for = 4
    workers.start()
    for application in _draft_applications(3):
        _submit(application)

    _assert_each_delivered_once(handler, workers)
    assert handler.refused > 0
    assert Notification.objects.filter(email_attempts__gt=1).exists()
    assert not Notification.objects.filter(email_status=EmailStatus.FAILED).exists()
