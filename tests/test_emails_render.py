"""Every e-mail the portal sends, in both languages, as the reader receives it.

Each notification kind (every template in templates/notifications/email/) is built by the
delivery code, and each account e-mail (every template in templates/account/email/) is sent by
going through its page. Every one must: name no «example.com» anywhere (subject, bodies, headers);
carry a Message-ID at the host of SITE_URL and links to SITE_URL; have a text and an HTML part in
the recipient's language; greet the recipient by name in the right form («Здравствуйте, Наталья
Игоревна!», «Hello, Natalia!»); and, in Russian, contain no English sentence left untranslated.
"""

import re
from pathlib import Path

import pytest
from allauth.account.models import EmailAddress
from django.core import mail
from django.urls import reverse
from django.utils.html import strip_tags

from accounts.models import User
from notifications.delivery import build_message
from notifications.models import Notification

pytestmark = pytest.mark.django_db

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"
SITE_URL = "https://portal.cluster.test"
DOMAIN = "portal.cluster.test"
PASSWORD = "Гранулы-2026-печать"
NEW_PASSWORD = "Новый-пароль-2026"

NAMES = {
    "ru": {"last_name": "Соколова", "first_name": "Наталья", "patronymic": "Игоревна"},
    "en": {"last_name": "Sokolova", "first_name": "Natalia", "patronymic": "Igorevna"},
}
GREETING = {"ru": "Здравствуйте, Наталья Игоревна!", "en": "Hello, Natalia!"}
NAMELESS_GREETING = {"ru": "Здравствуйте!", "en": "Hello!"}
OTHER = {"ru": "en", "en": "ru"}


@pytest.fixture(autouse=True)
def _portal(settings):
    settings.SITE_URL = SITE_URL
    settings.ACCOUNT_RATE_LIMITS = False


def kinds(folder: str) -> list[str]:
    return sorted(path.name.removesuffix("_subject.txt") for path in (TEMPLATES / folder).glob("*_subject.txt"))


def person(language: str, email: str = "sokolova@polymer.test", **fields) -> User:
    user = User.objects.create_user(email, PASSWORD, language=language, **{**NAMES[language], **fields})
    EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
    return user


LATIN_WORD = re.compile(r"[A-Za-z]{2,}")
ALLOWED_LATIN = {"IP"}  # «IP-адрес»


def untranslated(text: str) -> set[str]:
    """Latin words left in a Russian e-mail once links and addresses are taken out."""
    text = re.sub(r"https?://\S+|\S+@\S+", " ", strip_tags(text))
    return set(LATIN_WORD.findall(text)) - ALLOWED_LATIN


def check(message, *, language: str, greeting: str) -> None:
    html = [content for content, mimetype in message.alternatives if mimetype == "text/html"]
    assert len(html) == 1, "a text and an HTML part"
    html = html[0]
    headers = {name: str(value) for name, value in message.message().items()}
    for part in (message.subject, message.body, html, *headers.values()):
        assert "example.com" not in part
    assert re.fullmatch(rf"<[^@<>]+@{re.escape(DOMAIN)}>", headers["Message-ID"])
    assert message.subject.strip() and "\n" not in message.subject
    assert f'<html lang="{language}">' in html
    assert greeting in message.body and greeting in html
    links = re.findall(r"https?://[^\s\"<>]+", message.body)
    assert links and all(link.startswith(SITE_URL) for link in links)
    if language == "ru":
        assert re.search("[а-яё]", message.subject, re.IGNORECASE)
        assert untranslated(message.subject) == set()
        assert untranslated(message.body) == set()
        assert untranslated(html) == set()


# Notifications: every kind, as delivery builds it

PARAMS = {
    "application_id": 7,
    "organisation": "ООО «ПолимерФорм»",
    "inn": "7701234567",
    "association": "Фотоника",
    "association_en": "Photonics",
    "comment": "Пришлите, пожалуйста, устав",
    "from_status": "in_review",
    "to_status": "approved",
    "status": "accepted",
    "project": "Гранульный принтер",
    "project_en": "Pellet printer",
    "role": "developer",
    "message": "Готовы взять на себя печать корпусов",
    "user": "Орлов Пётр Ильич",
    "email": "orlov@polymer.test",
    "by": "Орлов Пётр Ильич",
    "count": 2,
    "after_hours": 72,
    "user_id": 42,
    "due": "2027-01-02",
    "applications": [
        {
            "id": 7,
            "organisation": "ООО «ПолимерФорм»",
            "association": "Фотоника",
            "association_en": "Photonics",
            "waiting_days": 4,
            "url": "/review/applications/7/",
        }
    ],
}
# Kinds whose text depends on a parameter, rendered in each variant.
VARIANTS = [(kind, {}) for kind in kinds("notifications/email")] + [
    ("application_submitted", {"from_status": "info_requested"}),
    ("project_participation_decided", {"status": "declined"}),
]
WITHOUT_ACCOUNT = {"organisation_invitation_email"}


@pytest.mark.parametrize("language", ["ru", "en"])
@pytest.mark.parametrize(
    ("kind", "variant"), VARIANTS, ids=[f"{k}{'-' if v else ''}{'-'.join(v)}" for k, v in VARIANTS]
)
def test_every_notification_renders_in_the_recipients_language(kind, variant, language):
    params = {**PARAMS, **variant}
    if kind in WITHOUT_ACCOUNT:
        row = Notification.objects.create(email="guest@polymer.test", language=language, kind=kind, params=params)
        greeting = NAMELESS_GREETING[language]
    else:
        row = Notification.objects.create(recipient=person(language), kind=kind, params=params, url="/cabinet/")
        greeting = GREETING[language]
    message = build_message(row)
    check(message, language=language, greeting=greeting)
    assert message.extra_headers["Message-ID"] == f"<notification-{row.pk}@{DOMAIN}>"
    if language == "en":
        russian = build_message(
            Notification.objects.create(email="x@polymer.test", language="ru", kind=kind, params=params)
        )
        assert message.subject != russian.subject


def test_a_person_without_a_first_name_is_greeted_without_a_name():
    user = person("ru", first_name="", patronymic="")
    message = build_message(Notification.objects.create(recipient=user, kind="application_approved", params=PARAMS))
    assert message.body.startswith("Здравствуйте!\n")
    assert "Соколова" not in message.body.splitlines()[0]


# Account e-mails: each sent by going through its page


def signup(client, language, **overrides):
    client.cookies["django_language"] = language
    data = {
        "email": "sokolova@polymer.test",
        **NAMES[language],
        "password1": PASSWORD,
        "password2": PASSWORD,
        "pd_consent": "on",
    }
    client.post(reverse("account_signup"), {**data, **overrides})


def _email_confirmation_signup(client, language):
    signup(client, language)
    return "sokolova@polymer.test", GREETING[language]


def _email_confirmation(client, language):
    # A new address added on the account's e-mail page; the page is in the other language.
    client.force_login(person(language))
    client.cookies["django_language"] = OTHER[language]
    client.post(reverse("account_email"), {"action_add": "", "email": "natalia@polymer.test"})
    return "natalia@polymer.test", GREETING[language]


def _on_second_address(client, language, action):
    """Make the verified second address primary or remove it, from a page in the other language."""
    user = person(language)
    EmailAddress.objects.create(user=user, email="natalia@polymer.test", verified=True)
    client.force_login(user)
    client.cookies["django_language"] = OTHER[language]
    client.post(reverse("account_email"), {action: "", "email": "natalia@polymer.test"})
    return "sokolova@polymer.test", GREETING[language]


def _email_changed(client, language):
    return _on_second_address(client, language, "action_primary")


def _email_deleted(client, language):
    return _on_second_address(client, language, "action_remove")


def _password_reset_key(client, language):
    person(language)
    client.cookies["django_language"] = OTHER[language]
    client.post(reverse("account_reset_password"), {"email": "sokolova@polymer.test"})
    return "sokolova@polymer.test", GREETING[language]


def _password_reset(client, language):
    _password_reset_key(client, language)
    link = re.search(rf"{re.escape(SITE_URL)}(/accounts/password/reset/key/\S+/)", mail.outbox[-1].body).group(1)
    form_url = client.get(link)["Location"]
    client.post(form_url, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD})
    return "sokolova@polymer.test", GREETING[language]


def _unknown_account(client, language):
    client.cookies["django_language"] = language
    client.post(reverse("account_reset_password"), {"email": "nobody@polymer.test"})
    return "nobody@polymer.test", NAMELESS_GREETING[language]


def _account_already_exists(client, language):
    person(language)
    signup(client, OTHER[language], **NAMES[OTHER[language]])
    return "sokolova@polymer.test", GREETING[language]


def _password_changed(client, language):
    client.force_login(person(language))
    client.cookies["django_language"] = OTHER[language]
    client.post(
        reverse("account_change_password"),
        {"oldpassword": PASSWORD, "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
    )
    return "sokolova@polymer.test", GREETING[language]


def _password_set(client, language):
    user = person(language)
    user.set_unusable_password()
    user.save(update_fields=["password"])
    client.force_login(user)
    client.cookies["django_language"] = OTHER[language]
    client.post(reverse("account_set_password"), {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD})
    return "sokolova@polymer.test", GREETING[language]


ACCOUNT_FLOWS = {
    "email_confirmation_signup": _email_confirmation_signup,
    "email_confirmation": _email_confirmation,
    "email_changed": _email_changed,
    "email_deleted": _email_deleted,
    "password_reset_key": _password_reset_key,
    "password_reset": _password_reset,
    "unknown_account": _unknown_account,
    "account_already_exists": _account_already_exists,
    "password_changed": _password_changed,
    "password_set": _password_set,
}


def test_every_account_e_mail_template_has_its_flow_here():
    assert sorted(ACCOUNT_FLOWS) == kinds("account/email")


@pytest.mark.parametrize("language", ["ru", "en"])
@pytest.mark.parametrize("kind", sorted(ACCOUNT_FLOWS))
def test_every_account_e_mail_renders_in_the_recipients_language(client, kind, language):
    address, greeting = ACCOUNT_FLOWS[kind](client, language)
    message = mail.outbox[-1]
    assert message.to == [address]
    check(message, language=language, greeting=greeting)
    # It is the portal's template, not the library's stock text.
    assert "Cluster Portal of the Moscow Innovation Cluster" in message.body or language == "ru"
    assert "Портал Московского инновационного кластера" in message.body or language == "en"


def test_the_sign_up_confirmation_says_what_to_do_in_russian(client):
    signup(client, "ru")
    message = mail.outbox[-1]
    assert message.subject == "Подтвердите адрес электронной почты, чтобы завершить регистрацию"
    assert message.body.startswith("Здравствуйте, Наталья Игоревна!\n")
    assert f"{SITE_URL}/accounts/confirm-email/" in message.body
    assert "указал" not in message.body  # no «пользователь … указал»: the text does not guess anyone's gender
