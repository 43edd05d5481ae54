"""Every list page runs the same number of SQL queries with 5 rows as with 50.

The numbers are pinned; a failure means a query per row crept in: fix it with
select_related / prefetch_related, never by raising the number.
"""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from .factories import (
    AssociationFactory,
    MembershipFactory,
    MilestoneFactory,
    OrganisationFactory,
    ParticipantFactory,
    ProjectFactory,
    RepresentativeFactory,
    UserFactory,
    direction,
)

pytestmark = pytest.mark.django_db


def build(n: int):
    """n projects in one association (with participants, directions, milestones) and n member organisations."""
    association = AssociationFactory(slug="rows", is_featured=True)
    association.directions.add(direction("robotics"))
    organisations = []
    for _ in range(n):
        organisation = OrganisationFactory()
        organisation.directions.add(direction("robotics"), direction("photonics"))
        MembershipFactory(organisation=organisation, association=association)
        organisations.append(organisation)
    lead = organisations[0]
    for i in range(n):
        project = ProjectFactory(association=association, lead_organisation=lead, stage=("idea", "development")[i % 2])
        project.directions.add(direction("robotics"))
        ParticipantFactory(project=project, organisation=organisations[1 + i % (n - 1)])  # the lead takes part already
        MilestoneFactory(project=project)
    busy = ProjectFactory(association=association, slug="busy")
    for organisation in organisations:
        ParticipantFactory(project=busy, organisation=organisation)
    viewer = RepresentativeFactory(organisation=lead).user
    return association, lead, viewer


def count_queries(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(ctx.captured_queries)


PAGES = [
    "/",
    "/associations/",
    "/associations/rows/",
    "/projects/",
    "/projects/?q=Проект&association=rows&sort=title",
    "/projects/?view=board",
    "/projects/busy/",
    "/members/",
    "/members/?direction=robotics&region=77",
    "LEAD",
]


def _measure(client, n, signed_in):
    association, lead, viewer = build(n)
    if signed_in:
        client.force_login(viewer)
    counts = {}
    for url in PAGES:
        if url.startswith("/members/") and not signed_in:
            continue
        real = lead.get_absolute_url() if url == "LEAD" else url
        if url == "LEAD" and not signed_in:
            continue
        counts[url] = count_queries(client, real)
    return counts


@pytest.mark.parametrize("signed_in", [False, True], ids=["anonymous", "member"])
def test_it_runs_the_same_number_of_queries_for_5_and_50_rows(client, signed_in):
    few = _measure(client, 5, signed_in)
    # A fresh data set of 50 rows in the same test database (different slugs for the association).
    from associations.models import Association, AssociationMembership
    from members.models import Organisation
    from projects.models import Project

    Project.objects.all().delete()
    AssociationMembership.objects.all().delete()
    Organisation.objects.all().delete()
    Association.objects.all().delete()
    client.logout()
    many = _measure(client, 50, signed_in)
    assert few == many


def test_it_pins_the_query_count_of_the_project_list(client, django_assert_num_queries):
    build(5)
    # session-less anonymous request: capped count (1), page with association and lead (1),
    # filter choices: associations, directions, regions (3) the first time, then none (cached);
    # then the whole anonymous page is cached (none), and a filtered one is drawn with 2
    with django_assert_num_queries(5):
        client.get("/projects/")
    with django_assert_num_queries(0):
        client.get("/projects/")
    with django_assert_num_queries(2):
        client.get("/projects/", {"sort": "title"})


def test_it_pins_the_query_count_of_the_directory(client, django_assert_num_queries):
    build(5)
    client.force_login(UserFactory(is_cluster_staff=True))
    client.get("/members/")  # warm up
    # session (1), user (1), the layout's review link (1): the directory below its heading and the
    # unread count were cached by the first request (associations/views.py, notifications/unread.py)
    with django_assert_num_queries(3):
        client.get("/members/")
    # another query string: capped count (1) and page with region (1) more; the filter choices and
    # the rows (with their directions) cached (associations/choices.py, core/fragments.py)
    with django_assert_num_queries(5):
        client.get("/members/", {"sort": "name"})
