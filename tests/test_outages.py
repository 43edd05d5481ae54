"""Outages without a worker: Redis stopped or paused, a database blip, a lost task, a long SMTP outage.

Fast, unit-level: a stopped Redis is a port nobody listens on; a paused one (SIGSTOP) is a
"black hole", a socket that accepts connections and never answers. `test_outages_worker.py` tries
the same with a real worker, Redis and SMTP server.
"""

import smtplib
import socket
import threading
import time
from datetime import timedelta

import pytest
from allauth.account.models import EmailAddress
from django.conf import settings as django_settings
from django.core import mail
from django.core.cache import cache
from django.db.utils import OperationalError
from django.urls import reverse
from django.utils import timezone

from core import tasks as core_tasks
from core.cache import FailoverRedisCache
from notifications import delivery
from notifications.models import EmailStatus, Notification
from notifications.services import notification_resend
from notifications.tasks import SWEEP_LOCK, deliver_notification, sweep_notifications
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class BlackHole:
    """A paused server: it accepts every connection and never says a word."""

    def __init__(self):
        self.server = socket.socket()
        self.server.bind(("127.0.0.1", 0))
        self.server.listen(50)
        self.port = self.server.getsockname()[1]
        self.held = []
        self.closed = threading.Event()
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self):
        while not self.closed.is_set():
            try:
                connection, _address = self.server.accept()
            except OSError:
                return
            self.held.append(connection)

    def close(self):
        self.closed.set()
        for connection in self.held:
            connection.close()
        self.server.close()


@pytest.fixture
def black_hole():
    hole = BlackHole()
    yield hole
    hole.close()


@pytest.fixture(params=["stopped", "paused"])
def dead_redis(request, black_hole):
    """The URL of a Redis that is stopped (nobody listens) or paused (a black hole)."""
    port = free_port() if request.param == "stopped" else black_hole.port
    return f"redis://127.0.0.1:{port}/0"


@pytest.fixture
def cache_down(settings, dead_redis):
    settings.CACHES = {
        "default": {"BACKEND": "core.cache.FailoverRedisCache", "LOCATION": dead_redis, "KEY_PREFIX": "test"}
    }
    yield dead_redis


@pytest.fixture(autouse=True)
def _eager_celery():
    """The tasks run in-process here, unless a test points the producer at a dead broker."""
    from cluster_portal.celery import app

    before = app.conf.task_always_eager
    app.conf.task_always_eager = True
    core_tasks.broker_reset()
    yield app
    app.conf.task_always_eager = before
    core_tasks.broker_reset()


def timed(call):
    started = time.monotonic()
    result = call()
    return result, time.monotonic() - started


# The cache fails open


def test_the_cache_fails_open_when_redis_is_stopped_or_paused(dead_redis):
    broken = FailoverRedisCache(dead_redis, {"KEY_PREFIX": "t", "OPTIONS": {"RETRY_AFTER": 30}})
    first, seconds = timed(lambda: broken.get("page", "default"))
    assert first == "default"
    assert seconds < 1.5  # one timeout of half a second at most
    # The next calls do not touch Redis at all for a while.
    calls, seconds = timed(
        lambda: [
            broken.set("page", 1),
            broken.add("page", 1),
            broken.get("page"),
            broken.has_key("page"),
            broken.incr("counter", 2),
            broken.delete("page"),
            broken.get_many(["page"]),
            broken.set_many({"page": 1}),
            broken.delete_many(["page"]),
            broken.touch("page"),
            broken.clear(),
        ]
    )
    assert calls == [None, False, None, False, 2, False, {}, ["page"], None, False, False]
    assert seconds < 0.1


def test_the_rate_limits_hold_in_the_process_while_redis_is_away(dead_redis):
    broken = FailoverRedisCache(dead_redis, {"KEY_PREFIX": "t", "OPTIONS": {"RETRY_AFTER": 30}})
    key = "allauth:rl:allauth.account:login_failed:5/60.0/ip:127.0.0.1"
    assert broken.add(f"{key}:lock", True, 10) is True
    assert broken.add(f"{key}:lock", True, 10) is False  # a lock still locks
    broken.set(key, [1.0, 2.0], 60)
    assert broken.get(key) == [1.0, 2.0]  # the counter is kept, here, in this process
    assert broken.get_many([key]) == {key: [1.0, 2.0]}
    assert broken.add(f"{key}:n", 0) is True
    assert broken.incr(f"{key}:n", 1) == 1
    assert broken.has_key(key) and broken.touch(key, 60)
    assert broken.delete(key) is True


def test_the_cache_warns_once_and_says_when_redis_is_back(caplog):
    broken = FailoverRedisCache(f"redis://127.0.0.1:{free_port()}/0", {"OPTIONS": {"RETRY_AFTER": 0}})
    with caplog.at_level("WARNING", logger="core.cache"):
        for _ in range(5):
            assert broken.get("x") is None  # each call tries Redis again (RETRY_AFTER 0)
        assert broken.health.failures == 5
        broken._came_back()
        broken._came_back()  # a second call finds nothing to report
    assert len([r for r in caplog.records if "does not answer" in r.message]) == 1
    assert len([r for r in caplog.records if "answers again" in r.message]) == 1


@pytest.mark.redis
def test_the_cache_works_with_a_live_redis(settings):
    working = FailoverRedisCache(settings.REDIS_URL, {"KEY_PREFIX": "outage-test"})
    working.set("key", {"a": 1}, 5)
    assert working.get("key") == {"a": 1}
    working.delete("key")


# Signing in with the cache down


def _verified_user(email="reader@example.com"):
    user = UserFactory(email=email)
    EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
    return user


def test_signing_in_works_with_redis_stopped_or_paused(client, cache_down):
    _verified_user()
    assert client.get(reverse("account_login")).status_code == 200  # warms the templates up, not timed
    response, seconds = timed(
        lambda: client.post(
            reverse("account_login"), {"login": "reader@example.com", "password": "password-for-tests-1"}
        )
    )
    assert response.status_code == 302
    assert response["Location"] == "/cabinet/"
    assert seconds < 3
    assert client.get(reverse("pages:cabinet")).status_code == 200


def test_the_sign_in_limit_still_holds_with_redis_down(client, cache_down, settings):
    """Five wrong passwords cool the account off (ACCOUNT_RATE_LIMITS): kept in the process meanwhile."""
    _verified_user()
    login = reverse("account_login")
    for _ in range(5):
        response = client.post(login, {"login": "reader@example.com", "password": "wrong"})
        assert response.status_code == 200  # the form says the password is wrong
    response = client.post(login, {"login": "reader@example.com", "password": "password-for-tests-1"})
    assert response.status_code in (200, 429)  # refused even with the right password: the limit held
    assert not response.wsgi_request.user.is_authenticated


# Handing a task to the broker is bounded


def _row(recipient=None, **fields):
    notification = Notification.objects.create(
        recipient=recipient or UserFactory(), kind="application_approved", params={"association": "Фотоника"}
    )
    if fields:
        Notification.objects.filter(pk=notification.pk).update(**fields)
        notification.refresh_from_db()
    return notification


@pytest.fixture
def dead_broker(_eager_celery, dead_redis):
    app = _eager_celery
    before = app.conf.broker_url
    app.conf.task_always_eager = False
    app.conf.broker_url = dead_redis
    app._after_fork()  # drop pooled connections to the previous broker
    yield dead_redis
    app.conf.broker_url = before
    app._after_fork()


def test_a_hand_off_to_a_stopped_or_paused_broker_gives_up_within_two_seconds(dead_broker, caplog):
    notification = _row(email_enqueued_at=timezone.now())  # as notify() writes it
    with caplog.at_level("WARNING", logger="core.tasks"):
        result, seconds = timed(lambda: deliver_notification.send_now((notification.pk,)))
    assert result is None
    assert seconds < 2.5
    assert "the sweep will retry" in caplog.text
    # The next hand-offs in this process skip the broker for a while: no request waits again.
    Notification.objects.filter(pk=notification.pk).update(email_enqueued_at=timezone.now())
    again, seconds = timed(lambda: deliver_notification.send_now((notification.pk,)))
    assert again is None and seconds < 0.1
    notification.refresh_from_db()
    assert notification.email_status == EmailStatus.PENDING
    assert notification.email_enqueued_at is None  # unmarked both times: the sweep takes it after its grace


def test_a_failing_hand_off_hook_never_fails_the_request(dead_broker, monkeypatch, caplog):
    def broken(args, kwargs):
        raise RuntimeError("the database went away too")

    monkeypatch.setattr(deliver_notification, "hand_off_failed", broken)
    with caplog.at_level("WARNING", logger="core.tasks"):
        assert deliver_notification.send_now((1,)) is None
    assert "recording a failed hand-off failed" in caplog.text


def test_notify_marks_the_row_handed_off(django_capture_on_commit_callbacks):
    from notifications.services import notify

    notification = notify(recipient=UserFactory(), kind="application_approved", params={})
    assert notification.email_enqueued_at is not None


def test_the_warnings_about_the_broker_are_rate_limited(caplog, monkeypatch):
    with caplog.at_level("WARNING", logger="core.tasks"):
        core_tasks._warn("t", (1,), OSError("refused"), 1.0)
        core_tasks._warn("t", (2,), OSError("refused"), 1.0)
        monkeypatch.setitem(core_tasks._state, "warned_at", time.monotonic() - core_tasks.WARN_EVERY - 1)
        core_tasks._warn("t", (3,), OSError("refused"), 1.0)
    assert len(caplog.records) == 2
    assert "1 more hand-off(s)" in caplog.records[-1].message


def test_the_hand_off_sends_no_retry_loop(settings):
    assert settings.CELERY_BROKER_CONNECTION_TIMEOUT <= 2
    assert settings.CELERY_BROKER_TRANSPORT_OPTIONS["socket_timeout"] <= 2
    assert settings.CELERY_BROKER_TRANSPORT_OPTIONS["socket_connect_timeout"] <= 2
    # Redis gives a killed worker's message to another only after every task could have finished.
    longest = max(settings.CELERY_TASK_TIME_LIMIT, settings.NOTIFICATION_SEND_TIME_LIMIT)
    visibility = settings.CELERY_BROKER_TRANSPORT_OPTIONS["visibility_timeout"]
    assert longest + settings.NOTIFICATION_RETRY_COUNTDOWN_MAX < visibility < 3600
    assert settings.NOTIFICATION_CLAIM_TIMEOUT.total_seconds() > settings.NOTIFICATION_SEND_TIME_LIMIT
    # Periodic work on its own queue; a late sweep expires instead of piling up.
    assert settings.CELERY_TASK_ROUTES["notifications.tasks.sweep_notifications"]["queue"] == "periodic"
    assert settings.CELERY_TASK_ROUTES["applications.tasks.send_review_reminders"]["queue"] == "periodic"
    sweep = settings.CELERY_BEAT_SCHEDULE["notifications-sweep"]
    assert sweep["options"]["expires"] == settings.NOTIFICATION_SWEEP_INTERVAL


def test_the_worker_waits_longer_for_redis_than_a_request():
    from cluster_portal.celery import app, wait_longer_for_redis

    before = (dict(app.conf.broker_transport_options), app.conf.broker_connection_timeout)
    try:
        wait_longer_for_redis()
        assert (
            app.conf.broker_transport_options["socket_timeout"] == django_settings.CELERY_WORKER_BROKER_SOCKET_TIMEOUT
        )
        assert app.conf.broker_connection_timeout == django_settings.CELERY_WORKER_BROKER_SOCKET_TIMEOUT
    finally:
        app.conf.broker_transport_options, app.conf.broker_connection_timeout = before


# Recording `sent` survives a database blip


class FlakyUpdate:
    """`_held(claim).update(...)` that fails `failures` times with OperationalError, then works."""

    def __init__(self, failures):
        self.failures = failures
        self.calls = 0

    def wrap(self, held):
        def flaky(claim_):
            queryset = held(claim_)
            real_update = queryset.update

            def update(**fields):
                if fields.get("email_status") == EmailStatus.SENT:
                    self.calls += 1
                    if self.calls <= self.failures:
                        raise OperationalError("terminating connection due to administrator command")
                return real_update(**fields)

            queryset.update = update
            return queryset

        return flaky


def test_recording_sent_is_retried_until_the_database_returns(monkeypatch):
    notification = _row()
    flaky = FlakyUpdate(failures=3)
    monkeypatch.setattr(delivery, "_held", flaky.wrap(delivery._held))
    sleeps = []
    monkeypatch.setattr(delivery.time, "sleep", sleeps.append)
    assert delivery.deliver(notification.pk) is True
    assert len(mail.outbox) == 1
    assert sleeps == [0.2, 0.4, 0.8]
    notification.refresh_from_db()
    assert (notification.email_status, notification.email_claim_token) == (EmailStatus.SENT, "")


def test_recording_sent_gives_up_at_the_deadline(monkeypatch):
    notification = _row()
    monkeypatch.setattr(delivery, "_held", FlakyUpdate(failures=100).wrap(delivery._held))
    monkeypatch.setattr(delivery.time, "sleep", lambda seconds: None)
    with pytest.raises(OperationalError):
        delivery.deliver(notification.pk, deadline=time.monotonic() + 0.5)
    notification.refresh_from_db()
    assert notification.email_status == EmailStatus.SENDING  # the sweep takes it back after the claim timeout


class FailingOnce:
    def __init__(self):
        self.failed = False

    def __call__(self, **kwargs):
        from django.core.mail import get_connection

        if self.failed:
            return get_connection(**kwargs)
        self.failed = True
        return self

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False

    def send_messages(self, messages):
        raise smtplib.SMTPServerDisconnected("connection lost")


def test_the_message_id_is_stored_once_and_kept_across_retries(monkeypatch, settings):
    notification = _row()
    monkeypatch.setattr(delivery, "get_connection", FailingOnce())
    with pytest.raises(delivery.RetryLater):
        delivery.deliver(notification.pk)
    notification.refresh_from_db()
    stored = notification.email_message_id
    assert stored == f"<notification-{notification.pk}@127.0.0.1>"
    settings.SITE_URL = "https://portal.example.ru"  # the address changes; the message keeps its id
    Notification.objects.filter(pk=notification.pk).update(email_next_attempt_at=timezone.now())
    assert delivery.deliver(notification.pk) is True
    assert mail.outbox[0].extra_headers["Message-ID"] == stored


# A lost task releases its claim


def test_a_redelivered_task_takes_its_own_claim_back_at_once():
    notification = _row()
    first = delivery.claim(notification.pk, task_id="task-1")
    assert first is not None
    # The worker was killed; Redis hands the same message (same task id) to another worker.
    assert delivery.claim(notification.pk, task_id="task-2") is None  # another task must wait
    again = delivery.claim(notification.pk, task_id="task-1")
    assert again is not None and again.token != first.token
    assert delivery._held(first).update(email_status=EmailStatus.SENT) == 0  # the dead one may record nothing
    notification.refresh_from_db()
    assert (notification.email_claim_task, notification.email_attempts) == ("task-1", 2)


def test_the_task_claims_with_its_own_id(django_capture_on_commit_callbacks):
    notification = _row()
    deliver_notification.apply(args=(notification.pk,), task_id="the-task-id")
    notification.refresh_from_db()
    assert notification.email_status == EmailStatus.SENT
    assert notification.email_claim_task == ""  # released with the outcome


# The sweep: one at a time, each row once


def test_only_one_sweep_runs_at_a_time(settings):
    lost = _row(email_next_attempt_at=timezone.now() - settings.NOTIFICATION_SWEEP_AFTER * 2)
    cache.add(SWEEP_LOCK, "another sweep", timeout=60)
    try:
        assert sweep_notifications.apply().get() == 0
        lost.refresh_from_db()
        assert lost.email_status == EmailStatus.PENDING
    finally:
        cache.delete(SWEEP_LOCK)
    assert sweep_notifications.apply().get() == 1
    assert cache.get(SWEEP_LOCK) is None  # released


def test_the_sweep_enqueues_a_row_once_until_the_reenqueue_timeout(settings):
    lost = _row(email_next_attempt_at=timezone.now() - settings.NOTIFICATION_SWEEP_AFTER * 2)
    assert delivery.sweep() == [lost.pk]
    assert delivery.sweep() == []  # still in the queue, perhaps behind a backlog
    Notification.objects.filter(pk=lost.pk).update(
        email_enqueued_at=timezone.now() - settings.NOTIFICATION_REENQUEUE_AFTER - timedelta(seconds=1)
    )
    assert delivery.sweep() == [lost.pk]


# A long SMTP outage: retried for the retry period, then failed


def test_smtp_failures_are_retried_through_the_retry_period(monkeypatch, settings):
    settings.NOTIFICATION_RETRY_BACKOFF = 30
    settings.NOTIFICATION_RETRY_BACKOFF_MAX = 3600
    notification = _row(email_attempts=20)  # many failures already, within the period
    monkeypatch.setattr(delivery, "get_connection", lambda **kw: FailingOnce())
    # The next wait (an hour) is longer than a countdown may be: left to the sweep, no RetryLater.
    assert delivery.deliver(notification.pk) is True
    notification.refresh_from_db()
    assert notification.email_status == EmailStatus.PENDING
    assert notification.email_next_attempt_at > timezone.now() + timedelta(minutes=59)
    assert delivery.backoff(30) == 3600  # capped


def test_after_the_retry_period_the_e_mail_is_failed(monkeypatch, settings):
    notification = _row(email_retry_since=timezone.now() - settings.NOTIFICATION_RETRY_PERIOD - timedelta(seconds=1))
    monkeypatch.setattr(delivery, "get_connection", lambda **kw: FailingOnce())
    assert delivery.deliver(notification.pk) is True
    notification.refresh_from_db()
    assert notification.email_status == EmailStatus.FAILED
    assert "connection lost" in notification.email_error
    assert settings.NOTIFICATION_RETRY_PERIOD == timedelta(days=3)


def test_a_row_stuck_in_sending_past_the_retry_period_is_failed(settings):
    old = timezone.now() - settings.NOTIFICATION_RETRY_PERIOD - timedelta(seconds=1)
    stuck = _row(
        email_status=EmailStatus.SENDING,
        email_retry_since=old,
        email_claimed_at=timezone.now() - settings.NOTIFICATION_CLAIM_TIMEOUT - timedelta(seconds=1),
    )
    assert delivery.fail_exhausted() == 1
    stuck.refresh_from_db()
    assert stuck.email_status == EmailStatus.FAILED


# The staff outbox page


@pytest.fixture
def outbox_rows(world, settings):
    long_ago = timezone.now() - settings.NOTIFICATION_LONG_PENDING_AFTER - timedelta(minutes=1)
    return {
        "failed": _row(world.alice, email_status=EmailStatus.FAILED, email_error="550 no such user"),
        "long_pending": _row(world.bob, created_at=long_ago, email_attempts=4),
        "fresh": _row(world.carol),
        "sent": _row(world.dave, email_status=EmailStatus.SENT, created_at=long_ago),
    }


def test_staff_see_the_failed_and_long_pending_e_mails(client, world, outbox_rows, django_assert_num_queries):
    client.force_login(world.staff)
    client.get(reverse("notifications:outbox"))  # the staff session records its activity once
    # session, user, the page of rows with their recipients, the navigation's coordinator check
    # (its unread count was cached by the first request: notifications/unread.py)
    with django_assert_num_queries(4):
        response = client.get(reverse("notifications:outbox"))
    assert response.status_code == 200
    shown = {n.pk for n, _title in response.context["items"]}
    assert shown == {outbox_rows["failed"].pk, outbox_rows["long_pending"].pk}
    assert "550 no such user" in response.content.decode()
    for _ in range(5):
        _row(UserFactory(), email_status=EmailStatus.FAILED)
    with django_assert_num_queries(4):  # the same for 7 rows as for 2
        assert len(client.get(reverse("notifications:outbox")).context["items"]) == 7


@pytest.mark.parametrize("who", ["charlie", "bob", "alice"])
def test_the_outbox_is_for_staff_and_administrators_only(client, world, outbox_rows, who):
    client.force_login(world[who])
    assert client.get(reverse("notifications:outbox")).status_code == 403
    response = client.post(reverse("notifications:resend", args=[outbox_rows["failed"].pk]))
    assert response.status_code == 403
    outbox_rows["failed"].refresh_from_db()
    assert outbox_rows["failed"].email_status == EmailStatus.FAILED


def test_the_outbox_asks_a_visitor_to_sign_in(client):
    response = client.get(reverse("notifications:outbox"))
    assert response.status_code == 302 and reverse("account_login") in response["Location"]


def test_an_administrator_resends_a_failed_e_mail(client, world, outbox_rows, django_capture_on_commit_callbacks):
    client.force_login(world.admin)
    failed = outbox_rows["failed"]
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = client.post(reverse("notifications:resend", args=[failed.pk]))
    assert response.status_code == 302 and response["Location"] == reverse("notifications:outbox")
    assert len(callbacks) == 1
    failed.refresh_from_db()
    assert failed.email_status == EmailStatus.SENT
    assert [m.to for m in mail.outbox] == [["alice@example.com"]]


def test_resending_resets_the_retry_period_and_keeps_the_message_id(world, outbox_rows):
    failed = outbox_rows["failed"]
    Notification.objects.filter(pk=failed.pk).update(email_message_id="<kept@127.0.0.1>")
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(deliver_notification, "delay", lambda pk: None)  # the broker is not asked here
        assert notification_resend(notification_id=failed.pk, user=world.staff) is True
    failed.refresh_from_db()
    assert (failed.email_status, failed.email_attempts, failed.email_message_id) == (
        EmailStatus.PENDING,
        0,
        "<kept@127.0.0.1>",
    )
    assert failed.email_retry_since > timezone.now() - timedelta(minutes=1)


def test_a_sent_or_fresh_e_mail_is_not_resent(client, world, outbox_rows):
    client.force_login(world.staff)
    for name in ("sent", "fresh"):
        response = client.post(reverse("notifications:resend", args=[outbox_rows[name].pk]), follow=True)
        assert "no longer waiting" in response.content.decode() or "больше не ждёт" in response.content.decode()
    assert mail.outbox == []
    assert client.get(reverse("notifications:resend", args=[outbox_rows["failed"].pk])).status_code == 405


def test_the_outbox_pages_with_a_cursor(client, world, settings, monkeypatch):
    from notifications import views

    monkeypatch.setattr(views, "OUTBOX_PAGE_SIZE", 2)
    rows = [_row(world.alice, email_status=EmailStatus.FAILED) for _ in range(3)]
    client.force_login(world.admin)
    first = client.get(reverse("notifications:outbox"))
    assert [n.pk for n, _t in first.context["items"]] == [rows[2].pk, rows[1].pk]
    second = client.get(reverse("notifications:outbox") + "?" + first.context["page"].next_query)
    assert [n.pk for n, _t in second.context["items"]] == [rows[0].pk]


# /healthz


def test_healthz_counts_the_e_mails_that_need_attention(client, outbox_rows, settings):
    settings.REDIS_URL = ""
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json()["details"] == {"notifications": {"failed": 1, "long_pending": 1}}


def test_healthz_answers_503_quickly_when_redis_is_paused(client, settings, black_hole):
    settings.REDIS_URL = f"redis://127.0.0.1:{black_hole.port}/0"
    response, seconds = timed(lambda: client.get("/healthz"))
    assert response.status_code == 503
    assert response.json()["checks"]["redis"] == "down"
    assert seconds < 3


def test_the_resend_service_itself_refuses_anyone_but_staff(world, outbox_rows):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        notification_resend(notification_id=outbox_rows["failed"].pk, user=world.charlie)


def test_healthz_leaves_the_counts_out_when_the_database_goes_away_between_checks(client, settings, monkeypatch):
    settings.REDIS_URL = ""

    def gone(*args, **kwargs):
        raise OperationalError("the database went away")

    monkeypatch.setattr(Notification.objects, "filter", gone)
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json()["details"] == {"notifications": {}}


def test_a_row_stuck_in_sending_is_swept_whatever_its_first_hand_off(settings):
    stuck = _row(email_enqueued_at=timezone.now())  # written by notify(): handed off at commit
    assert delivery.claim(stuck.pk, task_id="killed") is not None  # consumed; then the worker dies
    Notification.objects.filter(pk=stuck.pk).update(
        email_claimed_at=timezone.now() - settings.NOTIFICATION_CLAIM_TIMEOUT - timedelta(seconds=1)
    )
    assert delivery.sweep() == [stuck.pk]
    assert delivery.sweep() == []  # once


@pytest.mark.redis
def test_a_change_made_while_redis_was_away_shows_once_it_is_back(settings, monkeypatch, caplog):
    """A bump the process could not write (Redis down: `core.cache` skips it) is written at the next
    value read once Redis answers, so the value computed before the change is not served again."""
    from core import versioned_cache

    shared = FailoverRedisCache(settings.REDIS_URL, {"KEY_PREFIX": "outage-bump", "OPTIONS": {"RETRY_AFTER": 30}})
    monkeypatch.setattr(versioned_cache, "cache", shared)
    monkeypatch.setattr(versioned_cache, "_skipped", set())
    answers = iter(["before", "after", "later"])
    assert versioned_cache.cached("figure", ("g",), lambda: next(answers)) == "before"

    shared.health.down_until = time.monotonic() + 30  # as after a command that failed
    with caplog.at_level("WARNING", logger="core.versioned_cache"):
        versioned_cache.bump("g")  # the change, while this process sees Redis away
        assert versioned_cache._skipped == {"g"}
        assert versioned_cache.cached("figure", ("g",), lambda: "computed directly") == "computed directly"

        shared.health.down_until = 0.0  # Redis answers again
        assert versioned_cache.cached("figure", ("g",), lambda: next(answers)) == "after"
    assert versioned_cache._skipped == set()
    assert any("skipped while the cache was away" in r.message for r in caplog.records)
    assert versioned_cache.cached("figure", ("g",), lambda: next(answers)) == "after"  # kept again


def test_the_application_form_shows_why_an_association_is_closed_with_redis_down(client, cache_down):
    """The reasons above the form are kept in Redis (applications.services.shown_application_blockers):
    with Redis stopped or paused they are worked out directly, and a change shows at once."""
    from tests.factories import ApplicationFactory, AssociationFactory, RepresentativeFactory

    owner = RepresentativeFactory()
    first, second = AssociationFactory(), AssociationFactory()
    ApplicationFactory(organisation=owner.organisation, association=first, status="submitted")
    client.force_login(owner.user)
    url = reverse("applications:application-create")
    assert client.get(url).status_code == 200  # warms the templates up, not timed
    response, seconds = timed(lambda: client.get(url))
    assert response.status_code == 200 and seconds < 3
    assert set(response.context["form"].unavailable) == {first.pk}
    ApplicationFactory(organisation=owner.organisation, association=second, status="submitted")
    assert set(client.get(url).context["form"].unavailable) == {first.pk, second.pk}
