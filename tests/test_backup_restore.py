"""deploy/backup: a backup restores into an empty database with every row, and refuses a full one."""

import os
import subprocess
import sys
from pathlib import Path

import psycopg2
import pytest
from django.db import connection

from members.models import Organisation

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

ROOT = Path(__file__).resolve().parent.parent


def url(database: str) -> str:
    params = connection.settings_dict
    password = f":{params['PASSWORD']}" if params.get("PASSWORD") else ""
    return f"postgres://{params['USER']}{password}@{params['HOST'] or '127.0.0.1'}:{params['PORT'] or 5432}/{database}"


def admin_execute(sql: str) -> None:
    params = connection.settings_dict
    conn = psycopg2.connect(
        dbname="postgres", user=params["USER"], password=params["PASSWORD"], host=params["HOST"], port=params["PORT"]
    )
    conn.autocommit = True
    with conn.cursor() as cursor:
        cursor.execute(sql)
    conn.close()


@pytest.fixture
def restore_target():
    name = f"{connection.settings_dict['NAME']}_restore"
    admin_execute(f'DROP DATABASE IF EXISTS "{name}"')
    admin_execute(f'CREATE DATABASE "{name}"')
    yield name
    admin_execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def run(script: str, *args: str, database: str, **env) -> subprocess.CompletedProcess:
    environment = {**os.environ, "DATABASE_URL": url(database), "PYTHON": sys.executable, **env}
    return subprocess.run(
        ["bash", str(ROOT / "deploy" / "backup" / script), *args],
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_a_backup_restores_every_row_and_a_full_database_is_refused(world, tmp_path, restore_target):
    source = connection.settings_dict["NAME"]
    expected = sorted(Organisation.objects.values_list("inn", "short_name"))
    assert expected

    backup = run("backup.sh", database=source, BACKUP_DIR=str(tmp_path))
    assert backup.returncode == 0, backup.stderr
    dump = Path(backup.stdout.strip().splitlines()[-1])
    assert dump.exists() and dump.stat().st_size > 0

    restored = run("restore.sh", str(dump), database=restore_target)
    assert restored.returncode == 0, restored.stderr
    with psycopg2.connect(url(restore_target)) as conn, conn.cursor() as cursor:
        cursor.execute("SELECT inn, short_name FROM members_organisation ORDER BY inn, short_name")
        assert sorted(cursor.fetchall()) == expected
        cursor.execute("SELECT count(*) FROM django_migrations")
        assert cursor.fetchone()[0] > 0

    again = run("restore.sh", str(dump), database=restore_target)
    assert again.returncode == 3 and "refusing" in again.stderr
