"""Fault suite: every outage of issue 13 against a real worker, Redis, PostgreSQL and SMTP server.

Starts its own redis-server (never the shared one), an aiosmtpd server on loopback, a TCP proxy in
front of PostgreSQL for the worker (so a "database blip" drops and refuses the worker's connections
without touching the shared server) and a `celery worker --beat -Q celery,periodic` per scenario.
Users act through Django's test client in this process, with the same settings as the web process
(the cache and the broker on the suite's Redis): submissions of applications, sign-ins, the home page.

Scenarios: Redis stopped; Redis paused (SIGSTOP); SMTP refusing (451) for two minutes; a database
blip right after the SMTP server's 250; the worker killed mid-send (SIGKILL, before 250); the worker
killed right after 250 (the one case that may send twice); a sweep with a delivery backlog; a long
SMTP outage. The worker's timings are shortened (claim timeout 20 s, sweep every second, back-off
1–4 s, retry period 10 minutes instead of 3 days, send time limit 15 s) so that the suite runs in minutes; the SMTP
refusal lasts `--smtp-refuse` seconds (120 by default) and the long outage `--long-outage` seconds
(60 by default, longer than the old 8 attempts lasted at these timings).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/cp_faults .venv/bin/python bench/fault_suite.py

Prints one table and writes it to docs/benchmarks/outages.md. The database is created and migrated
if needed and can be reused: every run adds its own rows. Not part of the test suite
(tests/test_outages.py and tests/test_outages_worker.py are).
"""

import argparse
import email
import logging
import os
import platform
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
import support  # noqa: E402

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cluster_portal.settings")

WORKER_TIMINGS = {**support.SHORT_WORKER_TIMINGS, "LOG_LEVEL": "INFO"}
WORKER_APPLICATION = "cp-fault-worker"


def wait_for(predicate, timeout: float, interval: float = 0.2) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(interval)
    return predicate()


# Services


class OwnRedis:
    def __init__(self):
        self.port = support.free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process = None

    def start(self):
        self.process = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        import redis

        client = redis.Redis(host="127.0.0.1", port=self.port, socket_connect_timeout=0.5, socket_timeout=0.5)

        def answers():
            try:
                return client.ping()
            except redis.RedisError:
                return False

        if not wait_for(answers, 10, 0.1):
            sys.exit("redis-server did not start")

    def stop(self):
        if self.process and self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=10)

    def pause(self):
        os.kill(self.process.pid, signal.SIGSTOP)

    def resume(self):
        os.kill(self.process.pid, signal.SIGCONT)


class PgProxy:
    """A TCP proxy in front of PostgreSQL; `blip(seconds)` drops every connection and refuses new ones."""

    def __init__(self, host: str, port: int):
        self.target = (host, port)
        self.server = socket.socket()
        self.server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.server.bind(("127.0.0.1", 0))
        self.server.listen(100)
        self.port = self.server.getsockname()[1]
        self.refuse_until = 0.0
        self.pairs = []
        self.lock = threading.Lock()
        self.blips = 0
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self):
        while True:
            try:
                client, _ = self.server.accept()
            except OSError:
                return
            if time.monotonic() < self.refuse_until:
                client.close()
                continue
            try:
                upstream = socket.create_connection(self.target, timeout=5)
            except OSError:
                client.close()
                continue
            upstream.settimeout(None)
            with self.lock:
                self.pairs.append((client, upstream))
            for a, b in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pipe, args=(a, b), daemon=True).start()

    @staticmethod
    def _pipe(source, sink):
        try:
            while data := source.recv(65536):
                sink.sendall(data)
        except OSError:
            pass
        for sock in (source, sink):
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass

    def blip(self, seconds: float):
        self.blips += 1
        self.refuse_until = time.monotonic() + seconds
        with self.lock:
            pairs, self.pairs = self.pairs, []
        for client, upstream in pairs:
            for sock in (client, upstream):
                try:
                    sock.shutdown(socket.SHUT_RDWR)
                    sock.close()
                except OSError:
                    pass


class Smtp:
    """Records every accepted message by notification id; refuses, stalls or runs a hook on purpose."""

    def __init__(self):
        self.arrivals = defaultdict(list)  # notification id -> [time.time() of each 250]
        self.message_ids = defaultdict(set)
        self.lock = threading.Lock()
        self.refuse_until = 0.0
        self.refused = 0
        self.stall_next_rcpt = 0.0
        self.stalled = threading.Event()
        self.before_accept = None  # called for each message while set, once it is accepted, before the 250
        self.delay = 0.0

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        import asyncio

        if self.stall_next_rcpt:
            delay, self.stall_next_rcpt = self.stall_next_rcpt, 0.0
            self.stalled.set()
            await asyncio.sleep(delay)
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        import asyncio

        if time.time() < self.refuse_until:
            self.refused += 1
            return "451 4.3.0 Try again later"
        if self.delay:
            await asyncio.sleep(self.delay)
        message = email.message_from_bytes(envelope.content)
        with self.lock:  # accepted: the server delivers it, whatever happens to the client now
            notification_id = int(message["X-Portal-Notification"])
            self.arrivals[notification_id].append(time.time())
            self.message_ids[notification_id].add(message["Message-ID"])
        if self.before_accept is not None:
            self.before_accept()
        return "250 Message accepted"

    def reset(self):
        with self.lock:
            self.arrivals.clear()
            self.message_ids.clear()
        self.refuse_until = 0.0
        self.refused = 0
        self.stall_next_rcpt = 0.0
        self.stalled.clear()
        self.before_accept = None
        self.delay = 0.0


class Worker:
    def __init__(self, env: dict, logdir: Path):
        self.env = env
        self.logdir = logdir
        self.process = None
        self.count = 0
        self.logs = []

    def start(self, **extra_env):
        self.count += 1
        log = self.logdir / f"worker-{self.count}.log"
        self.logs.append(log)
        self.process = subprocess.Popen(
            [str(ROOT / ".venv/bin/celery"), "-A", "cluster_portal", "worker", "-P", "prefork", "-c", "1"]
            + ["--beat", "-Q", "celery,periodic", "-s", str(self.logdir / f"beat-{self.count}"), "-l", "INFO"]
            + ["--without-gossip", "--without-mingle", "--without-heartbeat", "-n", f"fault-{self.count}@%h"],
            cwd=ROOT,
            env={**self.env, **extra_env},
            stdout=log.open("w"),
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        if not wait_for(lambda: "ready." in log.read_text(), 60):
            sys.exit(f"worker did not start:\n{log.read_text()[-3000:]}")

    def kill(self):
        if self.process and self.process.poll() is None:
            try:
                os.killpg(self.process.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            self.process.wait(timeout=10)

    def stop(self):
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.kill()

    def log_text(self) -> str:
        return "\n".join(log.read_text() for log in self.logs)


# Users


@dataclass
class Result:
    name: str
    expected: int = 0
    delivered: int = 0
    duplicated: int = 0
    lost: int = 0
    p95: float | None = None
    http_errors: int = 0
    requests: int = 0
    slowest_request: float = 0.0
    notes: list = field(default_factory=list)


class Users:
    """People acting through the portal's views (Django's test client, the real middleware and views)."""

    def __init__(self):
        from django.test import Client

        self.Client = Client
        self.started = {}  # notification id -> time.time() just before the request that wrote it
        self.statuses = []
        self.durations = []

    def _request(self, client, method, path, data=None):
        started = time.monotonic()
        response = getattr(client, method)(path, data or {})
        self.durations.append(time.monotonic() - started)
        self.statuses.append(response.status_code)
        return response

    def submit(self, applications):
        from notifications.models import Notification

        for application in applications:
            client = self.Client(raise_request_exception=False)
            client.force_login(application.applicant)
            before = time.time()
            self._request(client, "post", f"/cabinet/applications/{application.pk}/submit/")
            for pk in Notification.objects.filter(params__application_id=application.pk).values_list("pk", flat=True):
                self.started.setdefault(pk, before)

    def sign_in(self, users, password):
        for user in users:
            client = self.Client(raise_request_exception=False)
            response = self._request(client, "post", "/accounts/login/", {"login": user.email, "password": password})
            if response.status_code != 302:
                self.statuses.append(f"sign-in refused ({response.status_code})")
            self._request(client, "get", "/")

    def reset(self):
        self.started.clear()
        self.statuses.clear()
        self.durations.clear()


# The suite


class Suite:
    def __init__(self, args):
        self.args = args
        self.results = []

    def setup(self):
        import django

        self.redis = OwnRedis()
        self.redis.start()
        os.environ["REDIS_URL"] = self.redis.url
        os.environ["CELERY_TASK_ALWAYS_EAGER"] = "false"
        os.environ.setdefault("LOG_LEVEL", "WARNING")
        django.setup()
        logging.getLogger("mail.log").setLevel(logging.WARNING)
        logging.getLogger("core.cache").setLevel(logging.ERROR)
        logging.getLogger("core.tasks").setLevel(logging.ERROR)
        logging.getLogger("django.request").setLevel(logging.CRITICAL)
        from aiosmtpd.controller import Controller
        from django.conf import settings
        from django.core.management import call_command

        call_command("migrate", verbosity=0)
        db = settings.DATABASES["default"]
        self.proxy = PgProxy(db["HOST"] or "127.0.0.1", int(db["PORT"] or 5432))
        self.smtp = Smtp()
        self.controller = Controller(self.smtp, hostname="127.0.0.1", port=support.free_port())
        self.controller.start()
        worker_db = (
            f"postgres://{db['USER'] or 'postgres'}@127.0.0.1:{self.proxy.port}/{db['NAME']}"
            f"?application_name={WORKER_APPLICATION}"
        )
        self.logdir = Path(tempfile.mkdtemp(prefix="fault-suite-"))
        env = {
            **os.environ,
            **WORKER_TIMINGS,
            "DATABASE_URL": worker_db,
            "REDIS_URL": self.redis.url,
            "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "EMAIL_HOST": "127.0.0.1",
            "EMAIL_PORT": str(self.controller.port),
            "CELERY_TASK_ALWAYS_EAGER": "false",
        }
        self.worker = Worker(env, self.logdir)
        self.users = Users()
        support.fresh_factories()

    def teardown(self):
        self.worker.stop()
        self.controller.stop()
        self.redis.stop()

    # Helpers

    def drafts(self, count):
        from applications.models import ApplicationStatus
        from tests.factories import ApplicationFactory, AssociationFactory, RepresentativeFactory, UserFactory

        association = AssociationFactory()
        association.coordinators.add(UserFactory())
        applications = []
        for _ in range(count):
            application = ApplicationFactory(association=association, status=ApplicationStatus.DRAFT)
            RepresentativeFactory(organisation=application.organisation, user=application.applicant)
            applications.append(application)
        return applications

    def verified_users(self, count):
        from allauth.account.models import EmailAddress

        from tests.factories import UserFactory

        users = [UserFactory() for _ in range(count)]
        for user in users:
            EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
        return users

    def begin(self, name):
        from django.core.cache import cache

        from core.tasks import broker_reset

        print(f"… {name}", flush=True)
        self.smtp.reset()
        self.users.reset()
        broker_reset()
        cache.clear()
        self.redis_flush()
        return Result(name)

    def redis_flush(self):
        import redis

        try:
            redis.Redis.from_url(self.redis.url, socket_timeout=2).flushdb()
        except redis.RedisError:
            pass

    def finish(self, result: Result, timeout: float, expect_duplicates: int = 0):
        """Wait for every expected e-mail, then count."""
        from notifications.models import EmailStatus, Notification

        expected = set(self.users.started)
        result.expected = len(expected)
        deadline = time.monotonic() + timeout
        wait_for(lambda: expected <= set(self.smtp.arrivals), timeout)
        # Every row recorded (a row left `sending` by a killed worker is sent again after the claim timeout).
        wait_for(
            lambda: (
                not Notification.objects.filter(
                    pk__in=expected, email_status__in=[EmailStatus.PENDING, EmailStatus.SENDING]
                ).exists()
            ),
            max(1.0, deadline - time.monotonic()),
        )
        time.sleep(2)  # let a duplicate in flight arrive
        with self.smtp.lock:
            arrivals = {pk: list(times) for pk, times in self.smtp.arrivals.items() if pk in expected}
            message_ids = {pk: set(ids) for pk, ids in self.smtp.message_ids.items() if pk in expected}
        result.delivered = len(arrivals)
        result.duplicated = sum(len(times) - 1 for times in arrivals.values())
        result.lost = len(expected - set(arrivals))
        latencies = [times[0] - self.users.started[pk] for pk, times in arrivals.items()]
        result.p95 = support.percentile(latencies, 0.95) if latencies else None
        errors = [s for s in self.users.statuses if isinstance(s, str) or s >= 500]
        result.http_errors = len(errors)
        result.requests = len(self.users.durations)
        result.slowest_request = max(self.users.durations, default=0.0)
        if any(len(ids) > 1 for ids in message_ids.values()):
            result.notes.append("a duplicate carried a different Message-ID")
        elif result.duplicated:
            result.notes.append("each duplicate carried the same Message-ID")
        if errors:
            result.notes.append(f"errors: {errors[:5]}")
        self.results.append(result)
        self.worker.stop()
        return result

    # Scenarios

    def redis_stopped(self):
        result = self.begin("Redis stopped")
        self.worker.start()
        applications, people = self.drafts(self.args.count), self.verified_users(3)
        self.redis.stop()
        self.users.submit(applications)
        self.users.sign_in(people, "password-for-tests-1")
        time.sleep(3)
        self.redis.start()  # empty: every hand-off made while it was down is gone
        result.notes.append(f"Redis down {3 + sum(self.users.durations):.0f} s")
        return self.finish(result, 90)

    def redis_paused(self):
        result = self.begin("Redis paused (SIGSTOP)")
        self.worker.start()
        applications, people = self.drafts(self.args.count), self.verified_users(3)
        self.redis.pause()
        try:
            self.users.submit(applications)
            self.users.sign_in(people, "password-for-tests-1")
            time.sleep(3)
        finally:
            self.redis.resume()
        return self.finish(result, 120)

    def smtp_refusing(self):
        result = self.begin(f"SMTP refusing {self.args.smtp_refuse} s")
        self.worker.start()
        self.smtp.refuse_until = time.time() + self.args.smtp_refuse
        self.users.submit(self.drafts(self.args.count))
        self.finish(result, self.args.smtp_refuse + 90)
        result.notes.append(f"{self.smtp.refused} attempts refused")
        return result

    def database_blip(self):
        result = self.begin("DB blip right after 250")
        self.worker.start()
        blips = {"left": 3}

        def blip():
            if blips["left"] > 0:
                blips["left"] -= 1
                self.proxy.blip(3.0)  # the worker's connections drop; new ones are refused for 3 s

        self.smtp.before_accept = blip
        self.users.submit(self.drafts(self.args.count))
        self.finish(result, 90)
        result.notes.append(f"{3 - blips['left']} blips of 3 s")
        return result

    def worker_killed_mid_send(self):
        result = self.begin("worker killed mid-send (SIGKILL)")
        self.worker.start()
        self.smtp.stall_next_rcpt = 30.0
        self.users.submit(self.drafts(self.args.count))
        if self.smtp.stalled.wait(30):
            self.worker.kill()
            result.notes.append("killed before the 250")
        time.sleep(1)
        self.worker.start()
        return self.finish(result, 90)

    def worker_killed_after_250(self):
        result = self.begin("worker killed after 250, before the commit")
        self.worker.start()
        # The worker dies once the server has accepted the message and before the row says `sent`:
        # the one window no SMTP client closes.
        hook = {"left": 1}

        def kill_once():
            if hook["left"]:
                hook["left"] = 0
                self.worker.kill()

        self.smtp.before_accept = kill_once
        self.users.submit(self.drafts(1))
        wait_for(lambda: self.smtp.arrivals, 30)
        wait_for(lambda: self.worker.process.poll() is not None, 10)
        self.worker.start()
        return self.finish(result, 90)

    def sweep_backlog(self):
        from django.utils import timezone

        from notifications.models import Notification

        result = self.begin("sweep behind a delivery backlog")
        backlog = self.args.backlog
        # Rows whose hand-off was lost (written while Redis was away), due for the sweep at once ...
        recipient = self.verified_users(1)[0]
        past = timezone.now() - timezone.timedelta(minutes=5)
        written = time.time()
        for _ in range(10):
            row = Notification.objects.create(recipient=recipient, kind="application_approved", params={})
            Notification.objects.filter(pk=row.pk).update(email_next_attempt_at=past)
            self.users.started[row.pk] = written
        lost_ids = set(self.users.started)
        # ... behind a backlog of deliveries already in the queue, with a slow SMTP server.
        self.smtp.delay = 0.03
        self.users.submit(self.drafts(backlog // 2))
        self.worker.start()
        before = time.time()
        self.finish(result, 180)
        log = self.worker.log_text()
        swept = sum(
            int(line.split("enqueued ")[1].split()[0]) for line in log.splitlines() if "sweep: enqueued" in line
        )
        sweeps = log.count("sweep_notifications[") // 2
        with self.smtp.lock:
            lost_latency = max(self.smtp.arrivals[pk][0] - before for pk in lost_ids if self.smtp.arrivals[pk])
        result.notes.append(
            f"{len(lost_ids)} lost rows behind {backlog} queued e-mails, all sent {lost_latency:.0f} s after "
            f"the worker started ({sweeps} sweeps ran, {swept} rows enqueued by them in all)"
        )
        return result

    def long_smtp_outage(self):
        result = self.begin(f"long SMTP outage ({self.args.long_outage} s)")
        self.worker.start()
        self.smtp.refuse_until = time.time() + self.args.long_outage
        self.users.submit(self.drafts(self.args.count))
        self.finish(result, self.args.long_outage + 90)
        from notifications.models import EmailStatus, Notification

        failed = Notification.objects.filter(pk__in=list(self.users.started), email_status=EmailStatus.FAILED).count()
        result.notes.append(f"{self.smtp.refused} attempts refused, {failed} marked failed")
        return result


def render(results, args, seconds) -> str:
    def cell(value):
        return "–" if value is None else f"{value:.1f} s"

    rows = "\n".join(
        f"| {r.name} | {r.expected} | {r.delivered} | {r.duplicated} | {r.lost} | {cell(r.p95)} "
        f"| {r.http_errors} of {r.requests} | {r.slowest_request:.2f} s | {'; '.join(r.notes)} |"
        for r in results
    )
    return f"""# Outages: what users and e-mails go through

Measured by `bench/fault_suite.py` on {datetime.now(UTC):%Y-%m-%d %H:%M} UTC in {seconds / 60:.1f} minutes.

- A real Celery worker (`-P prefork -c 1 --beat -Q celery,periodic`), the suite's own redis-server,
  PostgreSQL (the worker through a TCP proxy that can drop and refuse its connections), an aiosmtpd
  server on loopback. Users act through Django's test client in the suite's process, with the web
  process's settings: the cache and the broker on the suite's Redis.
- Each submission of an application writes two e-mails (receipt to the applicant, notice to the
  coordinator); {args.count} submissions per scenario unless said otherwise; "Redis stopped" and
  "Redis paused" also sign three people in and open the home page.
- Shortened timings (so that the suite runs in minutes): send time limit 15 s, claim timeout 20 s, sweep every 1 s after a
  2 s grace, back-off 1 s to 4 s, retry period 10 minutes (3 days in production), visibility
  timeout 30 s. SMTP refuses with 451 for {args.smtp_refuse} s in "SMTP refusing" and
  {args.long_outage} s in the long outage (at these timings the old limit of 8 attempts gave up
  after about 25 s).
- expected: e-mails written; delivered: distinct e-mails the SMTP server accepted; duplicated: a
  second 250 for the same e-mail; lost: never accepted; p95: from just before the user's request
  to the server's 250; HTTP errors: responses of 500 or more, or a refused sign-in, out of all
  requests; slowest: the longest request.
- Machine: {platform.platform()}, Python {platform.python_version()}, {os.cpu_count()} CPUs (shared
  with other work while measured).

| scenario | expected | delivered | duplicated | lost | p95 delivery | HTTP errors | slowest request | notes |
| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |
{rows}

Targets: 0 lost; 0 duplicated except when the worker is killed between the SMTP server's 250 and the
commit (then the same Message-ID); no server error on any request whose action was saved; sign-in
working with Redis down.

Reading the figures: the p95 delivery time of an outage scenario is set by the outage itself (how long
Redis was away plus the worker's reconnection back-off; two minutes of refusals; the claim timeout
of 20 s after a worker was killed mid-send). "Slowest request" includes the first request of the
suite's process, which compiles templates and opens connections (on a machine shared with other
work); with Redis paused one request per 5 seconds waits for a bounded hand-off (1 s) and a cache
command (0.5 s), the others not at all. The rows the sweeps enqueued beyond the 10 lost ones are
rows whose hand-off timed out or was skipped (a hand-off gives up after a second on this loaded
machine, and the process then leaves the broker alone for 5 s), or rows left pending by earlier runs
in the same database; each was enqueued once and sent once.
"""


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--count", type=int, default=10, help="submissions per scenario (default 10)")
    parser.add_argument("--smtp-refuse", type=int, default=120, help="seconds SMTP refuses (default 120)")
    parser.add_argument("--long-outage", type=int, default=60, help="seconds of the long SMTP outage (default 60)")
    parser.add_argument("--backlog", type=int, default=200, help="e-mails queued before the sweep (default 200)")
    parser.add_argument("--only", default="", help="comma-separated scenario method names")
    parser.add_argument("--output", default=str(ROOT / "docs/benchmarks/outages.md"))
    args = parser.parse_args()
    database_url = os.environ.get("DATABASE_URL", "")
    if not database_url.startswith("postgres"):
        sys.exit("set DATABASE_URL (PostgreSQL)")
    support.ensure_database(database_url)

    suite = Suite(args)
    suite.setup()
    scenarios = [
        "redis_stopped",
        "redis_paused",
        "smtp_refusing",
        "database_blip",
        "worker_killed_mid_send",
        "worker_killed_after_250",
        "sweep_backlog",
        "long_smtp_outage",
    ]
    if args.only:
        scenarios = [name for name in scenarios if name in args.only.split(",")]
    started = time.monotonic()
    try:
        for name in scenarios:
            result = getattr(suite, name)()
            print(
                f"  {result.delivered}/{result.expected} delivered, {result.duplicated} duplicated, "
                f"{result.lost} lost, p95 {result.p95}, {result.http_errors} HTTP errors; {result.notes}",
                flush=True,
            )
    finally:
        suite.teardown()
    report = render(suite.results, args, time.monotonic() - started)
    if not args.only:
        Path(args.output).write_text(report)
    print(report)
    if statistics.fmean([r.lost for r in suite.results] or [0]) > 0:
        sys.exit(1)


if __name__ == "__main__":
    main()
