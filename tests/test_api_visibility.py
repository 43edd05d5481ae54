"""Who sees what through /api/v1/: the same rules as the pages, for every role of the shared world.

visitor (anonymous), alice (applicant), charlie (acts for nobody), dave (a member organisation's
owner: "another organisation's user" for alice), bob (coordinator of «3D-печать», this association),
erin (coordinator of «Фотоника», another one), staff, admin.
"""

import pytest

from applications.models import ApplicationEvent, ApplicationStatus
from notifications.models import Notification
from projects.models import Visibility

from .factories import ParticipantFactory, ProjectFactory

pytestmark = pytest.mark.django_db

ROLES = ["visitor", "alice", "charlie", "dave", "bob", "erin", "staff", "admin"]


@pytest.fixture(autouse=True)
def _no_throttle(settings):
    settings.API_THROTTLE_ANON = settings.API_THROTTLE_TOKEN = "100000/min"


@pytest.fixture
def cluster(world):
    """The world plus a members-only and a staff-only project of «3D-печать», in which «Гранула» takes part,
    an application history with an internal note, and a notification each for alice and dave."""
    members_only = ProjectFactory(association=world.additive, slug="members-only", visibility=Visibility.MEMBERS)
    staff_only = ProjectFactory(association=world.additive, slug="staff-only", visibility=Visibility.STAFF)
    ParticipantFactory(project=staff_only, organisation=world.member_org)
    ApplicationEvent.objects.create(
        application=world.application,
        actor=world.alice,
        from_status=ApplicationStatus.DRAFT,
        to_status=ApplicationStatus.SUBMITTED,
        comment="Просим принять",
        internal_note="SECRET-NOTE",
    )
    Notification.objects.create(recipient=world.alice, kind="alice-only")
    Notification.objects.create(recipient=world.dave, kind="dave-only")
    world.members_only, world.staff_only = members_only, staff_only
    return world


def as_role(client, world, role):
    if role != "visitor":
        client.force_login(world[role])
    return client


def get(client, url, **headers):
    response = client.get(url, **headers)
    return response, (response.json() if response.content else None)


# Projects: public for everyone; "members" for members and coordinators; "staff" for staff, admins
# and the association's own coordinators.
PROJECTS = {
    "visitor": {"pellet"},
    "alice": {"pellet"},
    "charlie": {"pellet"},
    "dave": {"pellet", "members-only"},
    "bob": {"pellet", "members-only", "staff-only"},
    "erin": {"pellet", "members-only"},
    "staff": {"pellet", "members-only", "staff-only"},
    "admin": {"pellet", "members-only", "staff-only"},
}


@pytest.mark.parametrize("role", ROLES)
def test_it_lists_the_projects_each_role_may_see(client, cluster, role):
    response, body = get(as_role(client, cluster, role), "/api/v1/projects/")
    assert response.status_code == 200
    assert {p["slug"] for p in body["results"]} == PROJECTS[role]
    assert body["count"] == len(PROJECTS[role])
    for slug in ("pellet", "members-only", "staff-only"):
        detail = client.get(f"/api/v1/projects/{slug}/")
        assert detail.status_code == (200 if slug in PROJECTS[role] else 404), slug


@pytest.mark.parametrize("role", ROLES)
def test_it_counts_in_associations_only_the_projects_the_role_may_see(client, cluster, role):
    response, body = get(as_role(client, cluster, role), "/api/v1/associations/")
    assert response.status_code == 200
    rows = {a["slug"]: a for a in body["results"]}
    assert set(rows) == {"additive", "photonics"}
    assert rows["additive"]["project_count"] == len(PROJECTS[role])
    assert rows["additive"]["participant_count"] == 1
    detail = client.get("/api/v1/associations/additive/").json()
    assert detail["project_count"] == len(PROJECTS[role])


def test_an_archived_association_is_not_listed(client, cluster):
    cluster.photonics.status = "archived"
    cluster.photonics.save()
    assert [a["slug"] for a in client.get("/api/v1/associations/").json()["results"]] == ["additive"]
    assert client.get("/api/v1/associations/photonics/").status_code == 404


DIRECTORY = {
    "visitor": 401,
    "alice": 403,
    "charlie": 403,
    "dave": 200,
    "bob": 200,
    "erin": 200,
    "staff": 200,
    "admin": 200,
}


@pytest.mark.parametrize("role", ROLES)
def test_the_directory_answers_its_users_only(client, cluster, role):
    client = as_role(client, cluster, role)
    member, applicant = cluster.member_org.pk, cluster.applicant_org.pk
    urls = [
        "/api/v1/organisations/",
        f"/api/v1/organisations/{member}/",
        f"/api/v1/organisations/{member}/memberships/",
        f"/api/v1/organisations/{member}/projects/",
    ]
    for url in urls:
        response = client.get(url)
        assert response.status_code == DIRECTORY[role], url
        assert response["Content-Type"].startswith(
            "application/json" if response.status_code == 200 else "application/problem+json"
        )
    if DIRECTORY[role] == 200:
        body = client.get("/api/v1/organisations/").json()
        # Approved members only: «Аддитив» has only applied.
        assert [o["id"] for o in body["results"]] == [member]
        assert client.get(f"/api/v1/organisations/{applicant}/").status_code == 404
        memberships = client.get(f"/api/v1/organisations/{member}/memberships/").json()["results"]
        assert [m["association"]["slug"] for m in memberships] == ["additive"]
        projects = client.get(f"/api/v1/organisations/{member}/projects/").json()["results"]
        assert {p["slug"] for p in projects} == PROJECTS[role] & {"pellet", "staff-only"}


@pytest.mark.parametrize(("role", "sees_phone"), [("dave", True), ("bob", False), ("erin", False), ("staff", True)])
def test_hidden_contacts_are_shown_only_to_the_organisations_people_and_staff(client, cluster, role, sees_phone):
    cluster.member_org.phone, cluster.member_org.show_phone = "+7 495 000-00-00", False
    cluster.member_org.save()
    contacts = as_role(client, cluster, role).get(f"/api/v1/organisations/{cluster.member_org.pk}/").json()["contacts"]
    assert contacts["phone"] == ("+7 495 000-00-00" if sees_phone else "")
    assert contacts["email"] == cluster.member_org.email


OWN_ORGANISATIONS = {"alice": ["applicant_org"], "charlie": [], "dave": ["member_org"], "bob": [], "admin": []}


@pytest.mark.parametrize("role", ROLES)
def test_own_endpoints_answer_the_caller_about_themselves(client, cluster, role):
    client = as_role(client, cluster, role)
    urls = ["/api/v1/me/organisations/", "/api/v1/me/applications/", "/api/v1/me/notifications/"]
    if role == "visitor":
        for url in urls:
            response = client.get(url)
            assert response.status_code == 401
            assert response["WWW-Authenticate"].startswith("Bearer")
        return
    organisations = client.get(urls[0]).json()["results"]
    if role in OWN_ORGANISATIONS:
        assert [o["id"] for o in organisations] == [cluster[name].pk for name in OWN_ORGANISATIONS[role]]
    applications = client.get(urls[1]).json()["results"]
    assert [a["id"] for a in applications] == ([cluster.application.pk] if role == "alice" else [])
    kinds = [n["kind"] for n in client.get(urls[2]).json()["results"]]
    assert kinds == {"alice": ["alice-only"], "dave": ["dave-only"]}.get(role, [])


def test_the_applicant_sees_the_history_without_internal_notes(client, cluster):
    client.force_login(cluster.carol)  # alice's colleague sees the organisation's application too
    response = client.get(f"/api/v1/me/applications/{cluster.application.pk}/")
    assert response.status_code == 200
    history = response.json()["history"]
    assert [(e["from_status"], e["to_status"], e["comment"]) for e in history] == [
        ("draft", "submitted", "Просим принять")
    ]
    assert b"SECRET-NOTE" not in response.content
    assert b"SECRET-NOTE" not in client.get("/api/v1/me/applications/").content


@pytest.mark.parametrize("role", ["dave", "bob", "erin", "staff", "admin"])
def test_someone_elses_application_is_not_found(client, cluster, role):
    response = as_role(client, cluster, role).get(f"/api/v1/me/applications/{cluster.application.pk}/")
    assert response.status_code == 404
    assert response.json()["status"] == 404


REVIEW = {
    "visitor": (401, None),
    "alice": (403, None),
    "charlie": (403, None),
    "dave": (403, None),
    "bob": (200, ["application"]),
    "erin": (200, []),
    "staff": (403, None),
    "admin": (200, ["application"]),
}


@pytest.mark.parametrize("role", ROLES)
def test_the_review_queue_lists_what_the_role_may_review(client, cluster, role):
    status, expected = REVIEW[role]
    response = as_role(client, cluster, role).get("/api/v1/review/applications/")
    assert response.status_code == status
    if expected is not None:
        assert [a["id"] for a in response.json()["results"]] == [cluster[name].pk for name in expected]


def test_the_review_queue_keeps_the_queues_filters(client, cluster):
    client.force_login(cluster.admin)
    assert (
        len(client.get("/api/v1/review/applications/?association=" + str(cluster.additive.pk)).json()["results"]) == 1
    )
    assert client.get("/api/v1/review/applications/?status=approved").json()["results"] == []
    assert len(client.get("/api/v1/review/applications/?q=Аддитив").json()["results"]) == 1
    assert client.get("/api/v1/review/applications/?region=01").json()["results"] == []
    # An invalid value is left out, as on the page.
    assert len(client.get("/api/v1/review/applications/?age=nonsense").json()["results"]) == 1


def test_a_coordinator_never_reviews_their_own_organisations_application(client, cluster):
    from .factories import RepresentativeFactory

    RepresentativeFactory(organisation=cluster.applicant_org, user=cluster.bob)
    client.force_login(cluster.bob)
    assert client.get("/api/v1/review/applications/").json()["results"] == []


@pytest.mark.parametrize("role", ROLES)
def test_reference_data_is_public(client, cluster, role):
    client = as_role(client, cluster, role)
    assert len(client.get("/api/v1/regions/").json()["results"]) == 89
    assert client.get("/api/v1/directions/").json()["results"]


def test_projects_keep_the_filters_of_the_project_list(client, cluster):
    cluster.member_org.region_id = cluster.member_org.region_id  # «Гранула» is in Moscow (77)
    client.force_login(cluster.admin)

    def slugs(query):
        return {p["slug"] for p in client.get("/api/v1/projects/?" + query).json()["results"]}

    assert slugs("association=additive") == {"pellet", "members-only", "staff-only"}
    assert slugs("association=photonics") == set()
    assert slugs("stage=idea") == {"pellet", "members-only", "staff-only"}
    assert slugs("stage=completed") == set()
    assert slugs("region=77") == {"pellet", "staff-only"}
    assert slugs("region=01") == set()
    assert slugs("q=Гранульный") == {"pellet"}
    assert slugs("association=no-such") == set()
