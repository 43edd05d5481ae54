"""Benchmark: time from an application's submission to its e-mail's arrival at the SMTP server.

Runs a real Celery worker (one prefork process), a real aiosmtpd server on loopback and
PostgreSQL + Redis; submits applications at a steady pace and measures, for every
notification, commit of the submission → message accepted by the SMTP server.
Two rounds in one run: e-mails alone, then the same while a 35,000-row organisation import runs
on a second worker consuming the `imports` queue (as deploy/ runs one worker per queue), to show
that an import does not delay e-mails. Writes the result to docs/benchmarks/notification-latency.md.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/portal_bench \\
    REDIS_URL=redis://127.0.0.1:6379/4 \\
    .venv/bin/python bench/notification_latency.py --count 200

The database is created and migrated if needed, and may be reused: each run adds its own rows
(the factories' names and identifiers start from a run-unique number). The Redis database is
flushed first. Not part of the test suite.
"""

import argparse
import email
import logging
import os
import platform
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
import support  # noqa: E402
from import_organisations import rows as import_rows  # noqa: E402
from import_organisations import write_file  # noqa: E402

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cluster_portal.settings")


class Recorder:
    def __init__(self):
        self.arrivals = {}
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):
        now = time.time()
        notification_id = int(email.message_from_bytes(envelope.content)["X-Portal-Notification"])
        with self.lock:
            self.arrivals.setdefault(notification_id, now)
        return "250 Message accepted"


def start_worker(env: dict, queue: str, name: str) -> tuple[subprocess.Popen, Path]:
    log = Path(tempfile.mkdtemp(prefix=f"bench-worker-{queue}-")) / "worker.log"
    worker = subprocess.Popen(
        [str(ROOT / ".venv/bin/celery"), "-A", "cluster_portal", "worker", "-P", "prefork", "-c", "1", "-l", "INFO"]
        + [
            "-Q",
            queue,
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
            "-n",
            f"{name}-{os.getpid()}@%h",
        ],
        cwd=ROOT,
        env=env,
        stdout=log.open("w"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    deadline = time.monotonic() + 60
    while "ready." not in log.read_text():
        if time.monotonic() > deadline or worker.poll() is not None:
            sys.exit(f"worker did not start:\n{log.read_text()}")
        time.sleep(0.2)
    return worker, log


def stop_worker(worker: subprocess.Popen) -> None:
    os.killpg(worker.pid, signal.SIGTERM)
    worker.wait(timeout=60)


def start_import(rows_count: int, folder: Path):
    """A 35,000-row import job handed to the `imports` queue, as the admin upload does; returns the job."""
    from django.core.files import File

    from imports.models import ImportJob
    from imports.tasks import run_import_job
    from members.models import Direction, Organisation, Region

    Organisation.objects.filter(email__endswith="@import.example").delete()  # so every run creates them anew
    regions = list(Region.objects.values_list("code", flat=True))
    directions = list(Direction.objects.values_list("slug", flat=True))
    path = folder / "organisations.csv"
    write_file(path, "csv", ([*row[:-1], ""] for row in import_rows(rows_count, regions, directions)))
    with path.open("rb") as f:
        job = ImportJob(original_name=path.name)
        job.file.save(path.name, File(f))
    run_import_job.send_now((job.pk,))
    return job


def prepare_round(count: int) -> list:
    """Draft applications of one association with a coordinator, ready to submit."""
    from django.contrib.auth.hashers import make_password

    from applications.models import ApplicationStatus
    from tests.factories import ApplicationFactory, AssociationFactory, RepresentativeFactory, UserFactory

    association = AssociationFactory()
    coordinator = UserFactory(password=make_password(None))
    association.coordinators.add(coordinator)
    applications = []
    for _ in range(count):
        application = ApplicationFactory(association=association, status=ApplicationStatus.DRAFT)
        RepresentativeFactory(organisation=application.organisation, user=application.applicant)
        applications.append(application)
    return applications


def submit_round(args, applications, recorder, Notification) -> tuple[dict, int, float]:
    """Submit the applications at a steady pace; (latencies by kind, missing, submit seconds)."""
    from django.db import transaction

    from applications.services import notify_application_event

    first_id = (Notification.objects.order_by("-pk").values_list("pk", flat=True).first() or 0) + 1

    submitted_at = {}
    started = time.time()
    for application in applications:
        commit = {}
        with transaction.atomic():
            # Registered before the notifications' own callbacks, so it runs first at commit: the
            # clock starts before the hand-off to the broker, which is part of the latency.
            transaction.on_commit(lambda commit=commit: commit.setdefault("at", time.time()))
            notify_application_event(application.submit(by=application.applicant))
            ids = list(
                Notification.objects.filter(pk__gte=first_id, params__application_id=application.pk).values_list(
                    "pk", "kind"
                )
            )
        for pk, kind in ids:
            submitted_at[pk] = (commit["at"], kind)
        time.sleep(args.interval)
    submit_seconds = time.time() - started

    deadline = time.monotonic() + 120
    while len(set(submitted_at) & set(recorder.arrivals)) < len(submitted_at):
        if time.monotonic() > deadline:
            break
        time.sleep(0.1)
    latencies = {kind: [] for kind in ("application_received", "application_submitted")}
    missing = 0
    for pk, (committed, kind) in submitted_at.items():
        if pk not in recorder.arrivals:
            missing += 1
            continue
        latencies.setdefault(kind, []).append(recorder.arrivals[pk] - committed)
    return latencies, missing, submit_seconds


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--count", type=int, default=200, help="applications to submit per round (default 200)")
    parser.add_argument("--interval", type=float, default=0.05, help="seconds between submissions (default 0.05)")
    parser.add_argument("--import-rows", type=int, default=35000, help="rows of the import in the second round")
    parser.add_argument("--output", default=str(ROOT / "docs/benchmarks/notification-latency.md"))
    args = parser.parse_args()

    database_url = os.environ.get("DATABASE_URL", "")
    redis_url = os.environ.get("REDIS_URL", "")
    if not database_url.startswith("postgres") or not redis_url:
        sys.exit("set DATABASE_URL (PostgreSQL) and REDIS_URL")
    support.ensure_database(database_url)
    folder = Path(tempfile.mkdtemp(prefix="bench-latency-"))
    os.environ.setdefault("MEDIA_ROOT", str(folder / "media"))
    os.environ["CELERY_TASK_ALWAYS_EAGER"] = "false"

    import django

    django.setup()
    import redis
    from aiosmtpd.controller import Controller
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    redis.Redis.from_url(redis_url).flushdb()

    from imports.models import ImportJob, ImportStatus
    from notifications.models import Notification

    logging.getLogger("mail.log").setLevel(logging.WARNING)
    recorder = Recorder()
    smtp = Controller(recorder, hostname="127.0.0.1", port=support.free_port())
    smtp.start()
    env = {
        **os.environ,
        "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "EMAIL_HOST": "127.0.0.1",
        "EMAIL_PORT": str(smtp.port),
        "LOG_LEVEL": "WARNING",
    }
    mail_worker, _log = start_worker(env, "celery", "bench-mail")
    import_worker, import_log = start_worker(env, "imports", "bench-imports")
    rounds = []
    try:
        support.fresh_factories()
        rounds.append(("e-mails alone", *submit_round(args, prepare_round(args.count), recorder, Notification), None))

        applications = prepare_round(args.count)  # before the import starts, so it overlaps the submissions
        job = start_import(args.import_rows, folder)
        deadline = time.monotonic() + 60
        while ImportJob.objects.get(pk=job.pk).status == ImportStatus.PENDING:
            if time.monotonic() > deadline:
                sys.exit(f"the import did not start:\n{import_log.read_text()[-3000:]}")
            time.sleep(0.1)
        import_started = time.time()
        latencies, missing, seconds = submit_round(args, applications, recorder, Notification)
        submissions_ended = time.time()
        while not ImportJob.objects.get(pk=job.pk).is_finished:
            time.sleep(0.2)
        job.refresh_from_db()
        overlap = {
            "rows": job.rows_total,
            "status": job.status,
            "took": (job.finished_at.timestamp() - import_started),
            "running_through": job.finished_at.timestamp() >= submissions_ended,
        }
        rounds.append(
            (f"while a {args.import_rows:,}-row import runs".replace(",", " "), latencies, missing, seconds, overlap)
        )
    finally:
        stop_worker(mail_worker)
        stop_worker(import_worker)
        smtp.stop()

    def row(label, values):
        if not values:
            return f"| {label} | 0 | – | – | – |"
        return (
            f"| {label} | {len(values)} | {statistics.median(values) * 1000:.0f} ms "
            f"| {support.percentile(values, 0.95) * 1000:.0f} ms | {max(values) * 1000:.0f} ms |"
        )

    sections = []
    verdicts = []
    for label, latencies, missing, seconds, overlap in rounds:
        everything = [v for values in latencies.values() for v in values]
        p95 = support.percentile(everything, 0.95) if everything else float("inf")
        verdicts.append(f"{label}: p95 {p95 * 1000:.0f} ms, {'met' if p95 < 2 and not missing else 'NOT met'}")
        note = ""
        if overlap:
            note = (
                f"\nThe import: {overlap['rows']} rows, {overlap['status']}, {overlap['took']:.1f} s from its start; "
                + (
                    "it ran through the whole round."
                    if overlap["running_through"]
                    else "**it ended before the round did.**"
                )
                + "\n"
            )
        sections.append(
            f"""## {label}

{args.count} applications submitted one every {args.interval * 1000:.0f} ms (over {seconds:.1f} s).

| e-mail | count | median | p95 | max |
| --- | ---: | ---: | ---: | ---: |
{row("receipt to the applicant", latencies["application_received"])}
{row("notice to the reviewer", latencies["application_submitted"])}
{row("all", everything)}

Not delivered within the wait: {missing}.
{note}"""
        )
    report = f"""# Notification latency: submission → e-mail at the SMTP server

Measured by `bench/notification_latency.py` on {datetime.now(UTC):%Y-%m-%d %H:%M} UTC.

- Each submission goes through `MembershipApplication.submit` and `notify_application_event` in one
  transaction, as the portal does, and writes two notifications (receipt to the applicant, notice to
  the coordinator); their e-mails are enqueued after commit.
- Two Celery workers (`-P prefork -c 1` each): one for the e-mails (`-Q celery`), one for imports
  (`-Q imports`); Redis as broker, PostgreSQL, an aiosmtpd server on loopback. The clock starts at
  the commit, before the hand-off to the broker, and stops when the SMTP server accepts the message.
- Machine: {platform.platform()}, Python {platform.python_version()}, {os.cpu_count()} CPUs.

Target: p95 under 2 s — {"; ".join(verdicts)}.

{chr(10).join(sections)}"""
    Path(args.output).parent.mkdir(parents=True, exist_ok=True)
    Path(args.output).write_text(report)
    print(report)


if __name__ == "__main__":
    main()
