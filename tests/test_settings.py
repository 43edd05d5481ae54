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
