"""Headless Chromium: the API documentation page draws the schema from static files, with no console
error (a Content-Security-Policy violation shows as one) and no request leaving the portal."""

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_api_documentation_shows_every_endpoint(page, live_server):
    errors, outside = [], []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("request", lambda request: None if request.url.startswith(live_server.url) else outside.append(request.url))

    page.goto("/api/docs/")
    # The page's own heading first (Swagger UI draws its own h1 for the schema's title once it has loaded).
    assert page.get_by_role("heading", level=1).first.inner_text() == "Документация API"
    page.locator(".opblock-summary-path", has_text="/api/v1/review/applications/").wait_for()
    assert page.locator(".opblock").count() == 16
    page.screenshot(path="/tmp/api-docs.png", full_page=False)
    assert errors == [] and outside == []
