"""Chromium under the portal's Content-Security-Policy: no page the journeys open logs a violation.

The policy allows no inline script or style (finding 3). A template, a library's template (the admin,
allauth, crispy) or a script that sets `element.style` through markup would be refused by the browser
and logged in its console; this journey opens one page of each kind, as the right person, and fails
on any such line, and on any report the page sends to `/csp-report/`.
"""

import pytest

from .browser import use

# (who, path): the admin, the sign-in, forms, the review queue, staff pages, the API docs, two-factor, privacy.
PAGES = [
    (None, "/accounts/login/"),
    (None, "/projects/?q=принтер"),
    ("admin", "/admin/"),
    ("admin", "/admin/projects/project/"),
    ("alice", "/cabinet/organisations/new/"),
    ("bob", "/projects/new/"),
    ("bob", "/review/"),
    ("staff", "/dashboard/"),
    ("staff", "/history/"),
    ("alice", "/api/docs/"),
    ("alice", "/accounts/2fa/totp/activate/"),
    ("alice", "/cabinet/privacy/"),
]


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_no_page_breaks_the_content_security_policy(page, live_server, world):
    violations, reports = [], []
    page.on(
        "console",
        lambda message: (
            violations.append(f"{page.url}: {message.text}") if "Content Security Policy" in message.text else None
        ),
    )
    page.on("request", lambda request: reports.append(request.url) if "/csp-report/" in request.url else None)
    for who, path in PAGES:
        use(page, live_server, world[who] if who else None)
        response = page.goto(path)
        assert response.status < 400, (path, response.status)
        assert "default-src 'self'" in response.headers["content-security-policy"]
        page.wait_for_load_state("load")
    assert not violations, "\n".join(violations)
    assert not reports, reports
