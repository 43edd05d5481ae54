"""Headers, cookies and the CSP report endpoint (finding 3); production settings (`check --deploy`).

Every page's headers are checked by the access matrix (`tests/test_access_matrix.py`); here the
rules themselves, one by one.
"""

import json
import logging
import os
import secrets
import subprocess
import sys

import pytest
from django.conf import settings

from cluster_portal import security

PRODUCTION_ENV = {
    "DEBUG": "false",
    "SECRET_KEY": secrets.token_urlsafe(50),
    "ALLOWED_HOSTS": "portal.example.ru",
    "SITE_URL": "https://portal.example.ru",
    "CSRF_TRUSTED_ORIGINS": "https://portal.example.ru",
}


def csp_directives(response) -> dict:
    header = response["Content-Security-Policy"]
    return {part.split()[0]: part.split()[1:] for part in (p.strip() for p in header.split(";")) if part}


@pytest.mark.django_db
def test_a_page_carries_a_strict_content_security_policy(client):
    response = client.get("/")
    directives = csp_directives(response)
    assert directives["default-src"] == ["'self'"]
    assert directives["script-src"] == ["'self'"] and directives["style-src"] == ["'self'"]
    for name, value in {"object-src": "'none'", "base-uri": "'none'", "frame-ancestors": "'none'"}.items():
        assert directives[name] == [value]
    assert directives["form-action"] == ["'self'"]
    assert directives["report-uri"] == ["/csp-report/"]
    assert "'unsafe-inline'" not in response["Content-Security-Policy"]


@pytest.mark.django_db
def test_a_page_carries_the_other_security_headers(client):
    response = client.get("/")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"
    policy = response["Permissions-Policy"]
    for feature in ("camera=()", "geolocation=()", "microphone=()", "payment=()"):
        assert feature in policy


@pytest.mark.django_db
def test_signed_in_pages_are_private_and_anonymous_ones_stay_cacheable(client, world):
    anonymous = client.get("/associations/")
    assert "no-store" not in anonymous.get("Cache-Control", "")
    client.force_login(world.alice)
    for path in ("/associations/", "/cabinet/", "/projects/"):
        response = client.get(path)
        assert response["Cache-Control"] == "private, no-store", path
        assert "Cookie" in response["Vary"], path


@pytest.mark.django_db
def test_the_language_cookie_is_lax_and_http_only(client):
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    cookie = response.cookies[settings.LANGUAGE_COOKIE_NAME]
    assert cookie["samesite"] == "Lax" and cookie["httponly"]


@pytest.mark.django_db
def test_with_production_cookies_every_cookie_is_host_prefixed_secure_and_lax(client, world, settings):
    """The cookies as a browser receives them in production: `__Host-` names, Secure, Path=/, no Domain."""
    settings.SESSION_COOKIE_SECURE = settings.CSRF_COOKIE_SECURE = settings.LANGUAGE_COOKIE_SECURE = True
    settings.SESSION_COOKIE_NAME, settings.CSRF_COOKIE_NAME = "__Host-sessionid", "__Host-csrftoken"
    received = {}
    received.update(client.get("/accounts/login/", secure=True).cookies)
    response = client.post(
        "/accounts/login/", {"login": "charlie@example.com", "password": "password-for-tests-1"}, secure=True
    )
    assert response.status_code == 302
    received.update(response.cookies)
    received.update(client.post("/i18n/setlang/", {"language": "en", "next": "/"}, secure=True).cookies)
    assert {"__Host-sessionid", "__Host-csrftoken", settings.LANGUAGE_COOKIE_NAME} <= set(received)
    for name, cookie in received.items():
        assert cookie["secure"] and cookie["samesite"] == "Lax", name
        if name.startswith("__Host-"):
            assert cookie["path"] == "/" and not cookie["domain"], name
    assert received["__Host-sessionid"]["httponly"] and received[settings.LANGUAGE_COOKIE_NAME]["httponly"]


def production(code: str, **extra) -> str:
    """Run `code` with the production variables (DEBUG=false …) in a fresh interpreter."""
    env = {**os.environ, **PRODUCTION_ENV, "DJANGO_SETTINGS_MODULE": "cluster_portal.settings", **extra}
    result = subprocess.run(  # nosec B603 - our own interpreter and a fixed script
        [sys.executable, "-c", f"import django; django.setup(); from django.conf import settings as s; {code}"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        cwd=settings.BASE_DIR,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def test_production_turns_on_hsts_secure_and_host_prefixed_cookies():
    values = json.loads(
        production(
            "import json; print(json.dumps([s.SECURE_HSTS_SECONDS, s.SECURE_HSTS_INCLUDE_SUBDOMAINS,"
            " s.SESSION_COOKIE_NAME, s.CSRF_COOKIE_NAME, s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE,"
            " s.LANGUAGE_COOKIE_SECURE, s.LANGUAGE_COOKIE_SAMESITE, s.SESSION_COOKIE_DOMAIN, s.SESSION_COOKIE_PATH]))"
        )
    )
    assert values == [31536000, True, "__Host-sessionid", "__Host-csrftoken", True, True, True, "Lax", None, "/"]


def test_without_secure_cookies_the_names_keep_no_host_prefix():
    names = production("print(s.SESSION_COOKIE_NAME, s.CSRF_COOKIE_NAME)", SECURE_COOKIES="false")
    assert names == "sessionid csrftoken"


def test_check_deploy_is_clean_with_the_production_variables():
    """The same command CI runs (Makefile `lint`): no warning at all."""
    env = {**os.environ, **PRODUCTION_ENV}
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)  # set by conftest for Playwright; never in production
    result = subprocess.run(  # nosec B603 - our own interpreter and manage.py
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        cwd=settings.BASE_DIR,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


# The report endpoint


@pytest.fixture
def fresh_report_log(monkeypatch):
    monkeypatch.setattr(security, "_csp_log", security._RateLimitedLog())


def test_a_csp_report_is_logged_without_a_csrf_token(client, caplog, fresh_report_log):
    client = type(client)(enforce_csrf_checks=True)
    report = {
        "csp-report": {
            "document-uri": "https://portal.example.ru/projects/",
            "violated-directive": "script-src-elem",
            "blocked-uri": "inline",
            "original-policy": "x" * 5000,
        }
    }
    with caplog.at_level(logging.WARNING, logger="cluster_portal.csp"):
        response = client.post("/csp-report/", json.dumps(report), content_type="application/csp-report")
    assert response.status_code == 204
    (record,) = caplog.records
    assert "script-src-elem" in record.getMessage() and "original-policy" not in record.getMessage()


def test_a_report_to_report_is_understood(client, caplog, fresh_report_log):
    body = [{"type": "csp-violation", "body": {"documentURL": "https://p/", "effectiveDirective": "style-src-attr"}}]
    with caplog.at_level(logging.WARNING, logger="cluster_portal.csp"):
        response = client.post("/csp-report/", json.dumps(body), content_type="application/reports+json")
    assert response.status_code == 204
    assert "style-src-attr" in caplog.records[0].getMessage()


def test_reports_are_capped_in_size_and_in_log_lines(client, caplog, settings, fresh_report_log):
    settings.CSP_REPORT_LOG_PER_MINUTE = 3
    assert client.post("/csp-report/", "x" * (70 * 1024), content_type="application/json").status_code == 413
    assert client.post("/csp-report/", "not json", content_type="application/json").status_code == 400
    assert client.get("/csp-report/").status_code == 405
    caplog.clear()
    with caplog.at_level(logging.WARNING, logger="cluster_portal.csp"):
        for _ in range(10):
            client.post("/csp-report/", json.dumps({"csp-report": {"blocked-uri": "inline"}}), content_type="x/y")
    assert len([r for r in caplog.records if r.name == "cluster_portal.csp"]) == 3


def test_the_dropped_reports_are_summed_up_the_next_minute(monkeypatch):
    log = security._RateLimitedLog()
    clock = iter([0, 1, 2, 61])
    monkeypatch.setattr(security.time, "monotonic", lambda: next(clock))
    assert [log.allow(1) for _ in range(4)] == [(True, 0), (False, 0), (False, 0), (True, 2)]
