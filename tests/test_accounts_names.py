"""Splitting the one-box names of accounts made before the three name fields (migration accounts/0002)."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from accounts.names import split_full_name, tidy_name_part


@pytest.mark.parametrize(
    ("typed", "parts"),
    [
        # The order the box asked for: «фамилия, имя и отчество».
        ("Соколова Наталья Игоревна", ("Соколова", "Наталья", "Игоревна")),
        ("  Соколова   Наталья Игоревна ", ("Соколова", "Наталья", "Игоревна")),
        # First name and patronymic first, the surname last.
        ("Наталья Игоревна Соколова", ("Соколова", "Наталья", "Игоревна")),
        ("Иван Ильич Толстой", ("Толстой", "Иван", "Ильич")),
        # Two words: the one that looks more like a surname is the surname.
        ("Соколова Наталья", ("Соколова", "Наталья", "")),
        ("Анна Петрова", ("Петрова", "Анна", "")),
        ("Ирина Соколова", ("Соколова", "Ирина", "")),
        ("Соколова Ирина", ("Соколова", "Ирина", "")),
        ("Абрамович Роман", ("Абрамович", "Роман", "")),
        ("Наталья Игоревна", ("", "Наталья", "Игоревна")),
        # One word: a surname only when it clearly is one.
        ("Петрова", ("Петрова", "", "")),
        ("Наталья", ("", "Наталья", "")),
        # A Turkic patronymic in two words, initials, Latin script in the Western order.
        ("Мамедов Эльчин Рашид оглы", ("Мамедов", "Эльчин", "Рашид оглы")),
        ("Соколова Н. И.", ("Соколова", "Н.", "И.")),
        ("Natalia Sokolova", ("Sokolova", "Natalia", "")),
        ("", ("", "", "")),
    ],
)
def test_it_splits_a_name_typed_in_one_box(typed, parts):
    assert split_full_name(typed) == parts


def test_it_tidies_a_typed_part():
    assert tidy_name_part("  соколова-щедрина ") == "Соколова-Щедрина"
    assert tidy_name_part("ван  дер Берг") == "ван дер Берг"  # typed with capitals: left as typed
    assert tidy_name_part("Семе\u0308нов") == "Семёнов"  # composed: one letter «ё», not «е» and a diaeresis


@pytest.mark.django_db(transaction=True)
def test_the_migration_splits_existing_names_and_keeps_the_accounts():
    executor = MigrationExecutor(connection)
    executor.migrate([("accounts", "0001_initial")])
    old_apps = executor.loader.project_state([("accounts", "0001_initial")]).apps
    OldUser = old_apps.get_model("accounts", "User")
    OldUser.objects.create(email="sokolova@mail.test", full_name="Соколова Наталья Игоревна", password="x")
    OldUser.objects.create(email="anna@mail.test", full_name="Анна Петрова", password="x")
    OldUser.objects.create(email="nameless@mail.test", full_name="", password="x")

    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())

    from accounts.models import User

    names = {u.email: (u.last_name, u.first_name, u.patronymic) for u in User.objects.all()}
    assert names == {
        "sokolova@mail.test": ("Соколова", "Наталья", "Игоревна"),
        "anna@mail.test": ("Петрова", "Анна", ""),
        "nameless@mail.test": ("", "", ""),
    }
    assert User.objects.get(email="sokolova@mail.test").greeting_name("ru") == "Наталья Игоревна"
