"""Project search: Russian word forms, typos, filters with search, pages that keep the filters."""

from datetime import timedelta
from urllib.parse import parse_qs

import pytest
from django.utils import timezone

from projects.models import Project

from .factories import AssociationFactory, OrganisationFactory, ParticipantFactory, ProjectFactory, direction, region

pytestmark = pytest.mark.django_db


def _titles(response):
    return [p.title for p in response.context["page"]]


@pytest.fixture
def printers():
    additive = AssociationFactory(slug="additive")
    photonics = AssociationFactory(slug="photonics")
    pellet = ProjectFactory(
        association=additive,
        slug="pellet",
        title="Гранульный принтер",
        summary="Печать крупногабаритных деталей",
        description="Разработка принтеров для печати гранулами",
        stage="development",
    )
    pellet.directions.add(direction("additive-manufacturing"))
    chip = ProjectFactory(
        association=photonics,
        slug="chip",
        title="Фотонная интегральная схема",
        title_en="Photonic integrated circuit",
        summary="Пассивные схемы",
        stage="idea",
    )
    scanner = ProjectFactory(
        association=additive,
        slug="scanner",
        title="Промышленный сканер",
        summary="Сканер и принтер в одном корпусе",
        stage="idea",
    )
    return {"pellet": pellet, "chip": chip, "scanner": scanner}


@pytest.mark.postgres
def test_it_finds_russian_word_forms(client, printers):
    # «принтер» finds «принтеров» (description) and «принтер» (summary)
    response = client.get("/projects/", {"q": "принтер"})
    assert set(_titles(response)) == {"Гранульный принтер", "Промышленный сканер"}
    response = client.get("/projects/", {"q": "принтеров"})
    assert "Гранульный принтер" in _titles(response)


@pytest.mark.postgres
def test_it_searches_english_text(client, printers):
    response = client.get("/projects/", {"q": "circuits"})
    assert _titles(response) == ["Фотонная интегральная схема"]


@pytest.mark.postgres
def test_it_forgives_a_typo_in_a_title(client, printers):
    response = client.get("/projects/", {"q": "Фатонная"})
    assert response.context["page"].extra["fuzzy"] is True
    assert _titles(response)[0] == "Фотонная интегральная схема"


def test_it_combines_search_with_filters(client, printers):
    response = client.get("/projects/", {"q": "принтер", "association": "additive", "stage": "idea"})
    assert _titles(response) == ["Промышленный сканер"]
    response = client.get("/projects/", {"q": "принтер", "direction": "additive-manufacturing"})
    assert _titles(response) == ["Гранульный принтер"]


def test_it_filters_by_region_and_participating_organisation(client, printers):
    spb = OrganisationFactory(region=region("78"))
    ParticipantFactory(project=printers["chip"], organisation=spb)
    assert _titles(client.get("/projects/", {"region": "78"})) == ["Фотонная интегральная схема"]
    assert _titles(client.get("/projects/", {"organisation": spb.pk})) == ["Фотонная интегральная схема"]


def test_it_keeps_the_filters_across_pages(client):
    association = AssociationFactory(slug="robotics")
    start = timezone.now()
    for n in range(45):
        ProjectFactory(
            association=association, title=f"Робот {n:02d}", stage="development", created_at=start - timedelta(hours=n)
        )
    ProjectFactory(title="Робот другой стадии", stage="idea")
    params = {"association": "robotics", "stage": "development", "sort": "newest"}

    seen = []
    response = client.get("/projects/", params)
    while True:
        page = response.context["page"]
        seen += [p.title for p in page]
        if not page.has_next:
            break
        query = parse_qs(page.next_query)
        assert query["association"] == ["robotics"] and query["stage"] == ["development"]
        assert f'href="?{page.next_query.replace("&", "&amp;")}"' in response.content.decode()
        response = client.get("/projects/?" + page.next_query)
    assert seen == [f"Робот {n:02d}" for n in range(45)]

    # Back from the third page, and straight to the last one.
    previous = client.get("/projects/?" + response.context["page"].previous_query)
    assert [p.title for p in previous.context["page"]] == [f"Робот {n:02d}" for n in range(20, 40)]
    last = client.get("/projects/", {**params, "page": "last"})
    assert [p.title for p in last.context["page"]] == [f"Робот {n:02d}" for n in range(25, 45)]
    assert last.context["page"].has_previous and not last.context["page"].has_next


def test_it_sorts_by_title(client):
    for title in ("Вектор", "Альфа", "Бета"):
        ProjectFactory(title=title)
    assert _titles(client.get("/projects/", {"sort": "title"})) == ["Альфа", "Бета", "Вектор"]


def test_it_ignores_a_damaged_cursor_and_unknown_values(client, printers):
    response = client.get("/projects/", {"after": "not-a-cursor", "stage": "nonsense", "sort": "bogus"})
    assert response.status_code == 200
    assert len(_titles(response)) == Project.objects.count()


def test_it_shows_the_board_by_stage(client, printers):
    response = client.get("/projects/", {"view": "board", "association": "additive"})
    columns = {c["stage"]: [p.slug for p in c["items"]] for c in response.context["columns"]}
    assert list(columns) == ["idea", "development", "promotion", "replication", "completed"]
    assert columns["idea"] == ["scanner"] and columns["development"] == ["pellet"]


def test_it_matches_nothing_for_an_unknown_region_or_association(client, printers):
    assert _titles(client.get("/projects/", {"region": "00"})) == []
    assert _titles(client.get("/projects/", {"association": "no-such"})) == []
