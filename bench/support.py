"""What the benchmarks share: a scratch database, gunicorn with production settings, sessions.

Imported by the scripts in this folder (`sys.path` has the folder when one of them runs).
"""

import http.client
import os
import re
import secrets
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VENV = Path(sys.executable).parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def percentile(values, fraction):
    """The nearest-rank percentile (fraction 0.95 for p95) of a non-empty list."""
    ordered = sorted(values)
    index = max(0, min(len(ordered) - 1, round(fraction * len(ordered) + 0.5) - 1))
    return ordered[index]


def fresh_factories() -> None:
    """Names and identifiers that do not collide with an earlier run's rows in the same database."""
    from tests import factories

    base = time.time_ns() // 1_000_000
    factories._rng.seed(base)
    for factory_class in (factories.UserFactory, factories.OrganisationFactory, factories.AssociationFactory):
        factory_class.reset_sequence(base)


def ensure_database(url: str) -> None:
    """Creates the database DATABASE_URL names when it does not exist yet."""
    import dj_database_url
    import psycopg2

    cfg = dj_database_url.parse(url)
    conn = psycopg2.connect(
        dbname="postgres", user=cfg["USER"], host=cfg["HOST"], port=cfg["PORT"] or 5432, password=cfg["PASSWORD"]
    )
    conn.autocommit = True
    with conn.cursor() as cur:
        cur.execute("SELECT 1 FROM pg_database WHERE datname = %s", [cfg["NAME"]])
        if not cur.fetchone():
            cur.execute(f'CREATE DATABASE "{cfg["NAME"]}"')
    conn.close()


# Worker timings shortened so that a benchmark sees a lost task recovered in seconds, not in the
# production's minutes (claim timeout, re-enqueue, visibility timeout); the mechanisms are the same.
SHORT_WORKER_TIMINGS = {
    "NOTIFICATION_SEND_TIME_LIMIT": "15",
    "NOTIFICATION_CLAIM_TIMEOUT": "20",
    "NOTIFICATION_SWEEP_AFTER": "2",
    "NOTIFICATION_SWEEP_INTERVAL": "1",
    "NOTIFICATION_RETRY_BACKOFF": "1",
    "NOTIFICATION_RETRY_BACKOFF_MAX": "4",
    "NOTIFICATION_RETRY_COUNTDOWN_MAX": "4",
    "NOTIFICATION_REENQUEUE_AFTER": "60",
    "NOTIFICATION_RETRY_PERIOD": "600",
    "CELERY_TASK_TIME_LIMIT": "20",
    "CELERY_TASK_SOFT_TIME_LIMIT": "15",
    "CELERY_VISIBILITY_TIMEOUT": "30",
    "EMAIL_TIMEOUT": "10",
    "CONN_MAX_AGE": "60",
}


def production_environment(**extra) -> dict:
    """The environment of a production-like process on loopback (DEBUG off, a random key)."""
    return {
        **os.environ,
        "DEBUG": "false",
        "SECRET_KEY": os.environ.get("BENCH_SECRET_KEY") or secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "SECURE_SSL_REDIRECT": "false",
        "SECURE_COOKIES": "false",
        "LOG_LEVEL": "WARNING",
        **extra,
    }


def collect_static(env: dict) -> None:
    subprocess.run(
        [str(VENV / "python"), "manage.py", "collectstatic", "--noinput", "-v0"], cwd=ROOT, env=env, check=True
    )


def wait_until_serving(port: int, process: subprocess.Popen | None = None, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise SystemExit(f"the server on port {port} exited")
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            connection.request("GET", "/favicon.ico")
            connection.getresponse().read()
            return
        except OSError:
            time.sleep(0.3)
    raise SystemExit(f"nothing serves on port {port}")


def start_gunicorn(
    port: int, env: dict, *, workers: int = 2, threads: int = 1, cpus: str | None = None, log=None
) -> subprocess.Popen:
    """gunicorn on loopback; with `threads` > 1 the gthread workers of deploy/systemd (a thread waiting
    for PostgreSQL leaves the core to another request)."""
    command = [str(VENV / "gunicorn"), "cluster_portal.wsgi", "-b", f"127.0.0.1:{port}", "-w", str(workers)]
    if threads > 1:
        command += ["--worker-class", "gthread", "--threads", str(threads)]
    command += ["--log-level", "warning"]
    if cpus is not None:
        command = ["taskset", "-c", cpus, *command]
    process = subprocess.Popen(
        command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT if log else None, start_new_session=True
    )
    wait_until_serving(port, process)
    return process


def signed_in_session(user) -> str:
    """A server-side session for `user`, as after signing in (and passing two-factor for staff)."""
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore

    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[-1]
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    # As after a real sign-in with the second factor (accounts/security.py asks it of staff).
    from accounts import security

    now = time.time()
    session[security.MFA_VERIFIED] = str(user.pk)
    session[security.SIGNED_IN_AT] = now
    session[security.LAST_SEEN] = now
    session.create()
    return session.session_key


WRK_REPORT = r"""
done = function(summary, latency, requests)
  io.write(string.format("RESULT requests=%d seconds=%.3f non2xx=%d errors=%d p50=%.2f p95=%.2f p99=%.2f\n",
    summary.requests, summary.duration / 1e6, summary.errors.status,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout,
    latency:percentile(50) / 1000, latency:percentile(95) / 1000, latency:percentile(99) / 1000))
end
"""


# Every request a query string nobody asked before (`_=<run>-<thread>-<n>` appended, which the pages
# ignore but their cache keys do not): the path of a reader asking something new.
WRK_FRESH_QUERY = r"""
local threads = {}
setup = function(thread)
  table.insert(threads, thread)
  thread:set("id", #threads)
end
local counter = 0
request = function()
  counter = counter + 1
  local sep = string.find(wrk.path, "?", 1, true) and "&" or "?"
  return wrk.format(nil, wrk.path .. sep .. "_=RUN-" .. id .. "-" .. counter)
end
"""


def wrk(
    url: str,
    *,
    connections: int,
    seconds: int,
    headers: dict | None = None,
    cpus: str | None = None,
    fresh_query: bool = False,
) -> dict:
    """Runs wrk against one URL; returns requests/s, non-2xx/3xx, errors and p50/p95/p99 in ms.
    With `fresh_query` every request carries a query string no one asked before."""
    script = Path(os.environ.get("TMPDIR", "/tmp")) / f"bench-wrk-{os.getpid()}.lua"
    lua = WRK_REPORT
    if fresh_query:
        lua += WRK_FRESH_QUERY.replace("RUN", uuid.uuid4().hex[:8])
    script.write_text(lua)
    command = ["wrk", "-t", str(min(2, connections)), "-c", str(connections), "-d", f"{seconds}s", "--latency"]
    command += ["--timeout", "10s", "-s", str(script)]
    for name, value in (headers or {}).items():
        command += ["-H", f"{name}: {value}"]
    command.append(url)
    if cpus is not None:
        command = ["taskset", "-c", cpus, *command]
    output = subprocess.run(command, capture_output=True, text=True, timeout=seconds + 60).stdout
    match = re.search(r"RESULT (.*)", output)
    if not match:
        raise SystemExit(f"wrk printed no result for {url}:\n{output}")
    numbers = {key: float(value) for key, value in re.findall(r"(\w+)=([\d.]+)", match.group(1))}
    numbers["rate"] = numbers["requests"] / numbers["seconds"] if numbers["seconds"] else 0.0
    return numbers
