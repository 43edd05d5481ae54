"""Every main page under load: gunicorn with production settings, wrk from loopback, and pgbench.

    .venv/bin/python bench/pages.py --sizes 35000,350000 [--seconds 10] [--output docs/benchmarks/pages.md]

For each size N the data set lives in its own database `pages_bench_<N>` (made once by
`generate_load_data --organisations N`, which ends with ANALYZE; kept for the next run), on the
PostgreSQL of DATABASE_URL's server, with Redis at REDIS_URL as the cache. Then:

1. gunicorn (2 workers, DEBUG=false, static files collected) is pinned to core 0; wrk and
   pgbench are pinned to core 1 (`taskset`). The workers are deploy/systemd's gthread workers with
   `--threads` threads each (4; `--threads 1` gives sync workers, as issue 14 first measured);
2. every page is loaded by wrk at concurrency 2 and 16 for `--seconds` each: requests/s,
   p50/p95/p99, non-2xx answers and socket errors;
3. its SQL is captured once in-process (queries per request) and replayed by pgbench at the same
   concurrency, so each page's rate is set beside its own SQL's; and beside `/favicon.ico`, a view
   that touches no database, measured in the same run.

Writes the tables to docs/benchmarks/pages.md. Not part of the test suite.
"""

import argparse
import os
import platform
import re
import subprocess
import sys
import tempfile
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import quote, urlencode

sys.path.insert(0, str(Path(__file__).resolve().parent))
import support  # noqa: E402

ROOT = support.ROOT
SERVER_CPU, LOAD_CPU = "0", "1"
STATIC_ROOT = tempfile.mkdtemp(prefix="bench-pages-static-")


def q(path: str, **params) -> str:
    return path + "?" + urlencode(params, quote_via=quote)


def pages(users: dict) -> list[tuple[str, str, str | None]]:
    """(label, path, who) for every main page; who names a signed-in user or None for a visitor."""
    from django.db.models import Count, Q

    from associations.models import Association
    from members.models import Organisation
    from projects.models import Project

    biggest = (
        Association.objects.annotate(active=Count("memberships", filter=Q(memberships__status="active")))
        .order_by("-active")
        .first()
    )
    project = Project.objects.filter(visibility="public").order_by("pk").first()
    member = users["member_organisation"]
    surname = Organisation.objects.filter(legal_form="individual").order_by("pk").values_list("short_name", flat=True)
    word = (surname.first() or "ИП Смирнов").split()[1] if surname.exists() else "Смирнов"
    inn = Organisation.objects.order_by("-pk").values_list("inn", flat=True).first()
    return [
        ("no database: /favicon.ico", "/favicon.ico", None),
        ("home", "/", None),
        ("associations", "/associations/", None),
        (f"an association ({biggest.slug})", f"/associations/{biggest.slug}/", None),
        ("projects: list", "/projects/", None),
        ("projects: board", "/projects/?view=board", None),
        ("projects: search", q("/projects/", q="принтер"), None),
        ("projects: filters", q("/projects/", stage="development", region="77"), None),
        ("project page", f"/projects/{project.slug}/", None),
        ("directory: first page", "/members/", "member"),
        ("directory: last page", "/members/?page=last", "member"),
        ("directory: name search", q("/members/", q=word), "member"),
        ("directory: name prefix", q("/members/", q=word[:4]), "member"),
        ("directory: ИНН", q("/members/", q=inn), "member"),
        ("directory: filters", q("/members/", region="50", direction="robotics"), "member"),
        ("organisation page", f"/members/{member.pk}/", "member"),
        ("review queue", "/review/", "coordinator"),
        # Filtered by waiting time, the queue is drawn every time (its rows change as time passes):
        # the page as a reader gets it the first time after a change.
        ("review queue: drawn each time (age)", q("/review/", age="1"), "coordinator"),
        ("cabinet", "/cabinet/", "member"),
        ("application form", q("/cabinet/applications/new/", association=biggest.slug), "member"),
    ]


def bench_users() -> dict:
    """A member organisation's representative and a coordinator of the biggest association."""
    from django.db.models import Count, Q

    from accounts.models import User
    from associations.models import Association, AssociationMembership
    from members.models import Representative

    membership = AssociationMembership.objects.filter(status="active").order_by("pk").first()
    member, _ = User.objects.get_or_create(
        email="bench-member@load.example", defaults={"last_name": "Бенчмарк", "first_name": "Участник"}
    )
    Representative.objects.get_or_create(
        user=member, organisation=membership.organisation, defaults={"role": "representative"}
    )
    coordinator, _ = User.objects.get_or_create(
        email="bench-coordinator@load.example", defaults={"last_name": "Бенчмарк", "first_name": "Координатор"}
    )
    biggest = (
        Association.objects.annotate(active=Count("memberships", filter=Q(memberships__status="active")))
        .order_by("-active")
        .first()
    )
    biggest.coordinators.add(coordinator)
    return {"member": member, "coordinator": coordinator, "member_organisation": membership.organisation}


def capture_sql(path: str, session_key: str | None, *, warm: bool = True) -> list[str]:
    """The statements one request runs, with their values, as the database receives them (`warm`:
    after one request for the same path, as the server's later requests find the caches)."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client(HTTP_HOST="127.0.0.1")
    if session_key:
        client.cookies["sessionid"] = session_key
    if warm:
        client.get(path)
    with CaptureQueriesContext(connection) as captured:
        response = client.get(path)
    if response.status_code >= 400:
        raise SystemExit(f"{path}: HTTP {response.status_code}")
    skip = re.compile(r"^\s*(SAVEPOINT|RELEASE SAVEPOINT|ROLLBACK TO SAVEPOINT|BEGIN|COMMIT)", re.I)
    return [query["sql"] for query in captured.captured_queries if not skip.match(query["sql"])]


def pgbench(database_url: str, statements: list[str], *, clients: int, seconds: int, work: Path) -> float:
    """Transactions per second of the page's statements (one transaction = one page's SQL)."""
    if not statements:
        return 0.0
    script = work / "page.sql"
    # pgbench reads one command per line and treats `:name` as a variable; casts are kept as `::`.
    lines = [" ".join(statement.split()).replace("\\", "\\\\") + ";" for statement in statements]
    script.write_text("\n".join(lines) + "\n")
    output = subprocess.run(
        ["taskset", "-c", LOAD_CPU, "pgbench", "-n", "-M", "simple", "-f", str(script), "-c", str(clients)]
        + ["-j", "1", "-T", str(seconds), database_url],
        capture_output=True,
        text=True,
    )
    match = re.search(r"tps = ([\d.]+)", output.stdout)
    if not match:
        return float("nan")
    return float(match.group(1))


NEW_QUERY = " (a new query each request)"


def run_size(size: int, args, base_url: str, *, select=None, fresh_queries: bool = False) -> list[dict]:
    """The rows of one data set: every page of `pages()` (those whose label `select` accepts), each
    also with a query string no one asked before at every request when `fresh_queries`."""
    import dj_database_url

    name = f"pages_bench_{size}"
    cfg = dj_database_url.parse(base_url)
    database_url = f"postgres://{cfg['USER']}@{cfg['HOST']}:{cfg['PORT'] or 5432}/{name}"
    os.environ["DATABASE_URL"] = database_url
    support.ensure_database(database_url)
    env = support.production_environment(DATABASE_URL=database_url)
    manage = [str(support.VENV / "python"), "manage.py"]
    subprocess.run([*manage, "migrate", "--noinput", "-v0"], cwd=ROOT, env=env, check=True)
    generated = subprocess.run(
        [*manage, "shell", "-c", "from members.models import Organisation; print(Organisation.objects.count())"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()[-1]
    if int(generated) < size * 0.9:
        print(f"generating {size} organisations…", flush=True)
        subprocess.run(
            [*manage, "generate_load_data", "--organisations", str(size), "--replace"], cwd=ROOT, env=env, check=True
        )

    import django
    from django.db import connections

    # Static files collected once per run, for the server and for this process's own requests.
    env["STATIC_ROOT"] = STATIC_ROOT
    if not getattr(run_size, "collected", False):
        support.collect_static(env)
        run_size.collected = True
    # This process captures each page's SQL in-process: with the server's settings (no SSL redirect).
    os.environ.update(env)
    os.environ["BENCH_SECRET_KEY"] = env["SECRET_KEY"]
    if not getattr(run_size, "setup", False):
        django.setup()
        run_size.setup = True
    from django.conf import settings

    settings.DATABASES["default"]["NAME"] = name
    connections.close_all()
    users = bench_users()
    sessions = {who: support.signed_in_session(user) for who, user in users.items() if who != "member_organisation"}
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        port = support.free_port()
        server = support.start_gunicorn(port, env, workers=2, threads=args.threads, cpus=SERVER_CPU)
        try:
            measured = [page for page in pages(users) if select is None or select(page[0])]
            for label, path, who in measured:
                headers = {"Accept-Language": "ru"}
                if who:
                    headers["Cookie"] = f"sessionid={sessions[who]}"
                session = sessions.get(who) if who else None
                ways = [(label, False)]
                if fresh_queries and path != "/favicon.ico":
                    ways.append((label + NEW_QUERY, True))
                for shown, fresh in ways:
                    if fresh:  # the statements of a first request, as every request then makes
                        sep = "&" if "?" in path else "?"
                        statements = capture_sql(f"{path}{sep}_=capture-{os.getpid()}", session, warm=False)
                    else:
                        statements = capture_sql(path, session)
                    row = {"size": size, "label": shown, "queries": len(statements)}
                    for clients in (2, 16):
                        row[clients] = support.wrk(
                            f"http://127.0.0.1:{port}{path}",
                            connections=clients,
                            seconds=args.seconds,
                            headers=headers,
                            cpus=LOAD_CPU,
                            fresh_query=fresh,
                        )
                        row[f"sql{clients}"] = pgbench(
                            database_url, statements, clients=clients, seconds=max(3, args.seconds // 2), work=work
                        )
                    rows.append(row)
                    print(shown, {c: round(row[c]["rate"]) for c in (2, 16)}, flush=True)
        finally:
            server.terminate()
            server.wait(timeout=30)
    return rows


def render(rows: list[dict], args) -> str:
    workers = f"gthread workers of {args.threads} threads" if args.threads > 1 else "sync workers"
    lines = [
        "# Pages under load",
        "",
        f"Measured by `bench/pages.py --sizes {args.sizes} --seconds {args.seconds} --threads {args.threads}` on "
        f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC ({platform.platform()}, {os.cpu_count()} CPUs).",
        "",
        f"gunicorn with 2 {workers} and `DEBUG=false` pinned to core 0; wrk and pgbench pinned to core 1;",
        "PostgreSQL and Redis (cache) on the same machine. Rates are requests per second; latencies in ms.",
        "*SQL ×* is the page's rate over its own statements' rate through pgbench at the same concurrency;",
        "*no-DB ×* is the page's rate over `/favicon.ico`'s (a view that touches no database) in the same run.",
        "",
    ]
    for size in sorted({row["size"] for row in rows}):
        block = [row for row in rows if row["size"] == size]
        ceiling = {c: block[0][c]["rate"] for c in (2, 16)}
        lines += [
            f"## {size:,} organisations".replace(",", " "),
            "",
            "| page | queries | c=2 req/s | p50 | p95 | p99 | c=16 req/s | p50 | p95 | p99 | errors | SQL × (c=16) | no-DB × (c=16) |",
            "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
        ]
        for row in block:
            two, sixteen = row[2], row[16]
            errors = int(two["non2xx"] + two["errors"] + sixteen["non2xx"] + sixteen["errors"])
            sql_ratio = sixteen["rate"] / row["sql16"] if row["sql16"] else float("nan")
            lines.append(
                f"| {row['label']} | {row['queries']} | {two['rate']:.0f} | {two['p50']:.1f} | {two['p95']:.1f} "
                f"| {two['p99']:.1f} | {sixteen['rate']:.0f} | {sixteen['p50']:.1f} | {sixteen['p95']:.1f} "
                f"| {sixteen['p99']:.1f} | {errors} | {sql_ratio:.2f} | {sixteen['rate'] / ceiling[16]:.2f} |"
            )
        lines.append("")
    return "\n".join(lines)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="35000,350000")
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--threads", type=int, default=4, help="threads per gunicorn worker (1: sync workers)")
    parser.add_argument("--output", default=str(ROOT / "docs" / "benchmarks" / "pages.md"))
    args = parser.parse_args()
    base_url = server_url()
    rows = []
    for size in [int(s) for s in args.sizes.split(",")]:
        rows += run_size(size, args, base_url)
    write_report(args.output, render(rows, args))


def server_url() -> str:
    """DATABASE_URL (any database on the PostgreSQL server the data sets live on), checked with
    REDIS_URL, and the portal's settings made importable for `run_size`."""
    base_url = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/postgres")
    if not base_url.startswith("postgres") or not os.environ.get("REDIS_URL"):
        raise SystemExit("set DATABASE_URL (any database on the PostgreSQL server) and REDIS_URL")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cluster_portal.settings")
    sys.path.insert(0, str(ROOT))
    return base_url


def write_report(output: str, report: str) -> None:
    Path(output).parent.mkdir(parents=True, exist_ok=True)
    Path(output).write_text(report)
    print(report)


if __name__ == "__main__":
    main()
