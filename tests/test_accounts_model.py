"""accounts.User: people sign in by e-mail; the name is optional."""

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


def test_it_names_a_person_by_name_or_e_mail():
    named = User(email="a@example.ru", full_name="Соколова Наталья Игоревна")
    assert (str(named), named.get_full_name(), named.get_short_name()) == (
        "Соколова Наталья Игоревна",
        "Соколова Наталья Игоревна",
        "Соколова",
    )
    anonymous = User(email="b@example.ru")
    assert (str(anonymous), anonymous.get_full_name(), anonymous.get_short_name()) == ("b@example.ru",) * 3
