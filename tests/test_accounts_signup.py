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
        "last_name": "Петрова",
        "first_name": "Анна",
        "patronymic": "Сергеевна",
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
    assert (user.last_name, user.first_name, user.patronymic) == ("Петрова", "Анна", "Сергеевна")
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


# The name, in three parts


def test_it_asks_for_surname_first_name_and_an_optional_patronymic(client):
    body = client.get(reverse("account_signup")).content.decode()
    assert body.index('name="last_name"') < body.index('name="first_name"') < body.index('name="patronymic"')
    assert 'autocomplete="family-name"' in body and 'autocomplete="given-name"' in body
    assert "full_name" not in body


def test_it_refuses_registration_without_surname_or_first_name_and_says_so_in_russian(client):
    client.cookies["django_language"] = "ru"
    response = client.post(
        reverse("account_signup"),
        {"email": "anna@example.ru", "last_name": "", "first_name": " ", "password1": PASSWORD, "password2": PASSWORD},
    )
    errors = response.context["form"].errors
    assert errors["last_name"] == ["Укажите фамилию."]
    assert errors["first_name"] == ["Укажите имя."]
    assert "patronymic" not in errors
    assert User.objects.count() == 0


@pytest.mark.parametrize("typed", ["Петрова2", "Петрова!", "-Петрова", "Петрова--Водкина", "<b>"])
def test_it_refuses_a_name_that_is_not_letters(client, typed):
    client.cookies["django_language"] = "ru"
    response = client.post(
        reverse("account_signup"),
        {"email": "anna@example.ru", "last_name": typed, "first_name": "Анна", "password1": PASSWORD},
    )
    assert response.context["form"].errors["last_name"] == ["Только буквы; между ними — дефис, апостроф или пробел."]


def test_it_stores_the_name_tidied_and_without_a_patronymic(client):
    signup(client, last_name="  петрова-водкина ", first_name="анна", patronymic="")
    user = User.objects.get()
    assert (user.last_name, user.first_name, user.patronymic) == ("Петрова-Водкина", "Анна", "")


def test_it_lets_a_person_correct_their_name(client):
    user = User.objects.create_user("anna@example.ru", PASSWORD, last_name="Анна", first_name="Петрова")
    client.force_login(user)
    assert reverse("accounts:profile") in client.get(reverse("pages:cabinet")).content.decode()
    page = client.get(reverse("accounts:profile")).content.decode()
    assert 'value="Анна"' in page and 'value="Петрова"' in page
    assert client.get(reverse("account_email")).status_code == 200  # linked from the page: change the address
    response = client.post(
        reverse("accounts:profile"), {"last_name": "Петрова", "first_name": "Анна", "patronymic": "Сергеевна"}
    )
    assert response.status_code == 302
    user.refresh_from_db()
    assert (user.last_name, user.first_name, user.patronymic) == ("Петрова", "Анна", "Сергеевна")
    response = client.post(reverse("accounts:profile"), {"last_name": "", "first_name": "Анна"})
    assert response.status_code == 200 and "last_name" in response.context["form"].errors
    user.refresh_from_db()
    assert user.last_name == "Петрова"


def test_the_name_page_is_for_signed_in_people_only(client):
    response = client.get(reverse("accounts:profile"))
    assert response.status_code == 302 and reverse("account_login") in response["Location"]
