"""Memory and time of the list exports on 100,000 rows: streaming (the portal's) vs. building the file in memory.

    .venv/bin/python bench/export_memory.py [--organisations 100000] [--database export_bench]
        [--server postgres://postgres@127.0.0.1:5432] [--keep] [--output docs/benchmarks/exports.md]

1. Creates a separate PostgreSQL database (`export_bench`, dropped first if it exists), migrates it
   and fills it with `generate_load_data --member-share 1` (COPY, then ANALYZE): every organisation a
   member, so the member directory lists all of them; applications in every status, topped up with
   approved ones (bulk_create, then ANALYZE) to `--applications` in the review queue.
2. For each list (the directory, the review queue with «All statuses») and format (CSV, XLSX), a fresh
   Python process signs an administrator in, calls the export view and reads the whole streamed
   response, counting its bytes; it reports the wall time and the growth of its peak resident memory
   (`ru_maxrss` minus the resident size just before the request).
3. The same in a fresh process for the non-streaming baseline: every row loaded into a list, the
   file built in memory (CSV in a string, XLSX with a normal openpyxl workbook), as a plain
   `HttpResponse` would do.
4. Drops the database (unless `--keep`) and writes the table to `--output`.
Never part of the test suite.
"""

import argparse
import json
import os
import platform
import resource
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
CASES = [
    ("directory", "csv"),
    ("directory", "xlsx"),
    ("review", "csv"),
    ("review", "xlsx"),
]


def rss_kib() -> int:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * (os.sysconf("SC_PAGE_SIZE") // 1024)


def child(list_name: str, fmt: str, mode: str) -> None:
    """One measurement in this (fresh) process; prints a JSON line."""
    import django

    django.setup()
    import csv
    import io

    import openpyxl  # noqa: F401  (imported before the baseline is taken, as a server would have it)
    from django.contrib.auth.models import AnonymousUser  # noqa: F401
    from django.contrib.messages.storage.fallback import FallbackStorage
    from django.contrib.sessions.backends.cache import SessionStore
    from django.test import RequestFactory

    from accounts.models import User
    from applications.views import review
    from associations import views as directory
    from core import exports

    user = User.objects.get(email="bench-export@load.example")
    params = {"status": "all"} if list_name == "review" else {}
    url = "/review/export." if list_name == "review" else "/members/export."
    request = RequestFactory().get(url + fmt, params)
    request.user = user
    request.session = SessionStore()
    request._messages = FallbackStorage(request)
    view = review.review_export if list_name == "review" else directory.directory_export
    before = rss_kib()
    started = time.perf_counter()
    size = rows = 0
    if mode == "streaming":
        response = view(request, fmt)
        for chunk in response.streaming_content:
            size += len(chunk)
            if fmt == "csv":
                rows += chunk.count(b"\r\n")
    else:
        # The baseline: what a plain HttpResponse would need — every row in a list, the file in memory.
        captured = {}

        def keep(*, fmt, name, columns, rows):
            captured.update(columns=columns, rows=rows)

        exports_response = exports.export_response
        exports.export_response = keep
        try:
            view(request, fmt)
        finally:
            exports.export_response = exports_response
        columns = captured["columns"]
        loaded = [[exports.cell_value(c.value(row)) for c in columns] for row in list(captured["rows"])]
        rows = len(loaded)
        if fmt == "csv":
            buffer = io.StringIO()
            writer = csv.writer(buffer, delimiter=";")
            writer.writerow([str(c.header) for c in columns])
            writer.writerows(loaded)
            size = len(("\ufeff" + buffer.getvalue()).encode())
        else:
            from openpyxl import Workbook

            workbook = Workbook()
            sheet = workbook.active
            sheet.append([str(c.header) for c in columns])
            for row in loaded:
                sheet.append(row)
            out = io.BytesIO()
            workbook.save(out)
            size = len(out.getvalue())
    if mode == "streaming" and fmt == "csv":
        rows -= 1  # the header line
    elapsed = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(json.dumps({"seconds": elapsed, "growth_mib": (peak - before) / 1024, "bytes": size, "rows": rows}))


def prepare(rows: int) -> None:
    """The administrator who exports, and approved applications (bulk_create) for members without one until
    `rows` applications are in the review queue's «All statuses»; then ANALYZE."""
    import django

    django.setup()
    from django.db import connection
    from django.utils import timezone

    from accounts.models import User
    from applications.models import MembershipApplication
    from associations.models import AssociationMembership

    if not User.objects.filter(email="bench-export@load.example").exists():
        User.objects.create_superuser(email="bench-export@load.example", password=None, last_name="Экспорт")
    missing = rows - MembershipApplication.objects.exclude(status="draft").count()
    applied = MembershipApplication.objects.values("organisation_id")
    pairs = (
        AssociationMembership.objects.exclude(organisation_id__in=applied)
        .order_by("organisation_id", "association_id")
        .values_list("organisation_id", "association_id")
        .distinct("organisation_id")[: max(missing, 0)]
    )
    now = timezone.now()
    batch = []
    for i, (organisation_id, association_id) in enumerate(pairs.iterator(chunk_size=5000)):
        submitted = now - timedelta(days=30 + i % 300)
        batch.append(
            MembershipApplication(
                organisation_id=organisation_id,
                association_id=association_id,
                status="approved",
                created_at=submitted,
                submitted_at=submitted,
                status_changed_at=submitted + timedelta(days=3),
                decided_at=submitted + timedelta(days=3),
                motivation="Совместные проекты",
            )
        )
        if len(batch) == 5000:
            MembershipApplication.objects.bulk_create(batch)
            batch = []
    MembershipApplication.objects.bulk_create(batch)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


def run(cmd, env, **kwargs):
    print("$", " ".join(cmd), flush=True)
    return subprocess.run(cmd, env=env, check=True, cwd=ROOT, **kwargs)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--organisations", type=int, default=100_000)
    parser.add_argument("--database", default="export_bench")
    parser.add_argument("--server", default="postgres://postgres@127.0.0.1:5432")
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    parser.add_argument("--skip-build", action="store_true", help="reuse a database kept by --keep")
    parser.add_argument("--output", default="")
    parser.add_argument("--applications", type=int, default=100_000, help="applications in the review queue")
    parser.add_argument("--child", nargs=3, metavar=("LIST", "FORMAT", "MODE"), help=argparse.SUPPRESS)
    parser.add_argument("--prepare", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    env = {
        **os.environ,
        "DATABASE_URL": f"{args.server}/{args.database}",
        "DJANGO_SETTINGS_MODULE": "cluster_portal.settings",
        "DEBUG": "false",
        "SECRET_KEY": "benchmark-only-" + os.urandom(16).hex(),
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "false",
        "SECURE_COOKIES": "false",
        "CONN_MAX_AGE": "0",
    }
    env.pop("REDIS_URL", None)
    if args.child:
        sys.path.insert(0, str(ROOT))
        child(*args.child)
        return
    if args.prepare:
        sys.path.insert(0, str(ROOT))
        prepare(args.prepare)
        return
    manage = [PYTHON, "manage.py"]
    admin = f"{args.server}/postgres"
    if not args.skip_build:
        run(["psql", admin, "-qc", f'DROP DATABASE IF EXISTS "{args.database}"'], env)
        run(["psql", admin, "-qc", f'CREATE DATABASE "{args.database}"'], env)
        started = time.monotonic()
        run([*manage, "migrate", "--noinput", "-v0"], env)
        run([*manage, "generate_load_data", "--organisations", str(args.organisations), "--member-share", "1"], env)
        run(
            [
                PYTHON,
                __file__,
                "--database",
                args.database,
                "--server",
                args.server,
                "--prepare",
                str(args.applications),
            ],
            env,
        )
        print(f"data built in {time.monotonic() - started:.0f} s", flush=True)
    counts = subprocess.run(
        [
            "psql",
            f"{args.server}/{args.database}",
            "-Atc",
            "SELECT (SELECT count(*) FROM members_organisation), (SELECT count(*) FROM applications_membershipapplication WHERE status <> 'draft')",
        ],
        env=env,
        check=True,
        capture_output=True,
        text=True,
        cwd=ROOT,
    ).stdout.strip()
    results = []
    try:
        for list_name, fmt in CASES:
            for mode in ("streaming", "in memory"):
                out = run(
                    [
                        PYTHON,
                        __file__,
                        "--database",
                        args.database,
                        "--server",
                        args.server,
                        "--child",
                        list_name,
                        fmt,
                        mode,
                    ],
                    env,
                    capture_output=True,
                    text=True,
                ).stdout
                result = json.loads(out.strip().splitlines()[-1])
                result.update(list=list_name, format=fmt, mode=mode)
                print(result, flush=True)
                results.append(result)
    finally:
        if not args.keep:
            run(["psql", admin, "-qc", f'DROP DATABASE IF EXISTS "{args.database}"'], env)
    report = render(results, counts, args)
    print(report)
    if args.output:
        Path(args.output).write_text(report)


def render(results, counts, args) -> str:
    organisations, applications = counts.split("|")
    lines = [
        "| list | format | mode | rows | file | time | peak memory growth |",
        "| --- | --- | --- | ---: | ---: | ---: | ---: |",
    ]
    names = {"directory": "member directory (`/members/`)", "review": "review queue, all statuses (`/review/`)"}
    for r in results:
        lines.append(
            f"| {names[r['list']]} | {r['format'].upper()} | {r['mode']} | {r['rows'] or '—'} | "
            f"{r['bytes'] / 2**20:.1f} MiB | {r['seconds']:.1f} s | {r['growth_mib']:.0f} MiB |"
        )
    when = datetime.now(UTC).strftime("%Y-%m-%d")
    return (
        "\n".join(
            [
                f"Measured {when} on {platform.machine()}, {os.cpu_count()} cores shared with other work, "
                f"PostgreSQL, {organisations} member organisations, {applications} applications (not drafts).",
                "",
                *lines,
            ]
        )
        + "\n"
    )


if __name__ == "__main__":
    main()
