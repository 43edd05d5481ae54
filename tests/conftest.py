"""Shared fixtures.

Tests that need PostgreSQL, Redis or Chromium skip on a laptop without them; with
REQUIRE_SERVICES=true (set by .ci/run) every such skip, and any other skip, fails
the run instead, so CI never passes with a service silently missing.
"""

import os
import shutil

import pytest
from django.conf import settings

REQUIRE_SERVICES = os.environ.get("REQUIRE_SERVICES", "false").lower() == "true"
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]

# Playwright's sync API runs an event loop in the test thread; the ORM calls the
# tests make around it are synchronous and safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def missing_service(reason: str):
    if REQUIRE_SERVICES:
        pytest.fail(f"required service missing in CI: {reason}")
    pytest.skip(reason)


@pytest.fixture
def require_postgres():
    if not settings.IS_POSTGRES:
        missing_service("needs PostgreSQL (set DATABASE_URL)")


@pytest.fixture
def require_redis():
    if not settings.REDIS_URL:
        missing_service("needs Redis (set REDIS_URL)")
    import redis

    try:
        redis.Redis.from_url(settings.REDIS_URL, socket_connect_timeout=1).ping()
    except redis.RedisError as exc:
        missing_service(f"Redis does not answer: {exc}")


def pytest_collection_modifyitems(config, items):
    for item in items:
        if item.get_closest_marker("postgres"):
            item.fixturenames.insert(0, "require_postgres")
        if item.get_closest_marker("redis"):
            item.fixturenames.insert(0, "require_redis")


_skipped = []


def pytest_runtest_logreport(report):
    if report.skipped and REQUIRE_SERVICES:
        _skipped.append(report.nodeid)


def pytest_sessionfinish(session, exitstatus):
    if _skipped and session.exitstatus == 0:
        session.exitstatus = 1
        print(f"\nREQUIRE_SERVICES: {len(_skipped)} test(s) skipped, which CI does not allow: {_skipped}")


@pytest.fixture(autouse=True)
def _media_root(tmp_path, settings):
    """Uploaded files of a test go to its own temporary folder."""
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(scope="session")
def browser():
    if not shutil.which(CHROMIUM) and not os.path.exists(CHROMIUM):
        missing_service(f"Chromium not found at {CHROMIUM}")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield browser
        browser.close()


@pytest.fixture
def page(browser, live_server):
    context = browser.new_context(base_url=live_server.url, locale="ru-RU")
    context.set_default_timeout(15000)
    page = context.new_page()
    yield page
    context.close()
