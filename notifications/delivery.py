"""Sending one notification by e-mail, safe to run twice and to be killed at any moment.

The row is the source of truth, not the broker message:

1. `claim()` moves the row pending → sending with a fresh token in one conditional UPDATE,
   so of two workers holding the same id only one sends. The claim names the Celery task that
   holds it: the same task redelivered after its worker died takes it back at once. Any other
   may take a row stuck in `sending` only when its claim is older than NOTIFICATION_CLAIM_TIMEOUT,
   which is longer than the task's hard time limit: the worker that held it is dead by then.
2. The message is sent; it carries a Message-ID generated at the first attempt and stored on
   the row, so every attempt (and a duplicate, if one happens) has the same one.
3. Only the holder of the token records the outcome: sent (retried through a database blip
   until the connection returns, within the task's time limit); or back to pending with the
   next attempt moved forward (capped exponential back-off); or failed once
   NOTIFICATION_RETRY_PERIOD has passed (3 days by default) or the address is refused for good.
"""

import logging
import smtplib
import time
import uuid
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import InterfaceError, OperationalError, close_old_connections, connection
from django.db.models import Case, F, Q, Value, When
from django.utils import timezone

from core.mail import message_id

from .models import EmailStatus, Notification
from .services import render_notification

logger = logging.getLogger(__name__)

# ETA tasks may fire a little early relative to the database clock.
CLOCK_SLACK = timedelta(seconds=2)


class RetryLater(Exception):
    """Sending failed for now; try again after `countdown` seconds."""

    def __init__(self, countdown: int, error: str):
        super().__init__(error)
        self.countdown = countdown


@dataclass(frozen=True)
class Claim:
    notification_id: int
    token: str


def backoff(attempt: int) -> int:
    """Seconds to wait after the given failed attempt: base, 2·base, 4·base, … up to the cap."""
    return min(settings.NOTIFICATION_RETRY_BACKOFF * 2 ** max(attempt - 1, 0), settings.NOTIFICATION_RETRY_BACKOFF_MAX)


def _within_attempts(queryset):
    if settings.NOTIFICATION_MAX_ATTEMPTS:
        return queryset.filter(email_attempts__lt=settings.NOTIFICATION_MAX_ATTEMPTS)
    return queryset


def claim(notification_id: int, *, task_id: str = "") -> Claim | None:
    """Take the row for one attempt, or None when it is not due or another attempt holds it.

    `task_id` is the Celery task's id: a task redelivered after its worker was killed carries the
    same id and may take its own claim back at once (the killed worker cannot still be sending).
    """
    now = timezone.now()
    token = uuid.uuid4().hex
    claimable = Q(email_status=EmailStatus.PENDING, email_next_attempt_at__lte=now + CLOCK_SLACK) | Q(
        email_status=EmailStatus.SENDING, email_claimed_at__lt=now - settings.NOTIFICATION_CLAIM_TIMEOUT
    )
    if task_id:
        claimable |= Q(email_status=EmailStatus.SENDING, email_claim_task=task_id)
    updated = _within_attempts(Notification.objects.filter(claimable, pk=notification_id)).update(
        # The Message-ID is generated at the first claim, in the same UPDATE, and kept from then on.
        email_message_id=Case(
            When(email_message_id="", then=Value(message_id(f"notification-{notification_id}"))),
            default=F("email_message_id"),
        ),
        email_status=EmailStatus.SENDING,
        email_enqueued_at=None,  # its message is consumed: if this attempt dies, the sweep may enqueue it
        email_claimed_at=now,
        email_claim_token=token,
        email_claim_task=task_id,
        email_attempts=F("email_attempts") + 1,
    )
    return Claim(notification_id, token) if updated else None


def _held(claim_: Claim):
    return Notification.objects.filter(
        pk=claim_.notification_id, email_status=EmailStatus.SENDING, email_claim_token=claim_.token
    )


def stored_message_id(notification: Notification) -> str:
    """The row's Message-ID, stored by its first claim and the same for every later attempt."""
    return notification.email_message_id or message_id(f"notification-{notification.pk}")


def build_message(notification: Notification) -> EmailMultiAlternatives:
    rendered = render_notification(notification)
    message = EmailMultiAlternatives(
        rendered.subject,
        rendered.text,
        to=[notification.address],
        headers={
            "Message-ID": stored_message_id(notification),
            "X-Portal-Notification": str(notification.pk),
        },
    )
    message.attach_alternative(rendered.html, "text/html")
    return message


def _is_permanent(exc: Exception) -> bool:
    """A refused address (5xx) will not become valid by waiting."""
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        return all(code >= 500 for code, _msg in exc.recipients.values())
    return False


def _given_up(notification: Notification, now) -> bool:
    """No further attempt: the retry period is over, or the attempts (when capped) are used up."""
    if now >= notification.email_retry_since + settings.NOTIFICATION_RETRY_PERIOD:
        return True
    maximum = settings.NOTIFICATION_MAX_ATTEMPTS
    return bool(maximum) and notification.email_attempts >= maximum


def record_failure(claim_: Claim, exc: Exception) -> int | None:
    """Give the row back for a later attempt and return the delay, or mark it failed and return None."""
    notification = Notification.objects.only("email_attempts", "email_retry_since").get(pk=claim_.notification_id)
    error = f"{type(exc).__name__}: {exc}"[:2000]
    now = timezone.now()
    if _is_permanent(exc) or _given_up(notification, now):
        _held(claim_).update(email_status=EmailStatus.FAILED, email_error=error, email_claim_token="")
        logger.error("notification %s failed for good: %s", claim_.notification_id, error)
        return None
    countdown = backoff(notification.email_attempts)
    _held(claim_).update(
        email_status=EmailStatus.PENDING,
        email_error=error,
        email_claim_token="",
        email_claim_task="",
        # A short wait is a Celery retry (a hand-off of its own); a longer one is the sweep's.
        email_enqueued_at=now if countdown <= settings.NOTIFICATION_RETRY_COUNTDOWN_MAX else None,
        email_next_attempt_at=now + timedelta(seconds=countdown),
    )
    logger.warning("notification %s: attempt failed (%s), retry in %ss", claim_.notification_id, error, countdown)
    return countdown


def _reconnect() -> None:
    """Drop a connection the blip broke, so the next query opens a new one (never inside a transaction)."""
    if not connection.in_atomic_block:
        close_old_connections()


def record_sent(claim_: Claim, *, deadline: float) -> int:
    """Record `sent`, retrying through a database blip until the connection returns or `deadline` passes.

    The SMTP server has accepted the message: giving up here would leave the row claimed, and the
    sweep would send it again after the claim timeout. So the UPDATE is retried with back-off
    (0.2 s, 0.4 s, … up to 5 s) within the task's time limit (`deadline`, a `time.monotonic()` value).
    """
    delay = 0.2
    while True:
        try:
            return _held(claim_).update(
                email_status=EmailStatus.SENT,
                email_sent_at=timezone.now(),
                email_error="",
                email_claim_token="",
                email_claim_task="",
            )
        except (OperationalError, InterfaceError) as exc:
            if time.monotonic() + delay >= deadline:
                logger.error("notification %s was sent but could not be recorded: %s", claim_.notification_id, exc)
                raise
            logger.warning(
                "notification %s was sent; recording it failed (%s), trying again in %.1fs",
                claim_.notification_id,
                exc,
                delay,
            )
            time.sleep(delay)
            delay = min(delay * 2, 5.0)
            _reconnect()


def deliver(notification_id: int, *, task_id: str = "", deadline: float | None = None) -> bool:
    """Claim, send and record one notification's e-mail.

    Returns False when there was nothing to do (another worker holds or sent it).
    Raises RetryLater when sending failed and another attempt is due soon enough to wait in the
    broker (NOTIFICATION_RETRY_COUNTDOWN_MAX); a later attempt is left to the sweep.
    `deadline` (`time.monotonic()`) bounds the retries of recording `sent`; by default 80% of the
    send time limit from now.
    """
    if deadline is None:
        deadline = time.monotonic() + settings.NOTIFICATION_SEND_TIME_LIMIT * 0.8
    claim_ = claim(notification_id, task_id=task_id)
    if claim_ is None:
        return False
    notification = Notification.objects.select_related("recipient").get(pk=notification_id)
    recipient = notification.recipient
    if recipient is not None and not (recipient.is_active and recipient.email):
        _held(claim_).update(email_status=EmailStatus.SKIPPED, email_claim_token="")
        return True
    try:
        message = build_message(notification)
        with get_connection(fail_silently=False) as connection:
            connection.send_messages([message])
    except Exception as exc:  # SMTP errors, refused connections, time limits: all recorded on the row
        countdown = record_failure(claim_, exc)
        if countdown is None or countdown > settings.NOTIFICATION_RETRY_COUNTDOWN_MAX:
            return True
        raise RetryLater(countdown, str(exc)) from exc
    recorded = record_sent(claim_, deadline=deadline)
    if not recorded:
        logger.error("notification %s was sent but its claim had been taken over", notification_id)
    return True


def sweep(*, limit: int = 1000) -> list[int]:
    """Ids of notifications whose e-mail should be enqueued again (see NotificationQuerySet.due_for_sweep).

    They are marked enqueued now: the next sweeps leave them alone for NOTIFICATION_REENQUEUE_AFTER.
    """
    now = timezone.now()
    ids = list(
        _within_attempts(Notification.objects.due_for_sweep(now=now))
        .order_by("email_next_attempt_at")
        .values_list("pk", flat=True)[:limit]
    )
    if ids:
        Notification.objects.filter(pk__in=ids).update(email_enqueued_at=now)
    return ids


def fail_exhausted() -> int:
    """Rows stuck in `sending` past the retry period (or their capped attempts): record the final failure."""
    now = timezone.now()
    given_up = Q(email_retry_since__lt=now - settings.NOTIFICATION_RETRY_PERIOD)
    if settings.NOTIFICATION_MAX_ATTEMPTS:
        given_up |= Q(email_attempts__gte=settings.NOTIFICATION_MAX_ATTEMPTS)
    return (
        Notification.objects.filter(
            email_status=EmailStatus.SENDING, email_claimed_at__lt=now - settings.NOTIFICATION_CLAIM_TIMEOUT
        )
        .filter(given_up)
        .update(email_status=EmailStatus.FAILED, email_error="the worker stopped while sending, retry period over")
    )
