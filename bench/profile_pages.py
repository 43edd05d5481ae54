"""Where a page's time goes: SQL against Python, and the functions that cost the most.

    DATABASE_URL=postgres://…/pages_bench_350000 REDIS_URL=redis://…/12 \
        .venv/bin/python bench/profile_pages.py [--requests 20] [--top 25] [--only review]

Runs `bench/pages.py`'s pages in this process with the server's production settings (DEBUG off,
static files collected, the Redis cache), after one warming request each: the milliseconds per
request in total and in SQL, and with `--top N` the functions with the most own time under
cProfile. The load figures come from `bench/pages.py`; this tells what to cut.
"""

import argparse
import cProfile
import importlib.util
import io
import os
import pstats
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import support  # noqa: E402

ROOT = support.ROOT


class SqlTimer:
    """A connection execute wrapper adding up the time spent in the database driver."""

    def __init__(self):
        self.seconds = 0.0
        self.count = 0

    def __call__(self, execute, sql, params, many, context):
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.seconds += time.perf_counter() - started
            self.count += 1


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--requests", type=int, default=20)
    parser.add_argument("--top", type=int, default=0, help="print the N functions with the most own time")
    parser.add_argument("--only", default="", help="only the pages whose label contains this text")
    parser.add_argument(
        "--new-query", action="store_true", help="every request with a query string no one asked before"
    )
    args = parser.parse_args()
    if not os.environ.get("DATABASE_URL", "").startswith("postgres") or not os.environ.get("REDIS_URL"):
        raise SystemExit("set DATABASE_URL (a pages_bench_N database) and REDIS_URL")
    env = support.production_environment(STATIC_ROOT=tempfile.mkdtemp(prefix="profile-static-"))
    support.collect_static(env)
    os.environ.update(env)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cluster_portal.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.db import connection
    from django.test import Client

    spec = importlib.util.spec_from_file_location("bench_pages", Path(__file__).with_name("pages.py"))
    page_list = importlib.util.module_from_spec(spec)  # `pages` is also the portal's app
    spec.loader.exec_module(page_list)

    users = page_list.bench_users()
    sessions = {who: support.signed_in_session(user) for who, user in users.items() if who != "member_organisation"}
    for label, path, who in page_list.pages(users):
        if args.only and args.only not in label:
            continue
        client = Client(HTTP_HOST="127.0.0.1", HTTP_ACCEPT_LANGUAGE="ru")
        if who:
            client.cookies["sessionid"] = sessions[who]
        response = client.get(path)
        if response.status_code >= 400:
            raise SystemExit(f"{path}: HTTP {response.status_code}")
        timer = SqlTimer()
        profiler = cProfile.Profile() if args.top else None
        with connection.execute_wrapper(timer):
            started = time.perf_counter()
            if profiler:
                profiler.enable()
            for number in range(args.requests):
                if args.new_query:
                    client.get(f"{path}{'&' if '?' in path else '?'}_=profile-{os.getpid()}-{number}")
                else:
                    client.get(path)
            if profiler:
                profiler.disable()
            total = time.perf_counter() - started
        per = 1000 / args.requests
        print(
            f"{label:32} total {total * per:6.1f} ms  sql {timer.seconds * per:6.1f} ms  "
            f"python {(total - timer.seconds) * per:6.1f} ms  queries {timer.count / args.requests:.0f}  "
            f"{len(response.content) // 1024} KiB",
            flush=True,
        )
        if profiler:
            out = io.StringIO()
            stats = pstats.Stats(profiler, stream=out).sort_stats(os.environ.get("PROFILE_SORT", "tottime"))
            stats.print_stats(args.top)
            if os.environ.get("PROFILE_CALLERS"):  # who calls the functions matching this text
                stats.print_callers(os.environ["PROFILE_CALLERS"])
            print(out.getvalue())


if __name__ == "__main__":
    main()
