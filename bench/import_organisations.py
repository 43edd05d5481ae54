"""The organisation import on PostgreSQL: 35,000 rows imported, then the same file imported again.

    .venv/bin/python bench/import_organisations.py [--rows 35000] [--format csv|xlsx] \
        [--server postgres://postgres@127.0.0.1:5432] [--output docs/benchmarks/import.md]

1. Creates a scratch database (`import_bench`, dropped at the end), migrates it and adds three
   associations (one archived).
2. Writes a file of `--rows` valid organisations: ИНН and ОГРН with valid check digits, unique by
   construction; 15% individual entrepreneurs; every row with one to three directions; every tenth
   row names an association (the archived one in every hundredth: reported, not joined).
3. Times `manage.py import_organisations FILE` (the command, reading included) twice: the first
   import creates every organisation, the second must change nothing.
Never part of the test suite.
"""

import argparse
import csv
import os
import platform
import random
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DB_NAME = "import_bench"
LIMIT_S = 60.0
HEADER = [
    "legal_form",
    "inn",
    "ogrn",
    "kpp",
    "full_name",
    "short_name",
    "region",
    "city",
    "email",
    "size",
    "directions",
    "associations",
]


def admin_connection(server: str):
    import psycopg2

    connection = psycopg2.connect(f"{server}/postgres")
    connection.autocommit = True
    return connection


def rows(n: int, regions: list[str], directions: list[str]):
    from members.validators import inn_check_digits, ogrn_check_digit

    rng = random.Random(35000)
    for i in range(n):
        region = regions[i % len(regions)]
        sole = i % 20 < 3
        if sole:
            inn = region + f"{i:08d}"
            ogrn = f"3{rng.randint(2, 24):02d}{region}{i:09d}"
            kpp = ""
            short = f"ИП Импортов{i} И. И."
            full = f"Индивидуальный предприниматель Импортов{i} Иван Иванович"
        else:
            inn = region + f"{i:07d}"
            ogrn = f"1{rng.randint(2, 24):02d}{region}{i:07d}"
            kpp = f"{region}{rng.randint(1, 51):02d}01001"
            short = f"ООО «Импорт {i}»"
            full = f"Общество с ограниченной ответственностью «Импорт {i}»"
        inn += inn_check_digits(inn)
        ogrn += ogrn_check_digit(ogrn)
        association = ""
        if i % 100 == 0:
            association = "bench-archived"
        elif i % 10 == 0:
            association = "bench-a;bench-b" if i % 20 == 0 else "bench-a"
        yield [
            "sole_trader" if sole else "legal_entity",
            inn,
            ogrn,
            kpp,
            full,
            short,
            region,
            "Москва",
            f"org{i}@import.example",
            rng.choice(["micro", "small", "medium", "large"]),
            ";".join(rng.sample(directions, rng.randint(1, 3))),
            association,
        ]


def write_file(path: Path, fmt: str, data) -> None:
    if fmt == "csv":
        with path.open("w", encoding="utf-8-sig", newline="") as f:
            writer = csv.writer(f, delimiter=";")
            writer.writerow(HEADER)
            writer.writerows(data)
        return
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet()
    sheet.append(HEADER)
    for row in data:
        sheet.append(row)
    workbook.save(path)


def timed_import(path: Path, env: dict) -> tuple[float, str]:
    started = time.monotonic()
    result = subprocess.run(
        [sys.executable, str(ROOT / "manage.py"), "import_organisations", str(path), "--no-progress"],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    return time.monotonic() - started, result.stdout.splitlines()[0]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=35000)
    parser.add_argument("--format", choices=["csv", "xlsx"], default="csv")
    parser.add_argument("--server", default="postgres://postgres@127.0.0.1:5432")
    parser.add_argument("--output", type=Path)
    args = parser.parse_args()

    admin = admin_connection(args.server)
    with admin.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{DB_NAME}"')
        cursor.execute(f'CREATE DATABASE "{DB_NAME}"')
    env = {
        **os.environ,
        "DATABASE_URL": f"{args.server}/{DB_NAME}",
        "REDIS_URL": "",
        "DJANGO_SETTINGS_MODULE": "cluster_portal.settings",
    }
    try:
        subprocess.run([sys.executable, str(ROOT / "manage.py"), "migrate", "-v", "0"], env=env, check=True)
        os.environ.update(env)
        sys.path.insert(0, str(ROOT))
        import django

        django.setup()
        from associations.models import Association
        from members.models import Direction, Region

        for slug, status in (("bench-a", "active"), ("bench-b", "forming"), ("bench-archived", "archived")):
            Association.objects.create(name=slug, name_en=slug, slug=slug, status=status)
        regions = list(Region.objects.values_list("code", flat=True))
        directions = list(Direction.objects.values_list("slug", flat=True))
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / f"organisations.{args.format}"
            write_file(path, args.format, rows(args.rows, regions, directions))
            size_mb = path.stat().st_size / 1e6
            first, first_summary = timed_import(path, env)
            second, second_summary = timed_import(path, env)
        from django.db import connections

        connections.close_all()
    finally:
        with admin.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{DB_NAME}" WITH (FORCE)')
        admin.close()

    report = f"""# Organisation import benchmark

Measured {datetime.now(UTC):%Y-%m-%d %H:%M} UTC with `bench/import_organisations.py --rows {args.rows} --format {args.format}`
on {platform.node()} ({os.cpu_count()} CPU cores shared with other work, {platform.python_implementation()}
{platform.python_version()}, PostgreSQL on loopback, autovacuum off). The file: {args.rows} valid organisations,
{size_mb:.1f} MB, 15% individual entrepreneurs, one to three directions each, every tenth row naming an
association (every hundredth an archived one: reported and skipped).

| run | wall time (the whole command: start-up, reading, checking, writing, ANALYZE) | outcome |
| --- | --- | --- |
| first import | {first:.1f} s | {first_summary} |
| same file again | {second:.1f} s | {second_summary} |

Limit: {LIMIT_S:.0f} s for the first import — {"met" if first < LIMIT_S else "NOT met"}.
"""
    print(report)
    if args.output:
        args.output.write_text(report, encoding="utf-8")


if __name__ == "__main__":
    main()
