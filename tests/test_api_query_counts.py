"""Every list endpoint of the API runs the same number of SQL queries for 5 rows as for 50.

The numbers are pinned; a failure means a query per row crept in: fix it with select_related /
prefetch_related, never by raising the number. Each count is of the endpoint's own queries: those of
the same caller's request to /api/v1/ (the session, its user, the portal's middleware) are left out.
"""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from applications.models import ApplicationEvent, ApplicationStatus
from notifications.models import Notification

from .factories import (
    ApplicationFactory,
    AssociationFactory,
    MembershipFactory,
    OrganisationFactory,
    ParticipantFactory,
    ProjectFactory,
    RepresentativeFactory,
    UserFactory,
    direction,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _no_throttle(settings):
    settings.API_THROTTLE_ANON = settings.API_THROTTLE_TOKEN = "100000/min"


def build(n: int, people: dict | None = None) -> dict:
    """n more of everything: member organisations (with directions) and their projects, in which the
    lead organisation takes part; associations the lead is a member of; the applicant's organisations
    with an application (and its history) each, and notifications."""
    if people is None:
        association = AssociationFactory(slug="rows")
        association.directions.add(direction("robotics"))
        lead = OrganisationFactory()
        MembershipFactory(organisation=lead, association=association)
        people = {
            "association": association,
            "lead": lead,
            "applicant": UserFactory(),
            "member": RepresentativeFactory(organisation=lead).user,
            "admin": UserFactory(is_superuser=True, is_staff=True),
        }
    association, lead, applicant = people["association"], people["lead"], people["applicant"]
    for _ in range(n):
        organisation = OrganisationFactory()
        organisation.directions.add(direction("robotics"), direction("photonics"))
        MembershipFactory(organisation=organisation, association=association)
        project = ProjectFactory(association=association, lead_organisation=organisation)
        project.directions.add(direction("robotics"))
        ParticipantFactory(project=project, organisation=lead)
        other = AssociationFactory()
        other.directions.add(direction("photonics"))
        MembershipFactory(organisation=lead, association=other)
        own = OrganisationFactory()
        RepresentativeFactory(organisation=own, user=applicant)
        application = ApplicationFactory(
            organisation=own, association=association, applicant=applicant, status=ApplicationStatus.SUBMITTED
        )
        ApplicationEvent.objects.create(
            application=application, actor=applicant, from_status="draft", to_status="submitted", comment="c"
        )
        Notification.objects.create(recipient=applicant, kind="application_submitted", params={"association": "x"})
    return people


def count_queries(client, url) -> tuple[int, int, list]:
    """The queries of the request beyond those of any API request (the session, the portal's middleware)."""
    with CaptureQueriesContext(connection) as baseline:
        client.get("/api/v1/")
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200, (url, response.content[:300])
    queries = [q["sql"][:90] for q in ctx][len(baseline) :]
    return len(ctx) - len(baseline), len(response.json().get("results", [])), queries


# (viewer, url, queries) — the url may name the lead organisation {lead} and the association {slug}.
ENDPOINTS = [
    # associations 1 + their directions 1 + the projects the viewer may see, counted 1
    ("admin", "/api/v1/associations/", 3),
    # capped count 1 + page 1 + directions 1
    ("admin", "/api/v1/projects/", 3),
    # + the filters' slugs and codes resolved 1
    ("admin", "/api/v1/projects/?association={slug}&direction=robotics", 4),
    # + the viewer's membership (visibility) 1
    ("member", "/api/v1/projects/", 4),
    # the directory's right (membership) 1 + capped count 1 + page 1 + directions 1
    ("member", "/api/v1/organisations/", 4),
    ("member", "/api/v1/organisations/?region=77&association={slug}", 5),
    # right 1 + the organisation 1 + page 1 + directions 1 (the membership is asked once)
    ("member", "/api/v1/organisations/{lead}/projects/", 4),
    # right 1 + the organisation 1 + memberships 1
    ("member", "/api/v1/organisations/{lead}/memberships/", 3),
    # representations 1
    ("applicant", "/api/v1/me/organisations/", 1),
    # page 1 + histories with their actors 1
    ("applicant", "/api/v1/me/applications/", 2),
    # page 1
    ("applicant", "/api/v1/me/notifications/", 1),
    # page 1 (an administrator reviews everything: no question asked)
    ("admin", "/api/v1/review/applications/", 1),
]


def test_query_counts_are_pinned_and_do_not_grow_with_rows(client):
    """Each endpoint with 5 rows, then with 50 (45 more of everything), for the same viewers."""
    measured, people = {}, None
    for n in (5, 45):
        people = build(n, people)
        for viewer, url, _expected in ENDPOINTS:
            client.force_login(people[viewer])
            address = url.format(lead=people["lead"].pk, slug=people["association"].slug)
            measured.setdefault((viewer, url), []).append(
                count_queries(client, address + ("&" if "?" in url else "?") + "limit=100")
            )
    wrong = []
    for viewer, url, expected in ENDPOINTS:
        (small, small_rows, _), (large, large_rows, queries) = measured[viewer, url]
        assert large_rows > small_rows >= 1, url
        if not small == large == expected:
            wrong.append(f"{viewer} {url}: {small} queries for {small_rows} rows, {large} for {large_rows}: {queries}")
    assert not wrong, "\n".join(wrong)
