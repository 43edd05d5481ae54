"""Headless Chromium: a coordinator reviews an application; the applicant answers and learns the decision.

The coordinator opens the queue, asks for information; the applicant answers on the
cabinet page; the coordinator takes the application into review again and approves it;
the applicant sees the decision on the page and in the inbox, and the e-mail reaches a
real SMTP server on loopback. Assertions use ids, URLs and database state.
"""

import email
import importlib
import socket
import threading

import pytest
from aiosmtpd.controller import Controller
from django.apps import apps as django_apps
from django.conf import settings as django_settings
from django.test import Client

from applications import services
from applications.models import ApplicationStatus
from associations.models import AssociationMembership
from notifications.models import EmailStatus, Notification

from .factories import ApplicationFactory, AssociationFactory, RepresentativeFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


class Inbox:
    def __init__(self):
        self.messages = []
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):
        with self.lock:
            self.messages.append((envelope.rcpt_tos, email.message_from_bytes(envelope.content)))
        return "250 OK"


@pytest.fixture
def smtp(settings):
    handler = Inbox()
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = port
    yield handler
    controller.stop()


@pytest.fixture(autouse=True)
def _setup(settings):
    importlib.import_module("members.migrations.0002_regions_and_directions").load(django_apps, None)
    # E-mails are sent in-process here (the worker itself is covered by test_notifications_worker.py).
    from cluster_portal.celery import app

    before = app.conf.task_always_eager
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = before
    if django_settings.REDIS_URL:
        import redis

        redis.Redis.from_url(django_settings.REDIS_URL).flushdb()


def _signed_in(browser, live_server, user):
    """A browser context with the user's session, in English."""
    client = Client()
    client.force_login(user)
    context = browser.new_context(base_url=live_server.url, locale="en-GB")
    context.set_default_timeout(15000)
    context.add_cookies(
        [
            {
                "name": django_settings.SESSION_COOKIE_NAME,
                "value": client.cookies["sessionid"].value,
                "url": live_server.url,
            },
            {"name": django_settings.LANGUAGE_COOKIE_NAME, "value": "en", "url": live_server.url},
        ]
    )
    return context


def test_a_coordinator_requests_information_then_approves(browser, live_server, smtp):
    association = AssociationFactory(name="Аддитивные технологии", name_en="Additive manufacturing")
    coordinator = UserFactory(language="en")
    association.coordinators.add(coordinator)
    applicant = UserFactory(language="en")
    application = ApplicationFactory(association=association, applicant=applicant, status=ApplicationStatus.DRAFT)
    RepresentativeFactory(organisation=application.organisation, user=applicant)
    services.notify_application_event(application.submit(by=applicant))

    reviewer = _signed_in(browser, live_server, coordinator).new_page()
    # 1. The queue shows the application; the coordinator opens it and takes it into review.
    reviewer.goto("/review/")
    assert reviewer.locator("#unread-count").count() == 1  # told of the new application
    reviewer.click(f"a[href='/review/applications/{application.pk}/']")
    reviewer.wait_for_url(f"**/review/applications/{application.pk}/")
    assert reviewer.inner_text("#organisation-inn") == application.organisation.inn
    reviewer.click("#action-take button[type=submit]")
    # 2. A request for information without a question is refused, naming the field.
    reviewer.click("#action-request-information button[type=submit]")
    assert reviewer.locator("#id_request-information-comment.is-invalid").count() == 1
    reviewer.fill("#id_request-information-comment", "Please attach the company charter.")
    reviewer.fill("#id_request-information-internal_note", "Check the ОКВЭД code too")
    reviewer.click("#action-request-information button[type=submit]")
    reviewer.wait_for_selector(".application-status-info_requested")
    application.refresh_from_db()
    assert application.status == ApplicationStatus.INFO_REQUESTED

    # 3. The applicant answers on the cabinet page; the application is submitted again.
    cabinet = _signed_in(browser, live_server, applicant).new_page()
    cabinet.goto(f"/cabinet/applications/{application.pk}/")
    assert "Check the ОКВЭД code too" not in cabinet.content()
    cabinet.fill("#id_comment", "The charter is attached.")
    cabinet.click("form[action$='/respond/'] button[type=submit]")
    cabinet.wait_for_url(f"**/cabinet/applications/{application.pk}/")
    application.refresh_from_db()
    assert application.status == ApplicationStatus.SUBMITTED

    # 4. The coordinator sees the answer in the history, takes the application again and approves.
    reviewer.goto(f"/review/applications/{application.pk}/")
    assert "The charter is attached." in reviewer.inner_text("#history")
    reviewer.click("#action-take button[type=submit]")
    reviewer.fill("#id_approve-comment", "Welcome to the association!")
    reviewer.click("#action-approve button[type=submit]")
    reviewer.wait_for_selector(".application-status-approved")
    assert AssociationMembership.objects.filter(application=application).count() == 1

    # 5. The applicant sees the decision on the page and in the inbox; the e-mail has arrived.
    cabinet.goto(f"/cabinet/applications/{application.pk}/")
    assert cabinet.locator("#application-status [data-status=approved]").count() == 1
    assert "Welcome to the association!" in cabinet.content()
    cabinet.goto("/cabinet/notifications/")
    approved = Notification.objects.get(kind="application_approved", recipient=applicant)
    assert cabinet.locator(f"#notification-{approved.pk}.notification-unread").count() == 1
    cabinet.click(f"#notification-{approved.pk} form[action$='/open/'] button")
    cabinet.wait_for_url(f"**/cabinet/applications/{application.pk}/")
    approved.refresh_from_db()
    assert approved.read_at is not None and approved.email_status == EmailStatus.SENT
    to_applicant = [m for rcpt, m in smtp.messages if rcpt == [applicant.email]]
    assert [m["X-Portal-Notification"] for m in to_applicant][-1] == str(approved.pk)
    assert "approved" in to_applicant[-1]["Subject"]
