"""accounts.User: people sign in by e-mail; the name is in three parts, each shown where it fits."""

import pytest

from accounts.models import User

pytestmark = pytest.mark.django_db


def test_it_creates_users_and_administrators_by_e_mail():
    user = User.objects.create_user("Anna@Example.RU", "secret-password-1")
    assert user.email == "anna@example.ru" and user.check_password("secret-password-1")
    assert not (user.is_staff or user.is_superuser)
    admin = User.objects.create_superuser("root@example.ru", "x")
    assert admin.is_staff and admin.is_superuser
    with pytest.raises(ValueError):
        User.objects.create_user("", "x")


def test_it_shows_the_full_name_surname_first():
    sokolova = User(email="a@example.ru", last_name="Соколова", first_name="Наталья", patronymic="Игоревна")
    assert str(sokolova) == sokolova.full_display_name == sokolova.get_full_name() == "Соколова Наталья Игоревна"
    assert User(email="b@example.ru", last_name="Орлов", first_name="Пётр").full_display_name == "Орлов Пётр"


def test_it_shortens_the_name_to_the_surname_and_initials_that_never_break():
    sokolova = User(email="a@example.ru", last_name="Соколова", first_name="Наталья", patronymic="Игоревна")
    assert sokolova.short_display_name == sokolova.get_short_name() == "Соколова\u00a0Н.\u00a0И."
    assert User(email="b@example.ru", last_name="Орлов", first_name="Пётр").short_display_name == "Орлов\u00a0П."
    assert User(email="c@example.ru", last_name="Орлов").short_display_name == "Орлов"
    assert User(email="d@example.ru", first_name="Пётр").short_display_name == "Пётр"


def test_it_greets_by_first_name_and_patronymic_in_russian_and_by_first_name_in_english():
    sokolova = User(email="a@example.ru", last_name="Соколова", first_name="Наталья", patronymic="Игоревна")
    assert sokolova.greeting_name("ru") == "Наталья Игоревна"
    assert sokolova.greeting_name("en") == "Наталья"
    natalia = User(email="n@example.ru", last_name="Sokolova", first_name="Natalia")
    assert (natalia.greeting_name("ru"), natalia.greeting_name("en")) == ("Natalia", "Natalia")
    # Without a first name the e-mail greets without a name, never by the surname alone.
    assert User(email="b@example.ru", last_name="Орлов").greeting_name("ru") == ""


def test_it_falls_back_to_the_e_mail_address_without_a_name():
    anonymous = User(email="b@example.ru")
    assert (str(anonymous), anonymous.full_display_name, anonymous.short_display_name) == ("b@example.ru",) * 3
    assert anonymous.greeting_name("ru") == anonymous.greeting_name("en") == ""
