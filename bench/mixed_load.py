"""Benchmark: a mixed load — browse, search, submit — against the portal as production runs it.

gunicorn with production settings (DEBUG=false), a real Celery worker (with beat), Redis, and a
PostgreSQL cluster of its own (initdb in a temporary folder, port 5440), so that the variant
`--restart-postgres` may restart it once mid-run without touching anyone else's server. Load comes
from locust (bench/requirements.txt) on loopback: visitors browse and search, signed-in applicants
open the cabinet and submit an application (then withdraw it, so the next one may be sent).
The portal and its worker run on CPU 0, the load generator on CPU 1 (taskset).

Measured: every answer of 500 or more and every connection error (server errors), the requests per
second and latencies of each kind, and the resident memory (RSS) of the web processes (gunicorn's
master and workers) and of the worker processes (Celery's, beat included) after a warm-up and at
the end. With `--restart-postgres`, PostgreSQL is restarted (`pg_ctl restart -m fast`) halfway:
requests fail while it is down and must succeed again afterwards without restarting the portal.
Writes docs/benchmarks/mixed-load.md (or --output).

    REDIS_URL=redis://127.0.0.1:6379/7 .venv/bin/python bench/mixed_load.py --seconds 600 --variant both

Needs Debian's PostgreSQL server (`/usr/lib/postgresql/*/bin/initdb`), run as the `postgres` user when
started as root; the Redis database REDIS_URL names is flushed first. Not part of the test suite.
"""

import argparse
import glob
import json
import os
import platform
import secrets
import shutil
import signal
import statistics
import string
import subprocess
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import support  # noqa: E402

ROOT = support.ROOT
VENV = support.VENV
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cluster_portal.settings")

SEARCH_TERMS = ["принтер", "фотоника", "печать", "робот", "гранулы", "дизайн", "микроэлектроника", "ПолимерФорм"]


class OwnPostgres:
    """A PostgreSQL cluster in a temporary folder, ours to restart."""

    def __init__(self, port: int):
        self.port = port
        self.folder = Path(tempfile.mkdtemp(prefix="cp-bench-pg-"))
        self.data = self.folder / "data"
        binaries = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
        if not binaries:
            raise SystemExit("PostgreSQL server binaries not found (apt-get install postgresql)")
        self.bin = Path(binaries[-1]).parent
        self.as_postgres = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        if self.as_postgres:
            shutil.chown(self.folder, "postgres", "postgres")

    def _run(self, *command, check=True):
        return subprocess.run([*self.as_postgres, *command], check=check, capture_output=True, text=True)

    def start(self):
        self._run(str(self.bin / "initdb"), "-D", str(self.data), "-A", "trust", "-U", "postgres", "-E", "UTF8")
        self._pg_ctl("start")

    def _pg_ctl(self, action: str, *extra):
        options = f"-p {self.port} -k {self.folder} -c listen_addresses=127.0.0.1 -c max_connections=100"
        self._run(
            str(self.bin / "pg_ctl"),
            action,
            "-D",
            str(self.data),
            "-w",
            "-o",
            options,
            "-l",
            str(self.folder / "postgres.log"),
            *extra,
        )

    def restart(self) -> float:
        """Restart (fast shutdown: open connections are cut); returns the seconds it took."""
        began = time.monotonic()
        self._pg_ctl("restart", "-m", "fast")
        return time.monotonic() - began

    def stop(self):
        self._run(str(self.bin / "pg_ctl"), "stop", "-D", str(self.data), "-m", "fast", "-w", check=False)
        shutil.rmtree(self.folder, ignore_errors=True)

    @property
    def url(self) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/portal_mixed"


def tree_rss_kib(pid: int) -> int:
    """Resident memory of a process and all its descendants, KiB."""
    total, stack = 0, [pid]
    while stack:
        current = stack.pop()
        try:
            status = Path(f"/proc/{current}/status").read_text()
            total += next(int(line.split()[1]) for line in status.splitlines() if line.startswith("VmRSS:"))
            for task in Path(f"/proc/{current}/task").iterdir():
                stack += [int(child) for child in (task / "children").read_text().split()]
        except (FileNotFoundError, ProcessLookupError, StopIteration):
            continue
    return total


def prepare(env: dict, applicants: int, work: Path) -> Path:
    """Migrate, load the demo content, make the applicants and their sessions; write the load plan."""
    for command in (["migrate", "--noinput", "-v0"], ["seed_demo", "--password", secrets.token_urlsafe(16)]):
        subprocess.run(
            [str(VENV / "python"), "manage.py", *command], cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL
        )
    support.collect_static(env)
    os.environ.update(
        {
            key: env[key]
            for key in (
                "DATABASE_URL",
                "REDIS_URL",
                "DEBUG",
                "SECRET_KEY",
                "ALLOWED_HOSTS",
                "SECURE_SSL_REDIRECT",
                "SECURE_COOKIES",
            )
        }
    )
    import random

    import django

    django.setup()
    from django.conf import settings
    from django.contrib.sessions.backends.db import SessionStore

    from accounts.models import User
    from associations.models import Association
    from members.identifiers import make_inn, make_kpp, make_ogrn
    from members.models import Organisation, Region, Representative, RepresentativeRole
    from projects.models import Project, Visibility

    rng = random.Random(20261203)
    region = Region.objects.get(code="77")
    associations = list(Association.objects.open().values_list("pk", flat=True))
    people = []
    for number in range(applicants):
        user, _ = User.objects.get_or_create(
            email=f"load{number}@bench.test",
            defaults={"last_name": "Нагрузкин", "first_name": "Тест", "pd_consent_at": datetime.now(UTC)},
        )
        organisation = Organisation.objects.filter(representatives__user=user).first()
        if organisation is None:
            organisation = Organisation.objects.create(
                legal_form="legal_entity",
                kind="company",
                inn=make_inn(rng),
                ogrn=make_ogrn(rng),
                kpp=make_kpp(rng),
                full_name=f"ООО «Нагрузка {number}»",
                short_name=f"ООО «Нагрузка {number}»",
                region=region,
                city="Москва",
                email=f"org{number}@bench.test",
            )
            Representative.objects.create(organisation=organisation, user=user, role=RepresentativeRole.OWNER)
        csrf = "".join(secrets.choice(string.ascii_letters + string.digits) for _ in range(32))
        key = support.signed_in_session(user)
        if settings.CSRF_USE_SESSIONS:
            session = SessionStore(session_key=key)
            session["_csrftoken"] = csrf
            session.save()
        people.append(
            {
                "session": key,
                "csrf": csrf,
                "organisation": organisation.pk,
                "associations": rng.sample(associations, len(associations)),
            }
        )
    public = Project.objects.filter(visibility=Visibility.PUBLIC)
    browse = ["/", "/associations/", "/projects/", "/projects/?view=board"]
    browse += [f"/associations/{slug}/" for slug in Association.objects.open().values_list("slug", flat=True)]
    browse += [f"/projects/{slug}/" for slug in public.values_list("slug", flat=True)[:20]]
    plan = work / "plan.json"
    plan.write_text(
        json.dumps(
            {
                "applicants": people,
                "browse": browse,
                "terms": SEARCH_TERMS,
                "session_cookie": settings.SESSION_COOKIE_NAME,
                "csrf_cookie": settings.CSRF_COOKIE_NAME,
            },
            ensure_ascii=False,
        )
    )
    return plan


def run_variant(name: str, *, env, plan, work, seconds, users, pg, restart: bool, warmup: int) -> dict:
    import redis

    redis.Redis.from_url(env["REDIS_URL"]).flushdb()
    web_port = support.free_port()
    logs = work / name
    logs.mkdir()
    worker = subprocess.Popen(
        [
            "taskset",
            "-c",
            "0",
            str(VENV / "celery"),
            "-A",
            "cluster_portal",
            "worker",
            "--beat",
            "-Q",
            "celery,periodic",
            "-P",
            "prefork",
            "-c",
            "1",
            "-l",
            "WARNING",
            "-s",
            str(logs / "beat-schedule"),
        ],
        cwd=ROOT,
        env=env,
        stdout=open(logs / "worker.log", "w"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    web = support.start_gunicorn(web_port, env, workers=2, cpus="0", log=open(logs / "web.log", "w"))
    result_file = logs / "result.json"
    locust = subprocess.Popen(
        [
            "taskset",
            "-c",
            "1",
            str(VENV / "locust"),
            "-f",
            str(Path(__file__).parent / "mixed_load_locust.py"),
            "--headless",
            "-u",
            str(users),
            "-r",
            str(max(1, users // 5)),
            "-t",
            f"{seconds}s",
            "--stop-timeout",
            "10",
            "--host",
            f"http://127.0.0.1:{web_port}",
            "--only-summary",
            "--loglevel",
            "WARNING",
        ],
        cwd=ROOT,
        env={**os.environ, "MIXED_LOAD_PLAN": str(plan), "MIXED_LOAD_RESULT": str(result_file)},
        stdout=open(logs / "locust.log", "w"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    began = time.monotonic()
    memory = {}
    restart_info = {}

    def sample(label):
        memory[label] = {"web": tree_rss_kib(web.pid), "worker": tree_rss_kib(worker.pid)}

    time.sleep(warmup)
    sample("start")
    if restart:
        time.sleep(max(0, seconds / 2 - (time.monotonic() - began)))
        restart_info = {"at": round(time.monotonic() - began), "took": round(pg.restart(), 2)}
    try:
        locust.wait(timeout=seconds + 120)
    finally:
        sample("end")
        for process in (locust, web, worker):
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
        for process in (locust, web, worker):
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
    data = json.loads(result_file.read_text())
    return summarise(name, data, memory, restart_info, seconds)


def summarise(name, data, memory, restart_info, seconds) -> dict:
    per_second = {int(k): v for k, v in data["seconds"].items()}
    totals = {"ok": 0, "client_error": 0, "server_error": 0, "unavailable": 0}
    for counts in per_second.values():
        for outcome, count in counts.items():
            totals[outcome] += count
    errors_at = sorted(
        second for second, counts in per_second.items() if counts.get("server_error") or counts.get("unavailable")
    )
    latencies = {}
    for kind, values in data["latencies"].items():
        values.sort()
        latencies[kind] = {
            "count": len(values),
            "p50": round(statistics.median(values), 1),
            "p95": round(values[int(len(values) * 0.95) - 1], 1),
        }
    growth = {
        part: round(100 * (memory["end"][part] - memory["start"][part]) / (memory["start"][part] or 1), 1)
        for part in ("web", "worker")
    }
    last_error = errors_at[-1] if errors_at else None
    recovered = None
    if restart_info:
        after = [s for s in per_second if s > (last_error or restart_info["at"])]
        recovered = bool(after) and sum(per_second[s].get("ok", 0) for s in after) > 0
    return {
        "name": name,
        "totals": totals,
        "rate": round(sum(totals.values()) / seconds, 1),
        "statuses": data["statuses"],
        "latencies": latencies,
        "memory": memory,
        "growth": growth,
        "errors_from": errors_at[0] if errors_at else None,
        "errors_to": last_error,
        "restart": restart_info,
        "recovered": recovered,
    }


def write_report(path: Path, results: list[dict], args, label: str) -> None:
    lines = [
        "# Mixed load: browse, search, submit",
        "",
        f"{label}. Measured {datetime.now(UTC):%Y-%m-%d %H:%M} UTC by `bench/mixed_load.py` on {platform.node()} "
        f"({os.cpu_count()} CPUs, Python {platform.python_version()}): gunicorn (2 workers, DEBUG=false) and a Celery "
        f"worker with beat on CPU 0, locust on CPU 1, {args.users} simulated users (four visitors to one signed-in "
        f"applicant; {args.applicants} applicant accounts), {args.seconds} s per variant, PostgreSQL of the script's own "
        "(port 5440) and Redis on loopback. Memory: resident set of the whole process tree, after "
        f"{args.warmup} s of load (start) and at the end.",
        "",
        "The full run, 10 minutes per variant, on a quiet machine:",
        "",
        "```sh",
        "REDIS_URL=redis://127.0.0.1:6379/7 .venv/bin/python bench/mixed_load.py --seconds 600 --variant both",
        "```",
        "",
        "| variant | requests | per second | server errors | 503 + Retry-After | 4xx | web RSS start → end (MiB) "
        "| worker RSS start → end (MiB) |",
        "| --- | ---: | ---: | ---: | ---: | ---: | --- | --- |",
    ]
    for r in results:
        m = r["memory"]
        lines.append(
            f"| {r['name']} | {sum(r['totals'].values())} | {r['rate']} | {r['totals']['server_error']} | "
            f"{r['totals']['unavailable']} | "
            f"{r['totals']['client_error']} | {m['start']['web'] / 1024:.0f} → {m['end']['web'] / 1024:.0f} "
            f"({r['growth']['web']:+.1f}%) | {m['start']['worker'] / 1024:.0f} → {m['end']['worker'] / 1024:.0f} "
            f"({r['growth']['worker']:+.1f}%) |"
        )
    lines += [
        "",
        "Latency of the successful answers (ms):",
        "",
        "| variant | kind | answers | p50 | p95 |",
        "| --- | --- | ---: | ---: | ---: |",
    ]
    for r in results:
        for kind, values in sorted(r["latencies"].items()):
            lines.append(f"| {r['name']} | {kind} | {values['count']} | {values['p50']} | {values['p95']} |")
    lines += ["", "Answers by kind and status:", ""]
    for r in results:
        statuses = ", ".join(f"{key}: {count}" for key, count in sorted(r["statuses"].items()))
        lines.append(f"- {r['name']}: {statuses}")
    for r in results:
        if r["restart"]:
            window = (
                f"failed answers (server errors or 503) from second {r['errors_from']} to second {r['errors_to']}"
                if r["errors_from"] is not None
                else "no failed answer at all"
            )
            lines += [
                "",
                f"PostgreSQL restart ({r['name']}): at second {r['restart']['at']}, `pg_ctl restart -m fast` took "
                f"{r['restart']['took']} s; {window}; "
                + (
                    "requests succeeded again afterwards without restarting gunicorn or the worker."
                    if r["recovered"]
                    else "**requests did not succeed again afterwards.**"
                ),
            ]
    path.write_text("\n".join(lines) + "\n")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=600, help="length of each variant")
    parser.add_argument("--users", type=int, default=25, help="simulated users (visitors and applicants)")
    parser.add_argument("--applicants", type=int, default=10, help="applicant accounts with their organisations")
    parser.add_argument("--warmup", type=int, default=30, help="seconds of load before the first memory sample")
    parser.add_argument("--variant", choices=["plain", "restart", "both"], default="both")
    parser.add_argument("--pg-port", type=int, default=5440)
    parser.add_argument("--label", default="Full run")
    parser.add_argument("--output", default=str(ROOT / "docs" / "benchmarks" / "mixed-load.md"))
    args = parser.parse_args()
    if not os.environ.get("REDIS_URL"):
        raise SystemExit("set REDIS_URL (its database is flushed)")
    pg = OwnPostgres(args.pg_port)
    work = Path(tempfile.mkdtemp(prefix="cp-mixed-load-"))
    try:
        pg.start()
        env = support.production_environment(
            DATABASE_URL=pg.url,
            REDIS_URL=os.environ["REDIS_URL"],
            EMAIL_BACKEND="django.core.mail.backends.dummy.EmailBackend",
            RATE_LIMIT_APPLICATION_SUBMITS="1000000/d",
            CELERY_BEAT_SCHEDULE_FILENAME=str(work / "beat-schedule"),
        )
        support.ensure_database(pg.url)
        plan = prepare(env, args.applicants, work)
        variants = {"plain": [False], "restart": [True], "both": [False, True]}[args.variant]
        results = []
        for restart in variants:
            name = "PostgreSQL restarted mid-run" if restart else "steady"
            print(f"{name}: {args.seconds} s …", flush=True)
            results.append(
                run_variant(
                    name,
                    env=env,
                    plan=plan,
                    work=work,
                    seconds=args.seconds,
                    users=args.users,
                    pg=pg,
                    restart=restart,
                    warmup=args.warmup,
                )
            )
            print(json.dumps({k: v for k, v in results[-1].items() if k != "statuses"}, ensure_ascii=False), flush=True)
        write_report(Path(args.output), results, args, args.label)
    finally:
        pg.stop()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    threading.current_thread().name = "mixed-load"
    main()
