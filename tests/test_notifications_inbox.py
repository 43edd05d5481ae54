"""The in-portal inbox and the daily reminder digest for reviewers."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from applications.models import ApplicationStatus, MembershipApplication
from applications.services import review_reminders_send
from notifications.models import Notification
from tests.factories import ApplicationFactory, AssociationFactory, RepresentativeFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def reader():
    return UserFactory(language="en")


def _notification(user, **kw):
    defaults = {
        "kind": "application_approved",
        "params": {"organisation": "Фотон", "association": "Фотоника", "association_en": "Photonics"},
        "url": "/cabinet/",
    }
    return Notification.objects.create(recipient=user, **{**defaults, **kw})


def test_it_lists_only_my_notifications_newest_first(client, reader):
    older = _notification(reader)
    newer = _notification(reader, kind="application_rejected", params={"association": "Фотоника", "comment": "нет"})
    _notification(UserFactory())
    client.force_login(reader)
    client.cookies["django_language"] = "en"
    response = client.get("/cabinet/notifications/")
    assert response.status_code == 200
    assert [n.pk for n, _title in response.context["items"]] == [newer.pk, older.pk]
    assert 'id="unread-count">2' in response.content.decode()


def test_it_lists_the_inbox_in_a_fixed_number_of_queries(client, reader, django_assert_num_queries):
    for _ in range(20):
        _notification(reader)
    client.force_login(reader)
    client.get("/cabinet/notifications/")  # the layout's unread count is then cached
    # session, user, count for the pager, the page, nav: can-review
    with django_assert_num_queries(5):
        response = client.get("/cabinet/notifications/")
    assert len(response.context["items"]) == 20


def test_the_unread_count_is_kept_and_follows_every_change_at_once(client, reader):
    """The layout's count is read from the cache (notifications/unread.py): a new notification, one
    marked read and all marked read show on the next page."""

    def shown() -> str:
        page = client.get("/cabinet/").content.decode()
        return page.split('id="unread-count">')[1].split("<")[0] if 'id="unread-count">' in page else "0"

    first = _notification(reader)
    client.force_login(reader)
    assert shown() == "1"
    with CaptureQueriesContext(connection) as captured:
        client.get("/cabinet/")
    # Neither the count nor the cabinet's latest notifications are read from the table again.
    assert not any("notifications_notification" in q["sql"] for q in captured.captured_queries)
    _notification(reader)
    assert shown() == "2"
    client.post(f"/cabinet/notifications/{first.pk}/read/")
    assert shown() == "1"
    assert cabinet_new_badges(client) == 1  # the cabinet's list follows too
    client.post("/cabinet/notifications/read-all/")
    assert shown() == "0"
    assert cabinet_new_badges(client) == 0
    _notification(reader, kind="application_rejected", params={"association": "Фотоника", "comment": "Нет ИНН"})
    assert "Нет ИНН" in client.get("/cabinet/").content.decode()
    Notification.objects.filter(recipient=reader, kind="application_rejected").get().delete()
    assert shown() == "0"
    assert "Нет ИНН" not in client.get("/cabinet/").content.decode()


def test_the_cabinet_s_cached_notifications_hold_no_user_row(client, reader):
    """The latest notifications are kept with their titles; the recipient's row (its password hash)
    is not kept with them."""
    from notifications.services import recent_notifications

    _notification(reader)
    [(notification, title)] = recent_notifications(reader)
    assert title and "recipient" not in notification._state.fields_cache
    [(again, _title)] = recent_notifications(reader)  # from the cache
    assert again.pk == notification.pk and "recipient" not in again._state.fields_cache


def cabinet_new_badges(client) -> int:
    return client.get("/cabinet/").content.decode().count("notification-unread")


def test_it_opens_a_notification_and_marks_it_read(client, reader):
    notification = _notification(reader, url="/review/applications/5/")
    client.force_login(reader)
    response = client.post(f"/cabinet/notifications/{notification.pk}/open/")
    assert response.status_code == 302
    assert response["Location"] == "/review/applications/5/"
    notification.refresh_from_db()
    assert notification.read_at is not None


def test_it_marks_one_or_all_as_read(client, reader):
    first, second = _notification(reader), _notification(reader)
    client.force_login(reader)
    assert client.post(f"/cabinet/notifications/{first.pk}/read/").status_code == 302
    assert Notification.objects.for_user(reader).unread().get() == second
    assert client.post("/cabinet/notifications/read-all/").status_code == 302
    assert not Notification.objects.for_user(reader).unread().exists()


def test_it_answers_404_for_someone_elses_notification(client, reader):
    foreign = _notification(UserFactory())
    client.force_login(reader)
    assert client.post(f"/cabinet/notifications/{foreign.pk}/open/").status_code == 404
    assert client.post(f"/cabinet/notifications/{foreign.pk}/read/").status_code == 404
    foreign.refresh_from_db()
    assert foreign.read_at is None


def test_it_refuses_get_on_actions_and_anonymous_visitors(client, reader):
    notification = _notification(reader)
    assert client.get("/cabinet/notifications/").status_code == 302
    client.force_login(reader)
    assert client.get(f"/cabinet/notifications/{notification.pk}/read/").status_code == 405


# Reminder digest


@pytest.fixture
def overdue_world(settings):
    settings.APPLICATION_REMINDER_AFTER = timedelta(hours=72)
    association = AssociationFactory()
    coordinators = [UserFactory(), UserFactory()]
    association.coordinators.add(*coordinators)
    now = timezone.now()
    old = now - timedelta(days=4)

    def app(status, changed, **kw):
        application = ApplicationFactory(association=association, status=status, **kw)
        MembershipApplication.objects.filter(pk=application.pk).update(status_changed_at=changed)
        return application

    return {
        "coordinators": coordinators,
        "old_submitted": app(ApplicationStatus.SUBMITTED, old),
        "old_assigned": app(ApplicationStatus.IN_REVIEW, old, assigned_to=coordinators[1]),
        "recent": app(ApplicationStatus.SUBMITTED, now - timedelta(hours=1)),
        "old_info_requested": app(ApplicationStatus.INFO_REQUESTED, old),
        "old_decided": app(ApplicationStatus.APPROVED, old),
        "now": now,
    }


def test_it_sends_one_digest_per_reviewer_of_overdue_applications(overdue_world):
    first, second = overdue_world["coordinators"]
    assert review_reminders_send(now=overdue_world["now"]) == 2
    digests = {n.recipient_id: n for n in Notification.objects.filter(kind="application_reminder_digest")}
    assert set(digests) == {first.pk, second.pk}
    assert [item["id"] for item in digests[first.pk].params["applications"]] == [overdue_world["old_submitted"].pk]
    assert sorted(item["id"] for item in digests[second.pk].params["applications"]) == sorted(
        [overdue_world["old_submitted"].pk, overdue_world["old_assigned"].pk]
    )
    assert digests[first.pk].url == "/review/"


def test_it_reminds_once_a_day(overdue_world):
    now = overdue_world["now"]
    assert review_reminders_send(now=now) == 2
    assert review_reminders_send(now=now + timedelta(minutes=5)) == 0
    assert review_reminders_send(now=now + timedelta(days=1)) == 2
    assert Notification.objects.filter(kind="application_reminder_digest").count() == 4


def test_it_reminds_the_current_reviewers_when_the_assigned_one_stepped_down(overdue_world):
    first, second = overdue_world["coordinators"]
    overdue_world["old_assigned"].association.coordinators.remove(second)
    review_reminders_send(now=overdue_world["now"])
    digests = {n.recipient_id: n for n in Notification.objects.filter(kind="application_reminder_digest")}
    assert set(digests) == {first.pk}
    assert sorted(item["id"] for item in digests[first.pk].params["applications"]) == sorted(
        [overdue_world["old_submitted"].pk, overdue_world["old_assigned"].pk]
    )


def test_it_leaves_out_only_the_applications_of_a_reviewers_own_organisation(overdue_world):
    first, second = overdue_world["coordinators"]
    RepresentativeFactory(organisation=overdue_world["old_submitted"].organisation, user=first)
    other = ApplicationFactory(association=overdue_world["old_submitted"].association, status="submitted")
    MembershipApplication.objects.filter(pk=other.pk).update(status_changed_at=overdue_world["now"] - timedelta(days=4))
    review_reminders_send(now=overdue_world["now"])
    digests = {n.recipient_id: n for n in Notification.objects.filter(kind="application_reminder_digest")}
    assert [item["id"] for item in digests[first.pk].params["applications"]] == [other.pk]
    assert overdue_world["old_submitted"].pk in [item["id"] for item in digests[second.pk].params["applications"]]


def test_it_sends_no_digest_when_nothing_is_overdue(settings):
    settings.APPLICATION_REMINDER_AFTER = timedelta(hours=72)
    association = AssociationFactory()
    association.coordinators.add(UserFactory())
    ApplicationFactory(association=association, status=ApplicationStatus.SUBMITTED)
    assert review_reminders_send() == 0
    assert not Notification.objects.exists()


def test_the_reminder_task_is_scheduled_daily(settings):
    schedule = settings.CELERY_BEAT_SCHEDULE
    assert schedule["review-reminders"]["task"] == "applications.tasks.send_review_reminders"
    assert schedule["notifications-sweep"]["task"] == "notifications.tasks.sweep_notifications"
