"""The review pages: who may see and act, the queue's filters, decisions through the views.

The shared world: bob reviews «3D-печать»'s applications, erin coordinates «Фотоника» (another
association), alice and carol act for the applicant «Аддитив», charlie acts for nobody.
"""

import re
import time
from datetime import timedelta

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation

from applications.models import ApplicationStatus, MembershipApplication
from associations.models import AssociationMembership
from core import fragments, versioned_cache
from notifications.models import Notification
from tests.factories import (
    ApplicationFactory,
    OrganisationFactory,
    RepresentativeFactory,
    UserFactory,
    direction,
    region,
)

pytestmark = pytest.mark.django_db

S = ApplicationStatus


@pytest.fixture(autouse=True, scope="module")
def _flush_broker():
    """Messages enqueued here have no worker: empty this run's Redis database afterwards."""
    yield
    if settings.REDIS_URL:
        import redis

        redis.Redis.from_url(settings.REDIS_URL).flushdb()


@pytest.fixture
def application(world):
    """«Аддитив»'s application, taken into review by bob."""
    world.application.take_into_review(by=world.bob)
    world.application.refresh_from_db()
    return world.application


def became_a_member(world) -> bool:
    return AssociationMembership.objects.filter(organisation=world.applicant_org).exists()


# Who may see and decide: the world's people by name.
DETAIL_STATUS = {"admin": 200, "bob": 200, "erin": 404, "alice": 403, "carol": 403, "charlie": 404}
QUEUE_STATUS = {"admin": 200, "bob": 200, "erin": 200, "alice": 403, "carol": 403, "charlie": 403}


@pytest.mark.parametrize("who", DETAIL_STATUS)
def test_it_shows_the_application_only_to_its_reviewers(client, world, application, who):
    client.force_login(world[who])
    response = client.get(f"/review/applications/{application.pk}/")
    assert response.status_code == DETAIL_STATUS[who]


@pytest.mark.parametrize("who", QUEUE_STATUS)
def test_it_opens_the_queue_to_reviewers_only(client, world, application, who):
    client.force_login(world[who])
    response = client.get("/review/")
    assert response.status_code == QUEUE_STATUS[who]
    if who == "erin":
        assert list(response.context["page"].object_list) == []


@pytest.mark.parametrize("who", DETAIL_STATUS)
def test_it_lets_only_reviewers_decide(client, world, application, who):
    client.force_login(world[who])
    response = client.post(f"/review/applications/{application.pk}/approve/", {"approve-comment": ""})
    application.refresh_from_db()
    if DETAIL_STATUS[who] == 200:
        assert response.status_code == 302
        assert application.status == S.APPROVED
        assert application.decided_by == world[who]
        assert AssociationMembership.objects.filter(application=application).count() == 1
    else:
        assert response.status_code == DETAIL_STATUS[who]
        assert application.status == S.IN_REVIEW
        assert not became_a_member(world)


@pytest.mark.parametrize("who", ["bob", "admin"])
def test_it_lets_nobody_review_their_own_organisations_application(client, world, application, who):
    """A reviewer who also represents the applying organisation may see it in the cabinet, not decide on it."""
    RepresentativeFactory(organisation=application.organisation, user=world[who])
    client.force_login(world[who])
    assert client.get(f"/review/applications/{application.pk}/").status_code == 403
    response = client.post(f"/review/applications/{application.pk}/approve/", {"approve-comment": ""})
    assert response.status_code == 403
    client.post("/review/bulk/", {"applications": [application.pk], "decision": "approve"})
    application.refresh_from_db()
    assert application.status == S.IN_REVIEW
    assert not became_a_member(world)
    assert application not in client.get("/review/?status=all").context["page"].object_list


def test_it_sends_anonymous_visitors_to_sign_in(client, application):
    for path in ("/review/", f"/review/applications/{application.pk}/"):
        response = client.get(path)
        assert response.status_code == 302
        assert "/accounts/login/" in response["Location"]
    response = client.post(f"/review/applications/{application.pk}/approve/")
    assert response.status_code == 302
    application.refresh_from_db()
    assert application.status == S.IN_REVIEW


def test_it_refuses_get_on_actions(client, world, application):
    client.force_login(world.bob)
    response = client.get(f"/review/applications/{application.pk}/approve/")
    assert response.status_code == 405


def test_it_answers_404_for_an_unknown_action(client, world, application):
    client.force_login(world.bob)
    response = client.post(f"/review/applications/{application.pk}/delete/")
    assert response.status_code == 404


def test_it_takes_an_application_into_review(client, world):
    application = world.application  # submitted
    client.force_login(world.bob)
    response = client.post(f"/review/applications/{application.pk}/take/", {"take-internal_note": "моя"})
    assert response.status_code == 302
    application.refresh_from_db()
    assert (application.status, application.assigned_to) == (S.IN_REVIEW, world.bob)
    assert application.events.get().internal_note == "моя"


def test_it_requires_a_question_to_request_information(client, world, application):
    client.force_login(world.bob)
    with translation.override("en"):
        client.cookies["django_language"] = "en"
        response = client.post(
            f"/review/applications/{application.pk}/request-information/",
            {"request-information-comment": "  "},
        )
    assert response.status_code == 400
    assert response.context["actions"]
    form = dict((a.name, f) for a, f in response.context["actions"])["request-information"]
    assert "comment" in form.errors
    assert "Question for the applicant" in form.errors["comment"][0]
    application.refresh_from_db()
    assert application.status == S.IN_REVIEW


def test_it_rejects_with_a_reason_the_applicant_receives(
    client, world, application, django_capture_on_commit_callbacks
):
    client.force_login(world.bob)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"/review/applications/{application.pk}/reject/",
            {"reject-comment": "Не наш профиль", "reject-internal_note": "только для нас"},
        )
    assert response.status_code == 302
    application.refresh_from_db()
    assert application.status == S.REJECTED
    event = application.events.get(to_status=S.REJECTED)
    assert (event.comment, event.internal_note) == ("Не наш профиль", "только для нас")
    notifications = Notification.objects.filter(kind="application_rejected")
    assert {n.recipient for n in notifications} == {world.alice, world.carol}
    assert all("только для нас" not in str(n.params) for n in notifications)


def test_it_reports_a_step_the_status_does_not_allow(client, world, application):
    application.reject(by=world.admin, comment="раньше")
    client.force_login(world.bob)
    response = client.post(f"/review/applications/{application.pk}/approve/", follow=True)
    assert response.status_code == 200
    assert [m.level_tag for m in response.context["messages"]] == ["error"]
    application.refresh_from_db()
    assert application.status == S.REJECTED
    assert not became_a_member(world)


def test_it_hides_internal_notes_from_the_applicant_side(client, world, application):
    application.request_information(by=world.bob, comment="Вопрос", internal_note="секретная заметка")
    client.force_login(world.bob)
    assert "секретная заметка" in client.get(f"/review/applications/{application.pk}/").content.decode()
    assert "секретная заметка" not in str(Notification.objects.values_list("params", flat=True))


def test_it_shows_the_organisation_history_and_other_applications(client, world, application):
    other = ApplicationFactory(
        organisation=world.applicant_org, association=world.photonics, applicant=world.alice, status=S.REJECTED
    )
    AssociationMembership.objects.create(organisation=world.applicant_org, association=world.photonics)
    client.force_login(world.bob)
    response = client.get(f"/review/applications/{application.pk}/")
    ctx = response.context
    assert list(ctx["other_applications"]) == [other]
    assert [m.association for m in ctx["memberships"]] == [world.photonics]
    assert world.applicant_org.inn in response.content.decode()
    assert [a.name for a, _f in ctx["actions"]] == ["request-information", "approve", "reject"]


# The queue


def _queue(client, user, **params):
    client.force_login(user)
    response = client.get("/review/", params)
    assert response.status_code == 200
    return [a.pk for a in response.context["page"].object_list]


def test_it_lists_waiting_applications_oldest_first(client, world, application):
    now = timezone.now()
    additive = world.additive
    newer = ApplicationFactory(association=additive, status=S.SUBMITTED)
    older = ApplicationFactory(association=additive, status=S.SUBMITTED)
    MembershipApplication.objects.filter(pk=newer.pk).update(status_changed_at=now - timedelta(days=1))
    MembershipApplication.objects.filter(pk=older.pk).update(status_changed_at=now - timedelta(days=5))
    MembershipApplication.objects.filter(pk=application.pk).update(status_changed_at=now)
    ApplicationFactory(association=additive, status=S.APPROVED)
    ApplicationFactory(association=additive, status=S.DRAFT)
    assert _queue(client, world.bob) == [older.pk, newer.pk, application.pk]
    assert _queue(client, world.bob, age="3") == [older.pk]


def test_it_scopes_the_queue_to_the_coordinators_associations(client, world, application):
    foreign = ApplicationFactory(organisation=world.member_org, association=world.photonics, status=S.SUBMITTED)
    assert foreign.pk not in _queue(client, world.bob)
    assert _queue(client, world.erin) == [foreign.pk]
    assert foreign.pk in _queue(client, world.admin)


def test_it_filters_the_queue(client, world, application):
    additive = world.additive
    spb = OrganisationFactory(region=region("78"), short_name="Фотоника Север")
    spb.directions.add(direction("photonics"))
    in_spb = ApplicationFactory(association=additive, organisation=spb, status=S.SUBMITTED)
    approved = ApplicationFactory(association=additive, status=S.APPROVED)
    bob = world.bob
    assert _queue(client, bob, region="78") == [in_spb.pk]
    assert _queue(client, bob, direction="photonics") == [in_spb.pk]
    assert _queue(client, bob, q="Север") == [in_spb.pk]
    assert _queue(client, bob, q=spb.inn[:6]) == [in_spb.pk]
    assert _queue(client, bob, status="approved") == [approved.pk]
    assert set(_queue(client, bob, status="all")) == {in_spb.pk, approved.pk, application.pk}
    assert _queue(client, bob, association=additive.pk, status="in_review") == [application.pk]


def test_it_ignores_invalid_filters_and_names_them(client, world, application):
    client.force_login(world.bob)
    approved = ApplicationFactory(association=world.additive, status=S.APPROVED)
    response = client.get("/review/", {"age": "forever", "region": "xx", "status": "approved"})
    assert response.status_code == 200
    assert set(response.context["form"].errors) == {"age", "region"}
    assert [a.pk for a in response.context["page"].object_list] == [approved.pk]


def test_it_lists_the_queue_in_a_fixed_number_of_queries(client, django_assert_num_queries, world, application):
    for _ in range(15):
        other = ApplicationFactory(association=world.additive, status=S.SUBMITTED)
        RepresentativeFactory(organisation=other.organisation, user=other.applicant)
    client.force_login(world.bob)
    client.get("/review/")  # the options, the count, the rows and the unread count are then cached
    versioned_cache.bump("applications")  # the page and its count drawn anew, the rows kept
    # session, user, is-reviewer check (asked once a request: the page and the nav), count, page rows
    with django_assert_num_queries(5):
        response = client.get("/review/")
    assert len(response.context["page"].object_list) == 16
    assert response.context["page"].paginator.count == 16
    with django_assert_num_queries(3):  # the page kept: session, user, is-reviewer check
        html = client.get("/review/").content.decode()
    assert html.count('name="applications" value=') == 16
    # The waiting time filtered: counted every time (it changes as time passes).
    client.get("/review/", {"age": "1"})
    with CaptureQueriesContext(connection) as captured:
        client.get("/review/", {"age": "1"})
    assert any("COUNT(" in query["sql"] for query in captured)


def test_it_decides_in_bulk_from_the_queue(client, world, application, django_capture_on_commit_callbacks):
    additive = world.additive
    first = ApplicationFactory(association=additive, status=S.SUBMITTED)
    decided_meanwhile = ApplicationFactory(association=additive, status=S.WITHDRAWN)
    client.force_login(world.bob)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/review/bulk/",
            {
                "applications": [first.pk, application.pk, decided_meanwhile.pk],
                "decision": "approve",
                "query": "status=all",
            },
            follow=True,
        )
    assert response.redirect_chain[-1][0] == "/review/?status=all"
    levels = [m.level_tag for m in response.context["messages"]]
    assert levels == ["success", "warning"]
    members = set(AssociationMembership.objects.filter(association=additive).values_list("organisation", flat=True))
    assert members == {world.member_org.pk, world.applicant_org.pk, first.organisation_id}
    decided_meanwhile.refresh_from_db()
    assert decided_meanwhile.status == S.WITHDRAWN


def test_it_refuses_a_bulk_rejection_without_a_reason(client, world, application):
    client.force_login(world.bob)
    response = client.post("/review/bulk/", {"applications": [application.pk], "decision": "reject"}, follow=True)
    assert [m.level_tag for m in response.context["messages"]] == ["error"]
    application.refresh_from_db()
    assert application.status == S.IN_REVIEW


def test_it_refuses_bulk_decisions_to_non_reviewers(client, world, application):
    client.force_login(world.charlie)
    response = client.post("/review/bulk/", {"applications": [application.pk], "decision": "approve"})
    assert response.status_code == 403
    application.refresh_from_db()
    assert application.status == S.IN_REVIEW


def test_it_links_the_queue_from_the_navigation_for_reviewers_only(client, world):
    client.force_login(world.bob)
    assert 'href="/review/"' in client.get("/").content.decode()
    client.force_login(world.charlie)
    assert 'href="/review/"' not in client.get("/").content.decode()


def test_an_administrator_appoints_a_coordinator_in_the_admin(client, world, application):
    additive = world.additive
    newcomer = UserFactory()
    client.force_login(world.admin)
    url = f"/admin/associations/association/{additive.pk}/change/"
    form = client.get(url).context["adminform"].form
    assert "coordinators" in form.fields
    data = {
        name: value
        for name, value in {
            **{f: form.initial.get(f, "") for f in form.fields},
            "directions": [direction("photonics").pk],
            "coordinators": [world.bob.pk, newcomer.pk],
            "founded_on": "",
        }.items()
        if value is not None
    }
    data["is_featured"] = "on" if additive.is_featured else ""
    for prefix in ("memberships",):
        data.update({f"{prefix}-TOTAL_FORMS": 0, f"{prefix}-INITIAL_FORMS": 0, f"{prefix}-MAX_NUM_FORMS": 1000})
    response = client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    assert set(additive.coordinators.all()) == {world.bob, newcomer}
    assert _queue(client, newcomer) == [application.pk]


def test_it_lets_reviewers_download_the_documents(client, world, application):
    from django.core.files.base import ContentFile

    from applications.models import ApplicationDocument

    document = ApplicationDocument(
        application=application, original_name="устав.pdf", content_type="application/pdf", size=9
    )
    document.file.save("charter.pdf", ContentFile(b"%PDF-1.4\n"), save=False)
    document.save()
    client.force_login(world.bob)
    page = client.get(f"/review/applications/{application.pk}/").content.decode()
    assert f'href="/cabinet/documents/{document.pk}/"' in page
    response = client.get(f"/cabinet/documents/{document.pk}/")
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == b"%PDF-1.4\n"
    client.force_login(world.erin)
    assert client.get(f"/cabinet/documents/{document.pk}/").status_code == 404


def test_the_queue_s_count_is_kept_per_query_and_follows_every_change_at_once(client, world, application):
    from applications.services import application_approve

    def count(**params) -> int:
        response = client.get("/review/", params)
        assert response.status_code == 200
        shown = response.context["page"].paginator.count
        assert len(response.context["page"].object_list) == shown  # one page: the rows agree
        return shown

    client.force_login(world.bob)
    assert count() == 1 and count(q="Аддитив") == 1
    ApplicationFactory(association=world.additive, status=S.SUBMITTED)
    assert count() == 2
    application_approve(application=application, reviewer=world.bob)  # an UPDATE: no signal
    assert count() == 1 and count(q="Аддитив") == 0
    other = MembershipApplication.objects.get(status=S.SUBMITTED)
    other.organisation.short_name = other.organisation.full_name = "ООО «Переименованное»"
    other.organisation.save()
    assert count(q="Переименованное") == 1
    # Another reader's count is their own: erin oversees photonics, with nothing waiting.
    client.force_login(world.erin)
    assert count() == 0


def test_waiting_step_until_is_the_first_moment_the_step_may_change():
    import random
    from datetime import UTC, datetime

    from applications.views.review import waiting_step, waiting_step_until

    rng = random.Random(3)
    since = datetime(2026, 2, 27, 22, 41, 7, 250000, tzinfo=UTC)
    for _ in range(3000):
        now = since + timedelta(seconds=rng.uniform(0, 60 * 86400))
        until = waiting_step_until(since, now)
        assert until > now
        assert until - now <= timedelta(days=1)
        assert waiting_step(since, until - timedelta(microseconds=1)) == waiting_step(since, now), (now, until)


def without_tokens(html: str) -> str:
    return re.sub(r'csrfmiddlewaretoken" value="[^"]+"', "", html)


def test_the_queue_page_is_kept_until_something_in_it_changes(client, world, application):
    from unittest import mock

    from applications.views import review

    def page(user=world.bob):
        client.force_login(user)
        with CaptureQueriesContext(connection) as captured:
            response = client.get("/review/")
        assert response.status_code == 200
        return response.content.decode(), len(captured)

    first, _ = page()
    again, queries = page()
    assert queries <= 3 and "ООО «Аддитив»" in again and without_tokens(again) == without_tokens(first)
    # Each reader's form token, never the placeholder; the kept page still takes a bulk decision.
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', again).group(1)
    assert "placeholder" not in token and token != re.search(r'csrfmiddlewaretoken" value="([^"]+)"', first).group(1)
    # A new application shows at once; the page is kept per reader.
    ApplicationFactory(association=world.additive, status=S.SUBMITTED, organisation__short_name="ООО «Новая»")
    assert "ООО «Новая»" in page()[0]
    assert "ООО «Новая»" not in page(world.erin)[0]  # photonics' coordinator
    # The new application waits less than a minute: a minute later its words change, so the page is drawn again.
    html, queries = page()
    assert queries <= 3
    later = time.time() + 61
    with mock.patch.object(review.time, "time", return_value=later):
        html, queries = page()
    assert queries > 3


def test_the_queue_page_is_drawn_directly_when_the_cache_is_down(client, world, application):
    from unittest import mock

    from django.core.cache import cache

    client.force_login(world.bob)
    with mock.patch.object(cache, "get_many", side_effect=ConnectionError("down")):
        response = client.get("/review/")
    html = response.content.decode()
    assert response.status_code == 200 and "ООО «Аддитив»" in html and fragments.CSRF_PLACEHOLDER not in html
