"""Who sees which project: anonymous, member, staff, coordinator × public, members, staff.

A staff-only project must never leak: not in lists, detail pages, search
results, the board, counts on the home and association pages, or suggestions.
"""

import pytest
from django.urls import reverse

from accounts.models import User
from pages.selectors import suggestions_for
from projects.models import Project

from .factories import (
    AssociationFactory,
    MembershipFactory,
    OrganisationFactory,
    ProjectFactory,
    RepresentativeFactory,
    UserFactory,
    direction,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


VISIBILITIES = ("public", "members", "staff")


@pytest.fixture
def world():
    association = AssociationFactory(slug="photonics")
    other = AssociationFactory(slug="robotics")
    projects = {
        v: ProjectFactory(association=association, slug=f"p-{v}", title=f"Фотонный чип {v}", visibility=v)
        for v in VISIBILITIES
    }
    member_org = OrganisationFactory()
    MembershipFactory(organisation=member_org, association=other)
    member = RepresentativeFactory(organisation=member_org).user
    outsider = RepresentativeFactory().user  # represents an organisation with no membership
    staff = UserFactory(is_cluster_staff=True)
    coordinator = UserFactory()
    association.coordinators.add(coordinator)
    other_coordinator = UserFactory()
    other.coordinators.add(other_coordinator)
    return {
        "association": association,
        "projects": projects,
        "users": {
            "anonymous": None,
            "outsider": outsider,
            "member": member,
            "other_coordinator": other_coordinator,
            "coordinator": coordinator,
            "staff": staff,
            "admin": User.objects.create_superuser("admin@example.com", "x"),
        },
    }


EXPECTED = {
    "anonymous": {"public"},
    "outsider": {"public"},
    "member": {"public", "members"},
    "other_coordinator": {"public", "members"},
    "coordinator": {"public", "members", "staff"},
    "staff": {"public", "members", "staff"},
    "admin": {"public", "members", "staff"},
}


def _client(client, user):
    if user is not None:
        client.force_login(user)
    return client


@pytest.mark.parametrize("who", list(EXPECTED))
def test_it_lists_only_visible_projects(client, world, who):
    client = _client(client, world["users"][who])
    response = client.get("/projects/")
    shown = {p.visibility for p in response.context["page"]}
    assert shown == EXPECTED[who]
    assert response.context["page"].extra["count"] == len(EXPECTED[who])


@pytest.mark.parametrize("who", list(EXPECTED))
@pytest.mark.parametrize("visibility", VISIBILITIES)
def test_it_opens_a_detail_page_only_when_visible(client, world, who, visibility):
    client = _client(client, world["users"][who])
    response = client.get(f"/projects/p-{visibility}/")
    assert response.status_code == (200 if visibility in EXPECTED[who] else 404)


@pytest.mark.parametrize("who", list(EXPECTED))
def test_it_keeps_search_results_and_board_to_visible_projects(client, world, who):
    client = _client(client, world["users"][who])
    response = client.get("/projects/", {"q": "Фотонный чип"})
    assert {p.visibility for p in response.context["page"]} == EXPECTED[who]
    board = client.get("/projects/", {"view": "board", "q": "чип"})
    on_board = {p.visibility for column in board.context["columns"] for p in column["items"]}
    assert on_board == EXPECTED[who]


@pytest.mark.parametrize("who", list(EXPECTED))
def test_it_counts_only_visible_projects_on_public_pages(client, world, who):
    client = _client(client, world["users"][who])
    home = client.get("/")
    assert home.context["figures"]["projects"] == len(EXPECTED[who])
    assert {p.visibility for p in home.context["newest_projects"]} == EXPECTED[who]
    listing = client.get("/associations/")
    counts = {a.slug: a.project_count for a in listing.context["associations"]}
    assert counts["photonics"] == len(EXPECTED[who])
    detail = client.get("/associations/photonics/")
    shown = {p.visibility for _, _, items in detail.context["projects_by_stage"] for p in items}
    assert shown == EXPECTED[who]


def test_it_never_suggests_a_staff_only_project_to_a_member(world):
    member = world["users"]["member"]
    organisation = member.organisations.get()
    organisation.directions.add(direction("photonics"))
    for project in Project.objects.all():
        project.directions.add(direction("photonics"))
    suggested = {s.item.visibility for s in suggestions_for(organisation, member)["projects"]}
    assert suggested == {"public", "members"}


def test_it_hides_staff_fields_from_members(client, world):
    project = world["projects"]["members"]
    project.staff_notes = "Бюджет согласован"
    project.save()
    client.force_login(world["users"]["member"])
    assert "Бюджет согласован" not in client.get(project.get_absolute_url()).content.decode()
    client.force_login(world["users"]["staff"])
    assert "Бюджет согласован" in client.get(project.get_absolute_url()).content.decode()


def test_it_treats_an_inactive_user_as_anonymous(world):
    staff = world["users"]["staff"]
    staff.is_active = False
    staff.save()
    assert set(Project.objects.visible_to(staff).values_list("visibility", flat=True)) == {"public"}


def test_it_links_the_directory_from_the_nav_for_signed_in_users(client, world):
    assert reverse("associations:directory") not in client.get("/").content.decode()
    client.force_login(world["users"]["member"])
    assert reverse("associations:directory") in client.get("/").content.decode()
