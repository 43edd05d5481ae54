"""Failover on one machine: nginx in front of two gunicorn instances and two Celery workers.

A load of anonymous page views runs through nginx (wrk) while notifications are written at a
steady pace; mid-run one gunicorn instance and one Celery worker are killed with SIGKILL. The
run passes when users saw no error (nginx retried the idempotent requests on the surviving
instance) and every notification reached the SMTP server. Writes docs/benchmarks/failover.md.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/failover_bench \\
    REDIS_URL=redis://127.0.0.1:6379/12 \\
    .venv/bin/python bench/failover.py --seconds 60

Needs Debian's nginx and wrk. The database is created and migrated if needed and gets the demo
content; the Redis database is flushed first. Not part of the test suite (docs/deployment.md).
"""

import argparse
import email
import logging
import os
import platform
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import support  # noqa: E402

ROOT = support.ROOT
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cluster_portal.settings")
VENV = support.VENV

PAGES = ["/", "/associations/", "/projects/", "/projects/?q=%D0%BF%D0%B5%D1%87%D0%B0%D1%82%D1%8C", "/healthz"]

WRK_SCRIPT = """
paths = {%(paths)s}
counter = 0
request = function()
  counter = counter + 1
  return wrk.format("GET", paths[(counter %% #paths) + 1])
end
done = function(summary, latency, requests)
  io.write(string.format("RESULT requests=%%d connect=%%d read=%%d write=%%d status=%%d timeout=%%d\\n",
    summary.requests, summary.errors.connect, summary.errors.read, summary.errors.write,
    summary.errors.status, summary.errors.timeout))
  io.write(string.format("LATENCY p50=%%.1f p95=%%.1f p99=%%.1f\\n", latency:percentile(50) / 1000,
    latency:percentile(95) / 1000, latency:percentile(99) / 1000))
end
"""

NGINX_CONF = """
worker_processes 1;
user root;
pid {prefix}/nginx.pid;
error_log {prefix}/error.log warn;
events {{ worker_connections 1024; }}
http {{
    access_log off;
    client_body_temp_path {prefix}/body;
    proxy_temp_path {prefix}/proxy;
    upstream portal {{
        server 127.0.0.1:{port_a} max_fails=1 fail_timeout=5s;
        server 127.0.0.1:{port_b} max_fails=1 fail_timeout=5s;
        keepalive 16;
    }}
    server {{
        listen 127.0.0.1:{port};
        client_max_body_size 12m;
        location / {{
            proxy_pass http://portal;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
            proxy_set_header Host 127.0.0.1;
            proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
            proxy_connect_timeout 1s;
            proxy_next_upstream error timeout http_502 http_503 http_504;
            proxy_next_upstream_tries 3;
        }}
    }}
}}
"""


class Recorder:
    """The SMTP server: counts every 250 per notification, so duplicates show."""

    def __init__(self):
        self.accepted = Counter()
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):
        notification_id = int(email.message_from_bytes(envelope.content)["X-Portal-Notification"])
        with self.lock:
            self.accepted[notification_id] += 1
        return "250 Message accepted"


def wait_for(predicate, seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while not predicate():
        if time.monotonic() > deadline:
            sys.exit(f"timed out waiting for {what}")
        time.sleep(0.2)


def port_open(port: int) -> bool:
    with socket.socket() as sock:
        sock.settimeout(0.5)
        return sock.connect_ex(("127.0.0.1", port)) == 0


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=int, default=60, help="length of the load (default 60)")
    parser.add_argument("--connections", type=int, default=8, help="wrk connections (default 8)")
    parser.add_argument("--notifications", type=int, default=300, help="notifications written during the run")
    parser.add_argument("--deliver-within", type=int, default=240, help="seconds to wait for delivery after the load")
    parser.add_argument("--output", default=str(ROOT / "docs/benchmarks/failover.md"))
    args = parser.parse_args()

    database_url = os.environ.get("DATABASE_URL", "")
    redis_url = os.environ.get("REDIS_URL", "")
    if not database_url.startswith("postgres") or not redis_url:
        sys.exit("set DATABASE_URL (PostgreSQL) and REDIS_URL")
    for tool in ("nginx", "wrk"):
        if not shutil.which(tool) and not Path(f"/usr/sbin/{tool}").exists():
            sys.exit(f"{tool} is missing: apt-get install nginx-light wrk")
    support.ensure_database(database_url)
    work = Path(tempfile.mkdtemp(prefix="bench-failover-"))
    static_root = work / "static"

    import django

    django.setup()
    import redis
    from aiosmtpd.controller import Controller
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    redis.Redis.from_url(redis_url).flushdb()

    from django.contrib.auth import get_user_model

    from notifications.models import Notification
    from notifications.services import notify

    if not get_user_model().objects.filter(email="admin@cluster.local").exists():
        call_command("seed_demo", password=secrets.token_urlsafe(16), verbosity=0)
    recipients = list(get_user_model().objects.filter(is_active=True).order_by("pk")[:20])

    logging.getLogger("mail.log").setLevel(logging.WARNING)
    recorder = Recorder()
    smtp = Controller(recorder, hostname="127.0.0.1", port=support.free_port())
    smtp.start()

    env = support.production_environment(
        STATIC_ROOT=str(static_root),
        EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
        EMAIL_HOST="127.0.0.1",
        EMAIL_PORT=str(smtp.port),
        CELERY_TASK_ALWAYS_EAGER="false",
        **support.SHORT_WORKER_TIMINGS,
    )
    support.collect_static(env)

    processes: dict[str, subprocess.Popen] = {}

    def start(name: str, command: list[str]) -> subprocess.Popen:
        log = (work / f"{name}.log").open("w")
        processes[name] = subprocess.Popen(
            command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
        return processes[name]

    port_a, port_b, port = support.free_port(), support.free_port(), support.free_port()
    for name, gport in (("web-a", port_a), ("web-b", port_b)):
        start(name, [str(VENV / "gunicorn"), "cluster_portal.wsgi", "-w", "2", "-b", f"127.0.0.1:{gport}"])
    worker_args = ["--without-gossip", "--without-mingle", "-P", "prefork", "-c", "2", "-l", "INFO"]
    for name in ("worker-1", "worker-2"):
        start(
            name,
            [str(VENV / "celery"), "-A", "cluster_portal", "worker", "-Q", "celery,periodic"]
            + worker_args
            + ["-n", f"{name}-{os.getpid()}@%h"],
        )
    start(
        "beat",
        [str(VENV / "celery"), "-A", "cluster_portal", "beat", "-l", "WARNING", "-s", str(work / "beat-schedule")],
    )
    (work / "nginx").mkdir()
    (work / "nginx.conf").write_text(NGINX_CONF.format(prefix=work / "nginx", port_a=port_a, port_b=port_b, port=port))
    start("nginx", ["nginx", "-p", str(work / "nginx"), "-c", str(work / "nginx.conf"), "-g", "daemon off;"])

    results = {}
    try:
        wait_for(lambda: port_open(port_a) and port_open(port_b) and port_open(port), 60, "gunicorn and nginx")
        wait_for(
            lambda: all("ready." in (work / f"{n}.log").read_text() for n in ("worker-1", "worker-2")), 90, "workers"
        )
        script = work / "load.lua"
        script.write_text(WRK_SCRIPT % {"paths": ", ".join(f'"{p}"' for p in PAGES)})
        wrk = subprocess.Popen(
            [
                "wrk",
                "-t2",
                f"-c{args.connections}",
                f"-d{args.seconds}s",
                "--timeout",
                "10s",
                "-s",
                str(script),
                f"http://127.0.0.1:{port}",
            ],
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        started = time.monotonic()
        written = []
        killed = {}
        interval = args.seconds * 0.8 / args.notifications
        for index in range(args.notifications):
            elapsed = time.monotonic() - started
            if "web" not in killed and elapsed > args.seconds / 3:
                os.killpg(processes["web-a"].pid, signal.SIGKILL)
                killed["web"] = elapsed
            if "worker" not in killed and elapsed > args.seconds / 2:
                os.killpg(processes["worker-1"].pid, signal.SIGKILL)
                killed["worker"] = elapsed
            recipient = recipients[index % len(recipients)]
            written.append(
                notify(recipient=recipient, kind="application_received", params={"bench": index}, url="/cabinet/").pk
            )
            time.sleep(interval)
        output, _ = wrk.communicate(timeout=args.seconds + 60)
        load_seconds = time.monotonic() - started
        wait_for_delivery = time.monotonic() + args.deliver_within
        while set(written) - set(recorder.accepted) and time.monotonic() < wait_for_delivery:
            time.sleep(0.5)
        delivery_seconds = time.monotonic() - started - load_seconds
        results = {
            "wrk": output,
            "killed": killed,
            "expected": len(written),
            "delivered": len(set(written) & set(recorder.accepted)),
            "duplicated": sum(count - 1 for pk, count in recorder.accepted.items() if pk in set(written) and count > 1),
            "lost": len(set(written) - set(recorder.accepted)),
            "statuses": dict(
                Counter(Notification.objects.filter(pk__in=written).values_list("email_status", flat=True))
            ),
            "delivery_seconds": delivery_seconds,
        }
    finally:
        for process in processes.values():
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
        for process in processes.values():
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
        smtp.stop()

    numbers = dict(re.findall(r"(\w+)=([\d.]+)", results["wrk"]))
    user_errors = sum(int(numbers.get(k, 0)) for k in ("connect", "read", "write", "status", "timeout"))
    passed = user_errors == 0 and results["lost"] == 0
    report = f"""# Failover: a web instance and a worker killed under load

Measured by `bench/failover.py --seconds {args.seconds}` on {datetime.now(UTC):%Y-%m-%d %H:%M} UTC
(machine: {platform.platform()}, {os.cpu_count()} CPUs, everything on loopback).

- nginx (Debian's package) in front of two gunicorn instances (2 sync workers each,
  `DEBUG=false`), with `proxy_next_upstream error timeout http_502 http_503 http_504` as in
  `deploy/nginx/cluster-portal.conf`; two Celery workers (`-Q celery,periodic`), one beat;
  PostgreSQL and Redis; an aiosmtpd server on loopback counting each 250 per notification.
- Load: wrk, {args.connections} connections for {args.seconds} s over {", ".join(f"`{p}`" for p in PAGES)}.
- Meanwhile {results["expected"]} notifications written through `notifications.services.notify`.
- At {results["killed"].get("web", 0):.0f} s one gunicorn instance (master and workers) was killed with
  SIGKILL; at {results["killed"].get("worker", 0):.0f} s one Celery worker (its whole process group).
- Worker timings shortened as in `bench/fault_suite.py` (`bench/support.py: SHORT_WORKER_TIMINGS`: claim
  timeout 20 s, re-enqueue after 60 s, visibility timeout 30 s), so the killed worker's e-mail comes
  back within the wait; production's defaults recover it the same way in minutes.

| requests | user-visible errors (connect/read/write/status/timeout) | p50 | p95 | p99 |
| ---: | --- | ---: | ---: | ---: |
| {numbers.get("requests", "?")} | {user_errors} ({numbers.get("connect")}/{numbers.get("read")}/{numbers.get("write")}/{numbers.get("status")}/{numbers.get("timeout")}) | {numbers.get("p50", "?")} ms | {numbers.get("p95", "?")} ms | {numbers.get("p99", "?")} ms |

| notifications expected | delivered | duplicated | lost | last delivered after the load |
| ---: | ---: | ---: | ---: | ---: |
| {results["expected"]} | {results["delivered"]} | {results["duplicated"]} | {results["lost"]} | {results["delivery_seconds"]:.0f} s |

Rows by e-mail status at the end: {results["statuses"]}.

Result: **{"passed" if passed else "FAILED"}** — {"no user saw an error and every notification was delivered" if passed else "see the figures above"}.
A duplicate is possible only for a message whose worker was killed between the SMTP server's 250
and the commit that marks it sent; it carries the same Message-ID (docs/notifications.md).
"""
    Path(args.output).parent.mkdir(parents=True, exist_ok=True)
    Path(args.output).write_text(report)
    print(report)
    sys.exit(0 if passed else 1)


if __name__ == "__main__":
    main()
