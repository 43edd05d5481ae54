"""No page renders an unbounded list: each list shows its cap and links to the rest."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from associations.models import MembershipRole
from pages.views import SIDE_LIST_SIZE
from projects.selectors import PROJECTS_PER_STAGE

from .factories import MembershipFactory, OrganisationFactory, ProjectFactory

pytestmark = pytest.mark.django_db

MEMBERS_PAGE_SIZE = 40


def items(page: str, name: str) -> list[str]:
    block = re.search(rf'<ul[^>]*data-list="{name}">(.*?)</ul>', page, re.S).group(1)
    return re.findall(r"<li[^>]*>(.*?)</li>", block, re.S)


def members(association, count: int, role=MembershipRole.PARTICIPANT, prefix="Участник"):
    for n in range(count):
        MembershipFactory(
            association=association, role=role, organisation=OrganisationFactory(short_name=f"ООО «{prefix} {n:03d}»")
        )


def test_it_pages_an_associations_participants_by_name(client, world):
    members(world.additive, MEMBERS_PAGE_SIZE)  # and world's member_org «Гранула»: cap + 1
    first = client.get("/associations/additive/")
    page = first.content.decode()
    assert len(items(page, "participants")) == MEMBERS_PAGE_SIZE
    assert first.context["participants"].has_next and 'rel="next"' in page
    second = client.get("/associations/additive/?" + first.context["participants"].next_query)
    assert [o.short_name for o in second.context["participants"]] == ["ООО «Участник 039»"]
    shown = [o.pk for o in first.context["participants"]] + [o.pk for o in second.context["participants"]]
    assert len(shown) == len(set(shown)) == MEMBERS_PAGE_SIZE + 1
    assert not second.context["participants"].has_next


def test_it_shows_partners_and_coordinating_organisations_apart_each_paged(client, world):
    members(world.additive, SIDE_LIST_SIZE + 1, MembershipRole.PARTNER, "Партнёр")
    members(world.additive, 2, MembershipRole.COORDINATOR, "Координатор")
    response = client.get("/associations/additive/")
    page = response.content.decode()
    assert len(items(page, "partners")) == SIDE_LIST_SIZE
    assert "partners_after=" in page
    assert [o.short_name for o in response.context["coordinating"]] == [
        "ООО «Координатор 000»",
        "ООО «Координатор 001»",
    ]
    assert all("Партнёр" not in name for name in items(page, "participants"))
    last = client.get("/associations/additive/?partners_page=last")
    assert [o.short_name for o in last.context["partners"]][-1] == f"ООО «Партнёр {SIDE_LIST_SIZE:03d}»"
    assert len(last.context["participants"]) == 1  # the participants' list keeps its own page


def test_it_caps_the_projects_of_each_stage_and_links_to_the_rest(client, world):
    for n in range(PROJECTS_PER_STAGE + 1):
        ProjectFactory(association=world.additive, stage="development", title=f"Разработка {n:02d}")
    page = client.get("/associations/additive/").content.decode()
    assert page.count("Разработка ") == PROJECTS_PER_STAGE
    assert "data-all-projects" in page and "?association=additive&amp;stage=development" in page


def test_the_association_page_costs_the_same_queries_for_few_and_many_members(client, world):
    client.force_login(world.dave)  # signed in: rendered every time
    members(world.additive, 1, MembershipRole.PARTNER, "Партнёр")
    members(world.additive, 1, MembershipRole.COORDINATOR, "Координатор")

    def count() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get("/associations/additive/").status_code == 200
        return len(captured)

    client.get("/cabinet/")  # the layout's unread count is then cached (notifications/unread.py)
    few = count()
    members(world.additive, 60, prefix="Ещё участник")
    members(world.additive, 30, MembershipRole.PARTNER, "Ещё партнёр")
    assert count() == few
