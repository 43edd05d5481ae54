"""Who sees which project: anonymous, member, staff, coordinator × public, members, staff.

A staff-only project must never leak: not in lists, detail pages, search
results, the board, counts on the home and association pages, or suggestions.

The shared world, with «Фотоника» given one project of each visibility (erin coordinates it).
Besides them the world has «3D-печать»'s public project «Гранульный принтер» (pellet), which
everyone sees.
"""

import pytest
from django.urls import reverse

from pages.selectors import suggestions_for
from projects.models import Project

from .factories import ProjectFactory, direction

pytestmark = pytest.mark.django_db


VISIBILITIES = ("public", "members", "staff")


@pytest.fixture
def photonics_projects(world):
    return {
        v: ProjectFactory(association=world.photonics, slug=f"p-{v}", title=f"Фотонный чип {v}", visibility=v)
        for v in VISIBILITIES
    }


# The visibilities of «Фотоника»'s projects each of the world's people sees.
EXPECTED = {
    "anonymous": {"public"},
    "charlie": {"public"},  # signed in, acts for nobody
    "alice": {"public"},  # acts for «Аддитив», which is not a member yet
    "dave": {"public", "members"},  # acts for a member of «3D-печать»
    "bob": {"public", "members"},  # coordinates «3D-печать», not «Фотоника»
    "erin": {"public", "members", "staff"},  # coordinates «Фотоника»
    "staff": {"public", "members", "staff"},
    "admin": {"public", "members", "staff"},
}


def photonics_slugs(who):
    return {f"p-{v}" for v in EXPECTED[who]}


def visible_slugs(who):
    """Everything the person sees: «Фотоника»'s visible projects and the world's public pellet."""
    return photonics_slugs(who) | {"pellet"}


def _client(client, world, who):
    if who != "anonymous":
        client.force_login(world[who])
    return client


@pytest.mark.parametrize("who", list(EXPECTED))
def test_it_lists_only_visible_projects(client, world, photonics_projects, who):
    client = _client(client, world, who)
    response = client.get("/projects/")
    shown = {p.slug for p in response.context["page"]}
    assert shown == visible_slugs(who)
    assert response.context["page"].extra["count"] == len(visible_slugs(who))


@pytest.mark.parametrize("who", list(EXPECTED))
@pytest.mark.parametrize("visibility", VISIBILITIES)
def test_it_opens_a_detail_page_only_when_visible(client, world, photonics_projects, who, visibility):
    client = _client(client, world, who)
    response = client.get(f"/projects/p-{visibility}/")
    assert response.status_code == (200 if visibility in EXPECTED[who] else 404)


@pytest.mark.parametrize("who", list(EXPECTED))
def test_it_keeps_search_results_and_board_to_visible_projects(client, world, photonics_projects, who):
    client = _client(client, world, who)
    response = client.get("/projects/", {"q": "Фотонный чип"})
    assert {p.slug for p in response.context["page"]} == photonics_slugs(who)
    board = client.get("/projects/", {"view": "board", "q": "чип"})
    on_board = {p.slug for column in board.context["columns"] for p in column["items"]}
    assert on_board == photonics_slugs(who)


@pytest.mark.parametrize("who", list(EXPECTED))
def test_it_counts_only_visible_projects_on_public_pages(client, world, photonics_projects, who):
    client = _client(client, world, who)
    home = client.get("/")
    assert home.context["figures"]["projects"] == len(visible_slugs(who))
    assert {p.slug for p in home.context["newest_projects"]} == visible_slugs(who)
    listing = client.get("/associations/")
    counts = {a.slug: a.project_count for a in listing.context["associations"]}
    assert counts["photonics"] == len(EXPECTED[who])
    assert counts["additive"] == 1
    detail = client.get("/associations/photonics/")
    shown = {p.visibility for _, _, items in detail.context["projects_by_stage"] for p in items}
    assert shown == EXPECTED[who]


def test_it_never_suggests_a_staff_only_project_to_a_member(world, photonics_projects):
    organisation = world.dave.organisations.get()
    organisation.directions.add(direction("photonics"))
    for project in Project.objects.all():
        project.directions.add(direction("photonics"))
    suggested = {s.item.visibility for s in suggestions_for(organisation, world.dave)["projects"]}
    assert suggested == {"public", "members"}


def test_it_hides_staff_fields_from_members(client, world, photonics_projects):
    project = photonics_projects["members"]
    project.staff_notes = "Бюджет согласован"
    project.save()
    client.force_login(world.dave)
    assert "Бюджет согласован" not in client.get(project.get_absolute_url()).content.decode()
    client.force_login(world.staff)
    assert "Бюджет согласован" in client.get(project.get_absolute_url()).content.decode()


def test_it_treats_an_inactive_user_as_anonymous(world, photonics_projects):
    staff = world.staff
    staff.is_active = False
    staff.save()
    assert set(Project.objects.visible_to(staff).values_list("visibility", flat=True)) == {"public"}


def test_it_links_the_directory_from_the_nav_for_signed_in_users(client, world):
    assert reverse("associations:directory") not in client.get("/").content.decode()
    client.force_login(world.dave)
    assert reverse("associations:directory") in client.get("/").content.decode()
