"""Exports of the staff lists: the export holds exactly the rows the filtered list shows, in its
order and with its columns; CSV (UTF-8 with a BOM, `;`) and XLSX; scoped as the list is; a fixed
number of queries whatever the number of rows."""

import csv
import io
from datetime import datetime

import pytest
from django.conf import settings
from django.utils import timezone
from openpyxl import load_workbook

from applications.models import ApplicationStatus
from core import exports

from .factories import (
    ApplicationFactory,
    AssociationFactory,
    MembershipFactory,
    OrganisationFactory,
    ProjectFactory,
    direction,
    region,
)

pytestmark = pytest.mark.django_db

REVIEW = "/review/export."
DIRECTORY = "/members/export."
PROJECTS = "/projects/export."


def body(response) -> bytes:
    return b"".join(response.streaming_content)


def csv_rows(response) -> list[list[str]]:
    data = body(response)
    assert data.startswith(b"\xef\xbb\xbf")  # the BOM: Excel reads the file as UTF-8
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig")), delimiter=";"))


def xlsx_rows(response) -> list[list]:
    sheet = load_workbook(io.BytesIO(body(response)), read_only=True).active
    return [["" if v is None else v for v in row] for row in sheet.iter_rows(values_only=True)]


@pytest.fixture
def members(world):
    """Member organisations of «3D-печать» in two regions, with directions, in a known order of names."""
    made = []
    for name, code in [("Вектор", "50"), ("Альфа", "50"), ("Бета", "78"), ("Гамма", "50")]:
        organisation = OrganisationFactory(short_name=f"ООО «{name}»", region=region(code), size="medium")
        organisation.directions.add(direction("robotics"))
        MembershipFactory(organisation=organisation, association=world.additive)
        made.append(organisation)
    made[0].directions.add(direction("photonics"))
    return made


# The member directory


def test_it_exports_the_filtered_directory_as_the_page_lists_it(client, world, members):
    client.force_login(world.staff)
    page = client.get("/members/", {"region": "50"}).context["page"]
    rows = csv_rows(client.get(DIRECTORY + "csv", {"region": "50"}))
    assert rows[0] == ["Организация", "ИНН", "Регион", "Категория", "Направления"]
    assert [r[1] for r in rows[1:]] == [o.inn for o in page.items]
    assert [r[0] for r in rows[1:]] == ["ООО «Альфа»", "ООО «Вектор»", "ООО «Гамма»"]  # Cyrillic round-trips
    vector = rows[2]
    assert vector[2:4] == ["Московская область", "Среднее предприятие"]
    assert sorted(vector[4].split("; ")) == ["Робототехника", "Фотоника"]


def test_it_exports_the_directory_as_xlsx(client, world, members):
    client.force_login(world.staff)
    as_csv = csv_rows(client.get(DIRECTORY + "csv", {"sort": "newest"}))
    response = client.get(DIRECTORY + "xlsx", {"sort": "newest"})
    assert response["Content-Type"] == exports.CONTENT_TYPES["xlsx"]
    assert xlsx_rows(response) == as_csv
    assert [r[0] for r in as_csv[1:]][:4] == ["ООО «Гамма»", "ООО «Бета»", "ООО «Альфа»", "ООО «Вектор»"]


def test_it_names_the_file_and_forbids_caching(client, world, members):
    client.force_login(world.staff)
    response = client.get(DIRECTORY + "csv")
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    today = timezone.localdate().isoformat()
    assert response["Content-Disposition"] == f'attachment; filename="members-{today}.csv"'
    assert response["Cache-Control"] == "private, no-store"


@pytest.mark.parametrize("who", ["dave", "charlie", "alice"])
def test_it_refuses_the_directory_export_to_people_without_staff_tools(client, world, who):
    """A member's representative may browse the directory but not take it out."""
    client.force_login(world[who])
    assert client.get(DIRECTORY + "csv").status_code == 403


def test_it_shows_export_links_with_the_filters_to_staff_only(client, world, members):
    client.force_login(world.staff)
    html = client.get("/members/", {"region": "50", "q": "", "after": "x"}).content.decode()
    assert 'href="/members/export.csv?region=50&amp;sort=name"' not in html  # a sort only when chosen
    assert 'href="/members/export.csv?region=50"' in html and 'href="/members/export.xlsx?region=50"' in html
    client.force_login(world.dave)
    assert 'id="export-links"' not in client.get("/members/").content.decode()


# The project list


def test_it_exports_the_filtered_projects_the_user_may_see(client, world):
    ProjectFactory(association=world.additive, title="Сканер", stage="development", visibility="staff")
    ProjectFactory(association=world.photonics, title="Чип", stage="development", visibility="staff")
    ProjectFactory(association=world.additive, title="Станок", stage="idea")
    params = {"stage": "development"}
    for who, titles in [(world.staff, ["Чип", "Сканер"]), (world.bob, ["Сканер"])]:
        client.force_login(who)
        page = client.get("/projects/", params).context["page"]
        rows = csv_rows(client.get(PROJECTS + "csv", params))
        assert rows[0] == ["Название", "Стадия", "Объединение", "Краткое описание"]
        assert [r[0] for r in rows[1:]] == [p.title for p in page.items] == titles
        assert rows[1][1:] == [
            "Разработка",
            titles[0] == "Чип" and "Фотоника" or "3D-печать",
            "Краткое описание проекта",
        ]


def test_it_exports_projects_in_english_for_an_english_page(client, world):
    client.force_login(world.staff)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    rows = xlsx_rows(client.get(PROJECTS + "xlsx"))
    assert rows[0] == ["Title", "Stage", "Association", "Short summary"]
    assert rows[1][:3] == [world.project.title_en, "Idea", "3D printing"]


@pytest.mark.parametrize("who", [None, "dave", "charlie"])
def test_it_refuses_the_project_export_to_people_without_staff_tools(client, world, who):
    if who:
        client.force_login(world[who])
    assert client.get(PROJECTS + "csv").status_code == 403


def test_it_answers_404_for_an_unknown_format(client, world):
    client.force_login(world.staff)
    assert client.get(PROJECTS + "pdf").status_code == 404


# The review queue, which with «All statuses» is the list of applications


@pytest.fixture
def applications(world):
    at = timezone.make_aware(datetime(2026, 10, 1, 12))
    made = [world.application]
    for i, status in enumerate([ApplicationStatus.IN_REVIEW, ApplicationStatus.APPROVED, ApplicationStatus.SUBMITTED]):
        made.append(
            ApplicationFactory(
                association=world.additive,
                organisation=OrganisationFactory(short_name=f"ООО «Заявитель {i}»", region=region("50")),
                status=status,
                status_changed_at=at.replace(day=1 + i),
                assigned_to=world.bob if status != ApplicationStatus.SUBMITTED else None,
            )
        )
    ApplicationFactory(association=world.photonics, status=ApplicationStatus.SUBMITTED)  # not bob's
    return made


def test_it_exports_the_filtered_queue_as_the_page_shows_it(client, world, applications):
    client.force_login(world.bob)
    params = {"status": "all", "region": "50"}
    page = client.get("/review/", params).context["page"]
    rows = csv_rows(client.get(REVIEW + "csv", params))
    assert rows[0] == ["Организация", "ИНН", "Объединение", "Регион", "Статус", "Ожидает с", "Проверяющий"]
    assert [r[1] for r in rows[1:]] == [a.organisation.inn for a in page.object_list]
    assert [r[0] for r in rows[1:]] == ["ООО «Заявитель 0»", "ООО «Заявитель 1»", "ООО «Заявитель 2»"]
    assert rows[1][2:] == [
        "3D-печать",
        "Московская область",
        "На рассмотрении",
        "2026-10-01 12:00",
        "Борисов Борис Андреевич",
    ]
    assert rows[3][6] == ""
    as_xlsx = xlsx_rows(client.get(REVIEW + "xlsx", params))
    assert as_xlsx[1][5] == datetime(2026, 10, 1, 12, 0)  # a date cell, in Moscow time
    assert [r[0] for r in as_xlsx] == [r[0] for r in rows]


def test_it_exports_the_default_queue_waiting_for_a_decision(client, world, applications):
    client.force_login(world.admin)
    rows = csv_rows(client.get(REVIEW + "csv"))
    # Submitted and in review, of every association (the administrator reviews all), the longest waiting first.
    assert len(rows) == 1 + 4
    assert {r[4] for r in rows[1:]} == {"Подана", "На рассмотрении"}


@pytest.mark.parametrize("who", ["alice", "dave", "charlie"])
def test_it_refuses_the_queue_export_to_non_reviewers(client, world, who):
    # Cluster staff read (and export) every association's applications: tests/test_staff_applications.py.
    client.force_login(world[who])
    assert client.get(REVIEW + "csv").status_code == 403


# What a spreadsheet would run


def test_it_keeps_formulas_as_text(client, world):
    organisation = OrganisationFactory(short_name='=HYPERLINK("http://evil.example","x")', region=region("50"))
    MembershipFactory(organisation=organisation, association=world.additive)
    client.force_login(world.staff)
    rows = csv_rows(client.get(DIRECTORY + "csv", {"region": "50"}))
    assert rows[1][0] == "'" + organisation.short_name
    sheet = load_workbook(io.BytesIO(body(client.get(DIRECTORY + "xlsx", {"region": "50"})))).active
    assert sheet["A2"].data_type == "s" and sheet["A2"].value == organisation.short_name


def test_cell_values():
    aware = timezone.make_aware(datetime(2026, 10, 1, 12, 30, 15, 5))
    assert exports.cell_value(aware) == datetime(2026, 10, 1, 12, 30, 15)
    assert exports.cell_value(None) == ""
    assert exports.cell_value(3) == 3
    assert exports._csv_text("+7 495") == "'+7 495"


# A fixed number of queries


def _grow(world, n):
    association = AssociationFactory()
    for _ in range(n):
        organisation = OrganisationFactory(region=region("50"))
        organisation.directions.add(direction("robotics"))
        MembershipFactory(organisation=organisation, association=world.additive)
        ApplicationFactory(organisation=organisation, association=world.additive, status=ApplicationStatus.SUBMITTED)
        ProjectFactory(association=association, stage="idea")


@pytest.mark.parametrize("n", [3, 40])
def test_it_runs_the_same_queries_whatever_the_rows(client, world, django_assert_num_queries, n):
    _grow(world, n)
    client.force_login(world.admin)
    # Each: session, user, the filters' codes (1, a region is given), the capped count (1, the directory
    # and the projects), the rows (1).
    for url, params, queries in [
        (DIRECTORY + "csv", {"region": "50"}, 5),
        (PROJECTS + "xlsx", {"stage": "idea"}, 4),
        (REVIEW + "csv", {"region": "50"}, 4),  # the region filter resolves in the rows' query
    ]:
        with django_assert_num_queries(queries):
            rows = body(client.get(url, params)).count(b"\n")
        assert rows >= n or url.endswith("xlsx")


def test_it_exports_what_a_text_search_finds(client, world, members):
    client.force_login(world.staff)
    page = client.get("/members/", {"q": "Альфа"}).context["page"]
    rows = csv_rows(client.get(DIRECTORY + "csv", {"q": "Альфа"}))
    assert [r[0] for r in rows[1:]] == [o.short_name for o in page.items] == ["ООО «Альфа»"]


@pytest.mark.postgres
def test_it_exports_similar_names_in_the_order_of_the_page(client, world, members):
    """No full-text match for a typo: the page lists similar names, best first, and so does the export."""
    client.force_login(world.staff)
    page = client.get("/members/", {"q": "Гаммма"}).context["page"]
    assert page.extra["fuzzy"]
    rows = csv_rows(client.get(DIRECTORY + "csv", {"q": "Гаммма"}))
    assert [r[0] for r in rows[1:]] == [o.short_name for o in page.items]
    assert "ООО «Гамма»" in [r[0] for r in rows[1:]]
    projects = client.get("/projects/", {"q": "Грануьный"}).context["page"]
    assert projects.extra["fuzzy"]
    rows = csv_rows(client.get(PROJECTS + "csv", {"q": "Грануьный"}))
    assert [r[0] for r in rows[1:]] == [p.title for p in projects.items] == ["Гранульный принтер"]
