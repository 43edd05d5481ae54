"""The outbox without a worker: writing, rendering, claiming, retrying, failing, sweeping."""

import smtplib
from datetime import timedelta

import pytest
from django.core import mail
from django.db import IntegrityError, transaction
from django.utils import timezone

from applications import services as application_services
from applications.models import ApplicationStatus
from notifications import delivery
from notifications.models import EmailStatus, Notification
from notifications.services import notify, notify_address, render_notification
from tests.factories import ApplicationFactory, AssociationFactory, RepresentativeFactory, UserFactory

pytestmark = pytest.mark.django_db

KINDS = [
    "application_received",
    "application_answer_received",
    "application_submitted",
    "application_info_requested",
    "application_approved",
    "application_rejected",
    "application_withdrawn",
    "application_reminder_digest",
]
PARAMS = {
    "application_id": 7,
    "organisation": 'ООО "Фотон"',
    "inn": "7701234567",
    "association": "Фотоника",
    "association_en": "Photonics",
    "comment": "Пришлите устав <b>",
    "from_status": "in_review",
    "to_status": "rejected",
    "count": 1,
    "after_hours": 72,
    "applications": [
        {
            "id": 7,
            "organisation": 'ООО "Фотон"',
            "association": "Фотоника",
            "association_en": "Photonics",
            "waiting_days": 4,
            "url": "/review/applications/7/",
        }
    ],
}


@pytest.fixture(autouse=True)
def _eager_celery():
    """These tests run the tasks in-process, even when REDIS_URL points at a broker."""
    from cluster_portal.celery import app

    before = app.conf.task_always_eager
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = before


@pytest.fixture
def recipient():
    return UserFactory(email="reader@example.com", last_name="Петрова", first_name="Анна", patronymic="", language="ru")


def _row(recipient, **fields):
    notification = Notification.objects.create(
        recipient=recipient, kind="application_approved", params=PARAMS, url="/cabinet/applications/7/"
    )
    if fields:
        Notification.objects.filter(pk=notification.pk).update(**fields)
        notification.refresh_from_db()
    return notification


class FailingConnection:
    def __init__(self, exc):
        self.exc = exc

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False

    def send_messages(self, messages):
        raise self.exc


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("language", ["ru", "en"])
def test_it_renders_every_kind_in_the_recipients_language(recipient, kind, language):
    recipient.language = language
    recipient.save(update_fields=["language"])
    notification = Notification.objects.create(recipient=recipient, kind=kind, params=PARAMS, url="/review/")
    rendered = render_notification(notification)
    assert rendered.subject and "\n" not in rendered.subject
    assert "http://" in rendered.text and "/review/" in rendered.text
    assert 'href="http' in rendered.html
    assert "<b>" not in rendered.html  # the comment is escaped in HTML
    name = "Photonics" if language == "en" else "Фотоника"
    if kind != "application_reminder_digest":
        assert name in rendered.subject or name in rendered.text


def test_it_writes_the_row_with_the_event_and_enqueues_after_commit(recipient, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        notification = notify(recipient=recipient, kind="application_approved", params=PARAMS, url="/x/")
    # the e-mail's hand-off to the worker, and the recipient's unread count renewed (notifications/unread.py)
    assert len(callbacks) == 2
    notification.refresh_from_db()
    assert notification.email_status == EmailStatus.SENT
    assert len(mail.outbox) == 1


def test_it_writes_nothing_when_the_event_rolls_back(recipient, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        with pytest.raises(RuntimeError), transaction.atomic():
            notify(recipient=recipient, kind="application_approved", params=PARAMS)
            raise RuntimeError("the event failed")
    assert callbacks == []
    assert not Notification.objects.exists()


def test_it_keeps_one_notification_per_dedupe_key(recipient):
    first = notify(recipient=recipient, kind="application_reminder_digest", params=PARAMS, dedupe_key="day-1")
    again = notify(recipient=recipient, kind="application_reminder_digest", params=PARAMS, dedupe_key="day-1")
    assert first.pk == again.pk
    assert Notification.objects.count() == 1


def test_it_sends_a_complete_e_mail_once(recipient):
    notification = _row(recipient)
    assert delivery.deliver(notification.pk) is True
    assert delivery.deliver(notification.pk) is False
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["reader@example.com"]
    assert "Фотоника" in message.subject
    assert "http://127.0.0.1:8000/cabinet/applications/7/" in message.body
    assert message.alternatives[0].mimetype == "text/html"
    assert message.extra_headers["Message-ID"] == f"<notification-{notification.pk}@127.0.0.1>"  # SITE_URL's host
    notification.refresh_from_db()
    assert (notification.email_status, notification.email_attempts, notification.email_claim_token) == (
        EmailStatus.SENT,
        1,
        "",
    )
    assert notification.email_sent_at is not None


def test_it_lets_only_one_worker_claim_a_row(recipient):
    notification = _row(recipient)
    assert delivery.claim(notification.pk) is not None
    assert delivery.claim(notification.pk) is None


def test_it_takes_back_a_claim_only_after_the_timeout(recipient, settings):
    notification = _row(recipient)
    first = delivery.claim(notification.pk)
    assert delivery.claim(notification.pk) is None
    Notification.objects.filter(pk=notification.pk).update(
        email_claimed_at=timezone.now() - settings.NOTIFICATION_CLAIM_TIMEOUT - timedelta(seconds=1)
    )
    second = delivery.claim(notification.pk)
    assert second is not None and second.token != first.token
    # The first worker, had it survived, may no longer record an outcome.
    assert delivery._held(first).update(email_status=EmailStatus.SENT) == 0


def test_it_retries_with_back_off_after_an_smtp_error(recipient, settings, monkeypatch):
    settings.NOTIFICATION_RETRY_BACKOFF = 10
    notification = _row(recipient)
    error = smtplib.SMTPServerDisconnected("connection lost")
    monkeypatch.setattr(delivery, "get_connection", lambda **kw: FailingConnection(error))

    with pytest.raises(delivery.RetryLater) as first:
        delivery.deliver(notification.pk)
    assert first.value.countdown == 10
    notification.refresh_from_db()
    assert notification.email_status == EmailStatus.PENDING
    assert "connection lost" in notification.email_error
    assert notification.email_next_attempt_at > timezone.now() + timedelta(seconds=5)
    # Not claimable before its time: back-off is kept even if the sweep enqueues it.
    assert delivery.deliver(notification.pk) is False

    Notification.objects.filter(pk=notification.pk).update(email_next_attempt_at=timezone.now())
    with pytest.raises(delivery.RetryLater) as second:
        delivery.deliver(notification.pk)
    assert second.value.countdown == 20


def test_it_records_the_final_failure(recipient, settings, monkeypatch):
    settings.NOTIFICATION_MAX_ATTEMPTS = 2
    notification = _row(recipient, email_attempts=1)
    monkeypatch.setattr(
        delivery, "get_connection", lambda **kw: FailingConnection(smtplib.SMTPDataError(451, b"try later"))
    )
    assert delivery.deliver(notification.pk) is True
    notification.refresh_from_db()
    assert notification.email_status == EmailStatus.FAILED
    assert "try later" in notification.email_error
    assert delivery.sweep() == []


def test_it_fails_at_once_when_the_address_is_refused(recipient, monkeypatch):
    notification = _row(recipient)
    refused = smtplib.SMTPRecipientsRefused({"reader@example.com": (550, b"no such user")})
    monkeypatch.setattr(delivery, "get_connection", lambda **kw: FailingConnection(refused))
    delivery.deliver(notification.pk)
    notification.refresh_from_db()
    assert (notification.email_status, notification.email_attempts) == (EmailStatus.FAILED, 1)


def test_it_skips_inactive_recipients(recipient):
    recipient.is_active = False
    recipient.save(update_fields=["is_active"])
    notification = _row(recipient)
    delivery.deliver(notification.pk)
    notification.refresh_from_db()
    assert notification.email_status == EmailStatus.SKIPPED
    assert mail.outbox == []


def test_it_sweeps_lost_and_stuck_rows_only(recipient, settings):
    settings.NOTIFICATION_MAX_ATTEMPTS = 8
    now = timezone.now()
    old = now - settings.NOTIFICATION_SWEEP_AFTER - timedelta(seconds=5)
    lost = _row(recipient, email_next_attempt_at=old)
    fresh = _row(recipient)
    waiting_retry = _row(recipient, email_next_attempt_at=now + timedelta(minutes=5))
    stuck = _row(
        recipient,
        email_status=EmailStatus.SENDING,
        email_claimed_at=now - settings.NOTIFICATION_CLAIM_TIMEOUT - timedelta(seconds=5),
        email_attempts=1,
    )
    sending = _row(recipient, email_status=EmailStatus.SENDING, email_claimed_at=now, email_attempts=1)
    sent = _row(recipient, email_status=EmailStatus.SENT, email_next_attempt_at=old)
    exhausted = _row(
        recipient,
        email_status=EmailStatus.SENDING,
        email_claimed_at=now - settings.NOTIFICATION_CLAIM_TIMEOUT - timedelta(seconds=5),
        email_attempts=settings.NOTIFICATION_MAX_ATTEMPTS,
    )
    assert set(delivery.sweep()) == {lost.pk, stuck.pk}
    assert delivery.fail_exhausted() == 1
    exhausted.refresh_from_db()
    assert exhausted.email_status == EmailStatus.FAILED
    Notification.objects.update(email_enqueued_at=None)  # as if NOTIFICATION_REENQUEUE_AFTER had passed
    swept = delivery.sweep()
    for row in (fresh, waiting_retry, sending, sent):
        assert row.pk not in swept


def test_the_sweep_task_delivers_what_was_lost(recipient, settings, django_capture_on_commit_callbacks):
    lost = _row(recipient, email_next_attempt_at=timezone.now() - settings.NOTIFICATION_SWEEP_AFTER * 2)
    from notifications.tasks import sweep_notifications

    with django_capture_on_commit_callbacks(execute=True):  # the worker runs outside a transaction
        assert sweep_notifications.apply().get() == 1
    lost.refresh_from_db()
    assert lost.email_status == EmailStatus.SENT
    assert len(mail.outbox) == 1


# An address without an account (an invitation to someone not yet registered)


def _address_row(**fields):
    notification = notify_address(
        email="guest@example.com",
        language="en",
        kind="organisation_invitation_email",
        params={"organisation": "Фотон", "inn": "7701234567", "by": "Анна Петрова"},
        url="/cabinet/invitations/1:token/",
    )
    if fields:
        Notification.objects.filter(pk=notification.pk).update(**fields)
        notification.refresh_from_db()
    return notification


@pytest.mark.parametrize(("language", "words"), [("ru", "приглашает"), ("en", "invites you")])
def test_it_renders_an_address_row_in_its_own_language(language, words):
    notification = _address_row(language=language)
    rendered = render_notification(notification)
    assert "Фотон" in rendered.subject and "\n" not in rendered.subject
    assert words in rendered.text and words in rendered.html
    assert "http://127.0.0.1:8000/cabinet/invitations/1:token/" in rendered.text


def test_it_sends_an_address_row_to_its_address(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        notification = _address_row()
    assert len(callbacks) == 1
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["guest@example.com"]
    notification.refresh_from_db()
    assert (notification.email_status, notification.email_attempts) == (EmailStatus.SENT, 1)


def test_an_address_row_waits_for_a_retry_after_an_smtp_error(settings, monkeypatch):
    settings.NOTIFICATION_RETRY_BACKOFF = 10
    notification = _address_row()
    error = smtplib.SMTPServerDisconnected("connection lost")
    monkeypatch.setattr(delivery, "get_connection", lambda **kw: FailingConnection(error))

    with pytest.raises(delivery.RetryLater) as failure:
        delivery.deliver(notification.pk)
    assert failure.value.countdown == 10
    notification.refresh_from_db()
    assert notification.email_status == EmailStatus.PENDING
    assert "connection lost" in notification.email_error
    assert notification.email_next_attempt_at > timezone.now() + timedelta(seconds=5)
    assert mail.outbox == []


def test_the_sweep_delivers_a_lost_address_row(settings, django_capture_on_commit_callbacks):
    # Its hand-off was lost (unmarked by the failed hand-off), and it is past the sweep's grace.
    lost = _address_row(
        email_next_attempt_at=timezone.now() - settings.NOTIFICATION_SWEEP_AFTER * 2, email_enqueued_at=None
    )
    from notifications.tasks import sweep_notifications

    with django_capture_on_commit_callbacks(execute=True):
        assert sweep_notifications.apply().get() == 1
    assert delivery.sweep() == []
    lost.refresh_from_db()
    assert lost.email_status == EmailStatus.SENT
    assert [message.to for message in mail.outbox] == [["guest@example.com"]]


@pytest.mark.parametrize("both", [False, True], ids=["neither", "both"])
def test_a_row_has_a_recipient_or_an_address_never_both_nor_neither(recipient, both):
    fields = {"recipient": recipient, "email": "guest@example.com"} if both else {"recipient": None, "email": ""}
    with pytest.raises(IntegrityError), transaction.atomic():
        Notification.objects.create(kind="organisation_invitation_email", **fields)


# Who is told of what


@pytest.fixture
def application():
    association = AssociationFactory(name="Фотоника", name_en="Photonics")
    coordinator = UserFactory()
    association.coordinators.add(coordinator)
    application = ApplicationFactory(association=association, status=ApplicationStatus.DRAFT)
    RepresentativeFactory(organisation=application.organisation, user=application.applicant)
    return application


def test_it_tells_the_applicant_and_the_reviewers_of_a_submission(application, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        application_services.notify_application_event(application.submit(by=application.applicant))
    kinds = sorted(Notification.objects.values_list("kind", "recipient_id"))
    coordinator = application.association.coordinators.get()
    assert kinds == sorted(
        [("application_received", application.applicant_id), ("application_submitted", coordinator.pk)]
    )
    assert len(mail.outbox) == 2


def test_it_tells_the_reviewers_of_a_withdrawal(application):
    application.submit(by=application.applicant)
    application_services.notify_application_event(application.withdraw(by=application.applicant))
    notification = Notification.objects.get(kind="application_withdrawn")
    assert notification.recipient == application.association.coordinators.get()
