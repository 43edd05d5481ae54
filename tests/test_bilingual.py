"""One language per page: a bilingual field in the page's language, the other only when it is empty,
marked with `lang`; and no page shows the same text twice (a summary repeated as the body)."""

import pytest
from django.template import Context, Template
from django.utils import translation

from core.i18n import LocalizedText, localized, localized_text

from .factories import AssociationFactory, ProjectFactory


class Item:
    def __init__(self, summary="", summary_en=""):
        self.summary, self.summary_en = summary, summary_en


@pytest.mark.parametrize(
    "language,summary,summary_en,expected",
    [
        ("ru", "Русский", "English", LocalizedText("Русский", "ru", False)),
        ("ru", "", "English", LocalizedText("English", "en", True)),
        ("en", "Русский", "English", LocalizedText("English", "en", False)),
        ("en", "Русский", "", LocalizedText("Русский", "ru", True)),
        ("en", "", "", LocalizedText("", "en", False)),
    ],
)
def test_it_picks_the_pages_language_and_falls_back_only_when_it_is_empty(language, summary, summary_en, expected):
    with translation.override(language):
        assert localized_text(Item(summary, summary_en), "summary") == expected
        assert localized(Item(summary, summary_en), "summary") == expected.text


def render(template: str, language: str, **context) -> str:
    with translation.override(language):
        return Template("{% load bilingual %}" + template).render(Context(context)).strip()


def test_the_tag_marks_only_the_fallback_with_lang():
    both = Item("Русский <текст>", "English")
    assert render('{% bilingual item "summary" "p" class="lead" %}', "ru", item=both) == (
        '<p class="lead">Русский &lt;текст&gt;</p>'
    )
    only_english = Item("", "English")
    assert render('{% bilingual item "summary" "p" class="lead" %}', "ru", item=only_english) == (
        '<p class="lead" lang="en">English</p>'
    )
    only_russian = Item("Русский", "")
    assert render('{% bilingual item "summary" %}', "en", item=only_russian) == '<span lang="ru">Русский</span>'
    assert render('{% bilingual item "summary" "p" %}', "en", item=Item()) == ""


def test_the_tag_leaves_out_a_body_that_repeats_the_summary():
    class Page:
        summary, summary_en = "Кратко", "Briefly"
        description, description_en = "Кратко", ""

    template = '{% bilingual page "description" "div" linebreaks=True unless_same_as="summary" %}'
    assert render(template, "ru", page=Page()) == ""
    # In English the body falls back to Russian, which is no repetition of the English summary.
    assert render(template, "en", page=Page()) == '<div lang="ru"><p>Кратко</p></div>'


@pytest.mark.django_db
def test_the_russian_project_page_shows_russian_and_marks_what_is_only_in_english(client):
    project = ProjectFactory(
        slug="mixed",
        title="Гранульный принтер",
        title_en="Pellet printer",
        summary="Печать крупных деталей из гранул.",
        summary_en="Printing large parts from pellets.",
        description="",
        description_en="The detailed plan is written in English only so far.",
    )
    page = client.get(project.get_absolute_url()).content.decode()
    assert page.count("Печать крупных деталей из гранул.") == 1
    assert "Printing large parts from pellets." not in page
    assert '<div class="mb-4" lang="en"><p>The detailed plan is written in English only so far.</p></div>' in page
    assert "<h1>Гранульный принтер</h1>" in page

    client.cookies["django_language"] = "en"
    page = client.get(project.get_absolute_url()).content.decode()
    assert "<h1>Pellet printer</h1>" in page and '<p class="lead">Printing large parts from pellets.</p>' in page
    assert "Печать крупных деталей" not in page
    assert 'lang="en"><p>The detailed plan' not in page  # in its own language now: no mark


@pytest.mark.django_db
def test_a_project_without_an_english_title_is_marked_russian_on_the_english_pages(client):
    project = ProjectFactory(slug="ru-only", title="Только по-русски", title_en="", summary_en="")
    client.cookies["django_language"] = "en"
    assert '<h1 lang="ru">Только по-русски</h1>' in client.get(project.get_absolute_url()).content.decode()
    listing = client.get("/projects/").content.decode()
    assert f'<a href="{project.get_absolute_url()}" lang="ru">Только по-русски</a>' in listing
    assert '<p class="card-text small" lang="ru">Краткое описание проекта</p>' in listing


@pytest.mark.django_db
def test_the_association_page_shows_the_description_once(client):
    AssociationFactory(
        slug="twice",
        summary="Совместные проекты участников",
        summary_en="Joint projects of the members",
        description="Совместные проекты участников",
        description_en="Joint projects of the members",
    )
    for language, text in (("ru", "Совместные проекты участников"), ("en", "Joint projects of the members")):
        client.cookies["django_language"] = language
        page = client.get("/associations/twice/").content.decode()
        assert page.count(text) == 1, language
