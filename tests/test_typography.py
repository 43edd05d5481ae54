"""Money, elapsed time and dates are written the way each language writes them."""

import re
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.template import Context, Template
from django.urls import reverse
from django.utils import timezone, translation

from core.templatetags.typography import elapsed, money

NBSP = "\u00a0"


@pytest.mark.parametrize(
    ("value", "russian", "english"),
    [
        (5_000_000, f"5{NBSP}000{NBSP}000{NBSP}₽", f"RUB{NBSP}5,000,000"),
        (Decimal("5000000.00"), f"5{NBSP}000{NBSP}000{NBSP}₽", f"RUB{NBSP}5,000,000"),
        (Decimal("1234.5"), f"1{NBSP}234,50{NBSP}₽", f"RUB{NBSP}1,234.50"),
        (999, f"999{NBSP}₽", f"RUB{NBSP}999"),
        (0, f"0{NBSP}₽", f"RUB{NBSP}0"),
        ("750000", f"750{NBSP}000{NBSP}₽", f"RUB{NBSP}750,000"),
    ],
)
def test_money_groups_thousands_and_names_the_currency(value, russian, english):
    with translation.override("ru"):
        assert money(value) == russian
    with translation.override("en"):
        assert money(value) == english


def test_money_leaves_no_amount_empty_for_a_default():
    template = Template('{% load typography %}{{ amount|money|default:"—" }}')
    assert template.render(Context({"amount": None})) == "—"
    assert money("not a number") == "not a number"


def test_elapsed_says_less_than_a_minute_then_counts():
    now = timezone.now()
    with translation.override("ru"):
        assert elapsed(now - timedelta(seconds=59), now) == "меньше минуты"
        assert elapsed(now - timedelta(days=2, hours=3), now) == f"2{NBSP}дня, 3{NBSP}часа"
        assert elapsed(None) == ""
    with translation.override("en"):
        assert elapsed(now, now) == "less than a minute"


@pytest.mark.django_db
def test_the_project_page_shows_the_budget_and_dates_by_the_locale(client, world):
    project = world.project
    type(project).objects.filter(pk=project.pk).update(
        budget_rub=Decimal("5000000"), starts_on=date(2026, 3, 1), ends_on=date(2027, 12, 31)
    )
    client.force_login(world.staff)
    url = reverse("projects:project-detail", args=[project.slug])
    russian = client.get(url, HTTP_ACCEPT_LANGUAGE="ru").content.decode()
    assert f'id="staff-budget">5{NBSP}000{NBSP}000{NBSP}₽<' in russian
    assert "01.03.2026 — 31.12.2027" in russian
    client.post(reverse("set_language"), {"language": "en", "next": url})
    english = client.get(url).content.decode()
    assert f'id="staff-budget">RUB{NBSP}5,000,000<' in english
    assert "03/01/2026 — 12/31/2027" in english


def test_dates_in_templates_follow_the_locale_formats():
    """No template hard-codes a date format: each names one of the locale's formats."""
    from pathlib import Path

    templates = Path(__file__).resolve().parent.parent / "templates"
    fixed = []
    for path in templates.rglob("*.*"):
        for match in re.finditer(r"\|date:[\"']([^\"']+)[\"']", path.read_text(encoding="utf-8")):
            if not (match.group(1).endswith("_FORMAT") or match.group(1) in {"c", "Y"}):
                fixed.append(f"{path.relative_to(templates)}: {match.group(1)}")
    assert fixed == []


@pytest.mark.django_db
def test_a_project_without_dates_shows_one_dash(client, world):
    html = client.get(reverse("projects:project-detail", args=[world.project.slug])).content.decode()
    dates = html[html.index("<dt") :]
    assert re.search(r"<dt[^>]*>Сроки</dt><dd[^>]*>—</dd>", dates)
