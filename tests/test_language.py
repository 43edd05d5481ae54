"""Russian by default; English only when chosen, and the choice is remembered."""

import pytest

from .factories import UserFactory

pytestmark = pytest.mark.django_db


def test_it_is_russian_by_default_whatever_the_browser_asks(client):
    response = client.get("/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert response.headers["Content-Language"] == "ru"
    assert '<html lang="ru">' in response.content.decode()


def test_the_switcher_sets_english_for_the_visitor(client):
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/associations/"})
    assert response.status_code == 302
    assert response.headers["Location"] == "/associations/"
    assert client.get("/associations/").headers["Content-Language"] == "en"


def test_the_switcher_remembers_the_choice_on_the_account(client):
    user = UserFactory(language="ru")
    client.force_login(user)
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    user.refresh_from_db()
    assert user.language == "en"
    # On another device (no cookie) the account's language applies.
    other = type(client)()
    other.force_login(user)
    assert other.get("/").headers["Content-Language"] == "en"


def test_it_ignores_unknown_languages(client):
    user = UserFactory(language="ru")
    client.force_login(user)
    client.post("/i18n/setlang/", {"language": "de", "next": "/"})
    user.refresh_from_db()
    assert user.language == "ru"
    client.cookies["django_language"] = "de"
    assert client.get("/").headers["Content-Language"] == "ru"
