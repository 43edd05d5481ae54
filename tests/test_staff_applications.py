"""Cluster staff read every association's applications under /review/ and export them, and decide none.

The shared world (tests/conftest.py): bob coordinates «3D-печать», erin «Фотоника»; alice applied for
«Аддитив» to «3D-печать»; staff is cluster staff (read-only), admin a cluster administrator.
`core.permissions.may_view_applications` opens the pages, `MembershipApplication.objects.viewable_by`
scopes them, `may_review` / `may_review_application` still decide who decides.
"""

import csv
import io
import re

import pytest
from django.core.files.base import ContentFile
from openpyxl import load_workbook

from applications.models import ApplicationDocument, ApplicationEvent, ApplicationStatus, MembershipApplication
from applications.selectors import APPLICATION_GROUP
from associations.models import Association, AssociationMembership
from core import permissions, versioned_cache
from core.context_processors import permissions_context
from notifications.models import Notification

from .factories import ApplicationFactory, AssociationFactory, OrganisationFactory, RepresentativeFactory, region

pytestmark = pytest.mark.django_db

S = ApplicationStatus
ROLES = ["alice", "carol", "bob", "erin", "dave", "charlie", "staff", "admin"]


@pytest.fixture
def cluster(world):
    """The world's application (in review by bob), one of «Фотоника» waiting, one approved of a third
    association, and a draft nobody reviews yet."""
    world.application.take_into_review(by=world.bob)
    world.application.refresh_from_db()
    third = AssociationFactory(name="Робототехника", name_en="Robotics", slug="robotics")
    return {
        "mine": world.application,
        "photonics": ApplicationFactory(
            association=world.photonics,
            organisation=OrganisationFactory(short_name="ООО «Линза»", region=region("78")),
            status=S.SUBMITTED,
        ),
        "approved": ApplicationFactory(
            association=third,
            organisation=OrganisationFactory(short_name="ООО «Манипулятор»", region=region("50")),
            status=S.APPROVED,
        ),
        "draft": ApplicationFactory(association=world.photonics, status=S.DRAFT),
    }


def _listed(client, **params) -> list[int]:
    """The applications the queue's table lists, read from the page (it may come from the cache)."""
    response = client.get("/review/", params)
    assert response.status_code == 200
    body = (
        response.content.decode().split("<tbody>")[1].split("</tbody>")[0]
        if "<tbody>" in response.content.decode()
        else ""
    )
    return [int(pk) for pk in re.findall(r'href="/review/applications/(\d+)/"', body)]


def _csv(response) -> list[list[str]]:
    data = b"".join(response.streaming_content)
    assert data.startswith(b"\xef\xbb\xbf")
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig")), delimiter=";"))


# Who may read, who may decide


@pytest.mark.parametrize("name", ROLES)
def test_it_asks_one_question_to_read_and_another_to_decide(world, name):
    user = world[name]
    views, decides = name in ("bob", "erin", "staff", "admin"), name in ("bob", "erin", "admin")
    assert permissions.may_view_applications(user) is views
    assert permissions.may_review(user) is decides
    # The layout's cached answer is the predicate's.
    flags = permissions_context(type("Request", (), {"user": user})())
    assert flags["user_can_view_applications"]() is views
    assert flags["user_can_review"]() is decides


def test_staff_see_all_associations_applications_and_review_none(world, cluster):
    staff = world.staff
    submitted = {a.pk for name, a in cluster.items() if name != "draft"}
    assert set(MembershipApplication.objects.viewable_by(staff).values_list("pk", flat=True)) == submitted
    assert not MembershipApplication.objects.reviewable_by(staff).exists()
    # For those who review, what they see is what they review.
    for name in ("bob", "erin", "admin", "charlie"):
        user = world[name]
        viewable = MembershipApplication.objects.viewable_by(user)
        assert set(viewable) == set(MembershipApplication.objects.reviewable_by(user))


# The list and its export


def test_it_lists_every_associations_applications_to_staff(client, world, cluster):
    client.force_login(world.staff)
    waiting = _listed(client)
    assert set(waiting) == {cluster["mine"].pk, cluster["photonics"].pk}
    every = _listed(client, status="all")
    assert set(every) == {cluster["mine"].pk, cluster["photonics"].pk, cluster["approved"].pk}
    assert cluster["draft"].pk not in every
    # The association filter offers every open association, not only coordinated ones.
    html = client.get("/review/").content.decode()
    options = html.split('name="association"')[1].split("</select>")[0]
    offered = {int(pk) for pk in re.findall(r'<option value="(\d+)"', options)}
    assert offered == set(
        Association.objects.filter(slug__in=["additive", "photonics", "robotics"]).values_list("pk", flat=True)
    )
    assert _listed(client, status="all", association=world.photonics.pk) == [cluster["photonics"].pk]
    assert _listed(client, status="approved") == [cluster["approved"].pk]
    assert _listed(client, status="all", region="78") == [cluster["photonics"].pk]
    assert _listed(client, status="all", q="Линза") == [cluster["photonics"].pk]


def test_it_exports_to_staff_exactly_the_filtered_list(client, world, cluster):
    client.force_login(world.staff)
    for params in ({"status": "all"}, {"status": "all", "region": "50"}, {}):
        listed = client.get("/review/", params).context["page"].object_list
        rows = _csv(client.get("/review/export.csv", params))
        assert rows[0] == ["Организация", "ИНН", "Объединение", "Регион", "Статус", "Ожидает с", "Проверяющий"]
        assert [(r[0], r[1], r[2]) for r in rows[1:]] == [
            (a.organisation.short_name, a.organisation.inn, a.association.name) for a in listed
        ]
        sheet = load_workbook(io.BytesIO(b"".join(client.get("/review/export.xlsx", params).streaming_content)))
        assert [[c or "" for c in row][:2] for row in sheet.active.iter_rows(values_only=True)] == [r[:2] for r in rows]
    assert len(rows) == 1 + 2  # the default list: the two applications waiting for a decision


# Nothing to decide with


def test_it_shows_staff_the_list_without_decisions(client, world, cluster):
    client.force_login(world.staff)
    response = client.get("/review/", {"status": "all"})
    page = response.content.decode()
    assert response.context["can_decide"] is False
    assert response.context["bulk_form"] is None
    assert 'id="bulk-form"' not in page and "/review/bulk/" not in page
    assert 'name="applications"' not in page and 'id="select-all"' not in page
    assert "review_queue.js" not in page
    assert 'id="read-only-note"' in page
    assert 'id="export-csv"' in page and 'id="export-xlsx"' in page
    assert f'href="/review/applications/{cluster["photonics"].pk}/"' in page
    assert '<h1 class="mb-2">Заявки</h1>' in page


def test_it_shows_staff_an_application_with_its_notes_and_no_decision(client, world, cluster):
    application = cluster["mine"]
    application.request_information(by=world.bob, comment="Уточните ОКВЭД", internal_note="проверить устав")
    MembershipApplication.objects.filter(pk=application.pk).update(status=S.IN_REVIEW)
    client.force_login(world.staff)
    response = client.get(f"/review/applications/{application.pk}/")
    assert response.status_code == 200
    page = response.content.decode()
    assert response.context["can_decide"] is False and response.context["actions"] == []
    assert "/approve/" not in page and "/reject/" not in page and "/request-information/" not in page
    assert 'id="read-only-note"' in page
    # Cluster staff are the cluster's own people: the reviewers' internal notes are theirs to read.
    assert "проверить устав" in page
    assert "Уточните ОКВЭД" in page


ACTIONS = {
    "take": {},
    "approve": {"approve-comment": ""},
    "reject": {"reject-comment": "Нет оснований"},
    "request-information": {"request-information-comment": "Вопрос"},
}


@pytest.mark.parametrize("action", ACTIONS)
def test_it_refuses_staff_every_decision(client, world, cluster, action):
    waiting = cluster["photonics"] if action == "take" else cluster["mine"]
    before = (waiting.status, ApplicationEvent.objects.count(), Notification.objects.count())
    client.force_login(world.staff)
    response = client.post(f"/review/applications/{waiting.pk}/{action}/", ACTIONS[action])
    assert response.status_code == 403
    waiting.refresh_from_db()
    assert (waiting.status, ApplicationEvent.objects.count(), Notification.objects.count()) == before
    assert waiting.assigned_to_id in (None, world.bob.pk)


def test_it_refuses_staff_the_bulk_decision(client, world, cluster):
    ids = [cluster["mine"].pk, cluster["photonics"].pk]
    client.force_login(world.staff)
    response = client.post("/review/bulk/", {"applications": ids, "decision": "approve", "comment": ""})
    assert response.status_code == 403
    statuses = dict(MembershipApplication.objects.filter(pk__in=ids).values_list("pk", "status"))
    assert statuses == {cluster["mine"].pk: S.IN_REVIEW, cluster["photonics"].pk: S.SUBMITTED}
    assert not AssociationMembership.objects.filter(application__in=ids).exists()


def test_staff_who_coordinate_decide_only_on_their_associations(client, world, cluster):
    """Cluster staff who also coordinate «Фотоника» read everything and decide on «Фотоника»'s alone."""
    world.photonics.coordinators.add(world.staff)
    client.force_login(world.staff)
    assert set(_listed(client, status="all")) == {a.pk for n, a in cluster.items() if n != "draft"}
    mine = client.get(f"/review/applications/{cluster['photonics'].pk}/")
    assert mine.context["can_decide"] is True and [a.name for a, _f in mine.context["actions"]] == ["take"]
    other = client.get(f"/review/applications/{cluster['mine'].pk}/")
    assert other.context["can_decide"] is False and other.context["actions"] == []
    refused = client.post(f"/review/applications/{cluster['mine'].pk}/approve/", {"approve-comment": ""})
    assert refused.status_code == 403
    cluster["mine"].refresh_from_db()
    assert cluster["mine"].status == S.IN_REVIEW


def test_staff_do_not_see_their_own_organisations_application_here(client, world, cluster):
    RepresentativeFactory(organisation=cluster["photonics"].organisation, user=world.staff)
    client.force_login(world.staff)
    assert cluster["photonics"].pk not in _listed(client, status="all")
    assert client.get(f"/review/applications/{cluster['photonics'].pk}/").status_code == 403


def test_it_lets_staff_download_an_applications_documents(client, world, cluster):
    document = ApplicationDocument(
        application=cluster["photonics"], original_name="устав.pdf", content_type="application/pdf", size=9
    )
    document.file.save("charter.pdf", ContentFile(b"%PDF-1.4\n"), save=False)
    document.save()
    client.force_login(world.staff)
    page = client.get(f"/review/applications/{cluster['photonics'].pk}/").content.decode()
    assert f'href="/cabinet/documents/{document.pk}/"' in page
    response = client.get(f"/cabinet/documents/{document.pk}/")
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == b"%PDF-1.4\n"


# The navigation


def test_it_links_the_applications_from_the_navigation(client, world):
    for name, label in [("staff", "Заявки"), ("bob", "Рассмотрение заявок"), ("admin", "Рассмотрение заявок")]:
        client.force_login(world[name])
        page = client.get("/").content.decode()
        assert f'href="/review/" id="nav-applications">{label}</a>' in page, name
    client.force_login(world.dave)
    assert 'id="nav-applications"' not in client.get("/").content.decode()


# A fixed number of queries


@pytest.mark.parametrize("n", [5, 20])
def test_it_lists_all_applications_to_staff_in_a_fixed_number_of_queries(client, django_assert_num_queries, world, n):
    associations = [world.additive, world.photonics, AssociationFactory()]
    for i in range(n - 1):
        ApplicationFactory(
            association=associations[i % 3],
            organisation=OrganisationFactory(region=region("50" if i % 2 else "78")),
            status=[S.SUBMITTED, S.IN_REVIEW, S.APPROVED, S.REJECTED][i % 4],
            assigned_to=world.bob if i % 2 else None,
        )
    client.force_login(world.staff)
    client.get("/review/", {"status": "all"})  # the options, the rows and the unread count are then cached
    versioned_cache.bump(APPLICATION_GROUP)  # the page and its count drawn anew, the rows kept
    # session, user, may-review check (staff: no; asked once a request, the nav's label too), count,
    # page rows (with organisation, region, association, reviewer)
    with django_assert_num_queries(5):
        response = client.get("/review/", {"status": "all"})
    assert len(response.context["page"].object_list) == n
    with django_assert_num_queries(3):  # the page kept: session, user, may-review check
        assert len(_listed(client, status="all")) == n
