"""Accounts through allauth: registration with 152-FZ consent, e-mail confirmation, sign-in, reset, sign-out."""

import re

import pytest
from django.core import mail
from django.urls import reverse

from accounts.models import User

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _no_rate_limits(settings):
    # allauth keeps its rate limits (one confirmation e-mail per address per 3 minutes)
    # in the cache, which outlives a test.
    settings.ACCOUNT_RATE_LIMITS = False


PASSWORD = "Печать-2026-гранулы"


def signup(client, **overrides):
    data = {
        "email": "Anna@Example.ru",
        "full_name": "Анна Петрова",
        "password1": PASSWORD,
        "password2": PASSWORD,
        "pd_consent": "on",
    }
    data.update(overrides)
    client.cookies["django_language"] = "en"
    return client.post(reverse("account_signup"), data)


def confirmation_link():
    return re.search(r"https?://[^\s]+/accounts/confirm-email/[^\s]+/", mail.outbox[-1].body).group(0)


def test_it_renders_the_sign_up_page_with_the_consent_and_policy_link(client):
    response = client.get(reverse("account_signup"))
    body = response.content.decode()
    assert response.status_code == 200
    assert 'name="pd_consent"' in body
    assert reverse("accounts:privacy") in body


def test_it_refuses_registration_without_consent(client):
    response = signup(client, pd_consent="")
    assert response.status_code == 200
    assert "pd_consent" in response.context["form"].errors
    assert "without your consent to the processing of personal data" in response.content.decode()
    assert User.objects.count() == 0


def test_it_stores_the_consent_with_date_and_policy_version(client, settings):
    response = signup(client)
    assert response.status_code == 302
    user = User.objects.get()
    assert user.email == "anna@example.ru"
    assert user.full_name == "Анна Петрова"
    assert user.pd_consent_at is not None
    assert user.pd_policy_version == settings.PRIVACY_POLICY_VERSION
    assert user.language == "en"


def test_it_confirms_the_e_mail_by_link_and_signs_in(client):
    signup(client)
    assert len(mail.outbox) == 1
    link = confirmation_link()
    path = link.split("://", 1)[1].split("/", 1)[1]
    response = client.get("/" + path)
    assert response.status_code == 200
    response = client.post("/" + path)
    assert response.status_code == 302
    user = User.objects.get()
    assert user.emailaddress_set.get().verified
    assert client.get(reverse("pages:cabinet")).status_code == 200


def test_it_refuses_sign_in_before_confirmation(client):
    signup(client)
    client.logout()
    response = client.post(reverse("account_login"), {"login": "anna@example.ru", "password": PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == reverse("account_email_verification_sent")
    assert client.get(reverse("pages:cabinet")).status_code == 302


def test_it_signs_in_and_out_a_confirmed_user(client):
    signup(client)
    client.post("/" + confirmation_link().split("://", 1)[1].split("/", 1)[1])
    client.post(reverse("account_logout"))
    assert client.get(reverse("pages:cabinet")).status_code == 302
    response = client.post(reverse("account_login"), {"login": "anna@example.ru", "password": PASSWORD})
    assert response["Location"] == "/cabinet/"


def test_it_sends_a_password_reset_link(client):
    signup(client)
    client.post("/" + confirmation_link().split("://", 1)[1].split("/", 1)[1])
    client.post(reverse("account_logout"))
    response = client.post(reverse("account_reset_password"), {"email": "anna@example.ru"})
    assert response.status_code == 302
    assert "/accounts/password/reset/key/" in mail.outbox[-1].body


@pytest.mark.parametrize(
    "name", ["account_login", "account_signup", "account_reset_password", "accounts:privacy", "applications:apply"]
)
def test_it_renders_the_pages_in_both_languages(client, name):
    for language in ("ru", "en"):
        client.cookies["django_language"] = language
        response = client.get(reverse(name))
        assert response.status_code == 200
        assert f'<html lang="{language}">' in response.content.decode()


def test_it_changes_the_password_from_the_cabinet(client):
    signup(client)
    client.post("/" + confirmation_link().split("://", 1)[1].split("/", 1)[1])
    assert reverse("account_change_password") in client.get(reverse("pages:cabinet")).content.decode()
    response = client.post(
        reverse("account_change_password"),
        {"oldpassword": PASSWORD, "password1": "Новый-пароль-2026", "password2": "Новый-пароль-2026"},
    )
    assert response.status_code == 302
    assert User.objects.get().check_password("Новый-пароль-2026")
