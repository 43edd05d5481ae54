"""The settings module refuses unsafe production configurations."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def load_settings(**env):
    clean = {k: v for k, v in os.environ.items() if k not in ("DEBUG", "SECRET_KEY", "ALLOWED_HOSTS")}
    clean.update(env)
    return subprocess.run(
        [sys.executable, "-c", "import cluster_portal.settings as s; print(s.DEBUG, s.ALLOWED_HOSTS)"],
        cwd=ROOT,
        env=clean,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_it_refuses_production_without_a_secret_key():
    result = load_settings(DEBUG="false", ALLOWED_HOSTS="portal.example.ru")
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_it_refuses_production_without_allowed_hosts():
    result = load_settings(DEBUG="false", SECRET_KEY="s" * 50)
    assert result.returncode != 0
    assert "ALLOWED_HOSTS must be set" in result.stderr


@pytest.mark.parametrize("value", ["0", "1", "yes", "off"])
def test_it_accepts_only_true_or_false_for_debug(value):
    result = load_settings(DEBUG=value, SECRET_KEY="s" * 50, ALLOWED_HOSTS="a.example")
    assert result.returncode != 0
    assert "DEBUG must be 'true' or 'false'" in result.stderr


def test_it_starts_in_production_when_configured():
    result = load_settings(DEBUG="false", SECRET_KEY="s" * 50, ALLOWED_HOSTS="a.example,b.example")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "False ['a.example', 'b.example']"


def test_local_defaults_need_no_configuration():
    result = load_settings()
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("True")


def test_it_exempts_the_health_check_from_the_https_redirect():
    """Load balancers probe /healthz over plain HTTP; every other page still redirects to HTTPS."""
    env = {"DEBUG": "false", "SECRET_KEY": "s" * 50, "ALLOWED_HOSTS": "a.example"}
    clean = {k: v for k, v in os.environ.items() if k not in ("DEBUG", "SECRET_KEY", "ALLOWED_HOSTS")}
    code = (
        "import django; django.setup(); from django.test import Client; c = Client(); "
        "print(c.get('/healthz', HTTP_HOST='a.example').status_code, c.get('/', HTTP_HOST='a.example').status_code)"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={**clean, **env, "DJANGO_SETTINGS_MODULE": "cluster_portal.settings"},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split()[-2:] == ["200", "301"] or result.stdout.split()[-2:] == ["503", "301"]


def test_it_logs_each_line_once():
    """Django's own console handler is off (DEBUG=true turns it on): its loggers reach the root's one handler."""
    code = "import django; django.setup(); import logging; logging.getLogger('django.request').warning('Not Found: /x')"
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={**os.environ, "DEBUG": "true", "DJANGO_SETTINGS_MODULE": "cluster_portal.settings"},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert result.stderr.count("Not Found: /x") == 1


def test_it_keeps_the_beat_schedule_out_of_the_repository(settings):
    assert not Path(settings.CELERY_BEAT_SCHEDULE_FILENAME).resolve().is_relative_to(ROOT)


@pytest.mark.parametrize("command", ["worker", "beat"])
def test_a_worker_without_a_broker_refuses_to_start(command):
    """Without REDIS_URL a worker would sit on an in-memory broker and never receive a task."""
    clean = {k: v for k, v in os.environ.items() if k not in ("REDIS_URL", "CELERY_TASK_ALWAYS_EAGER")}
    celery = str(Path(sys.executable).with_name("celery"))
    result = subprocess.run(
        [celery, "-A", "cluster_portal", command, "--loglevel", "WARNING"],
        cwd=ROOT,
        env=clean,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode != 0
    assert "REDIS_URL is not set" in result.stdout + result.stderr
