"""Sending one notification by e-mail, safe to run twice and to be killed at any moment.

The row is the source of truth, not the broker message:

1. `claim()` moves the row pending → sending with a fresh token in one conditional UPDATE,
   so of two workers holding the same id only one sends. A row stuck in `sending` is
   claimable again only when its claim is older than NOTIFICATION_CLAIM_TIMEOUT, which is
   longer than the task's hard time limit: the worker that held it is dead by then.
2. The message is sent; it carries a stable Message-ID so a receiver can recognise it.
3. Only the holder of the token records the outcome: sent; or back to pending with the
   next attempt moved forward (exponential back-off); or failed once the attempts are
   used up or the address is refused for good.
"""

import logging
import smtplib
import uuid
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db.models import F, Q
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


def claim(notification_id: int) -> Claim | None:
    now = timezone.now()
    token = uuid.uuid4().hex
    claimable = Q(email_status=EmailStatus.PENDING, email_next_attempt_at__lte=now + CLOCK_SLACK) | Q(
        email_status=EmailStatus.SENDING, email_claimed_at__lt=now - settings.NOTIFICATION_CLAIM_TIMEOUT
    )
    updated = (
        Notification.objects.filter(claimable, pk=notification_id)
        .filter(email_attempts__lt=settings.NOTIFICATION_MAX_ATTEMPTS)
        .update(
            email_status=EmailStatus.SENDING,
            email_claimed_at=now,
            email_claim_token=token,
            email_attempts=F("email_attempts") + 1,
        )
    )
    return Claim(notification_id, token) if updated else None


def _held(claim_: Claim):
    return Notification.objects.filter(
        pk=claim_.notification_id, email_status=EmailStatus.SENDING, email_claim_token=claim_.token
    )


def build_message(notification: Notification) -> EmailMultiAlternatives:
    rendered = render_notification(notification)
    message = EmailMultiAlternatives(
        rendered.subject,
        rendered.text,
        to=[notification.address],
        headers={
            "Message-ID": message_id(f"notification-{notification.pk}"),
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


def record_failure(claim_: Claim, exc: Exception) -> int | None:
    """Give the row back for a later attempt and return the delay, or mark it failed and return None."""
    notification = Notification.objects.only("email_attempts").get(pk=claim_.notification_id)
    error = f"{type(exc).__name__}: {exc}"[:2000]
    if _is_permanent(exc) or notification.email_attempts >= settings.NOTIFICATION_MAX_ATTEMPTS:
        _held(claim_).update(email_status=EmailStatus.FAILED, email_error=error, email_claim_token="")
        logger.error("notification %s failed for good: %s", claim_.notification_id, error)
        return None
    countdown = backoff(notification.email_attempts)
    _held(claim_).update(
        email_status=EmailStatus.PENDING,
        email_error=error,
        email_claim_token="",
        email_next_attempt_at=timezone.now() + timedelta(seconds=countdown),
    )
    logger.warning("notification %s: attempt failed (%s), retry in %ss", claim_.notification_id, error, countdown)
    return countdown


def deliver(notification_id: int) -> bool:
    """Claim, send and record one notification's e-mail.

    Returns False when there was nothing to do (another worker holds or sent it).
    Raises RetryLater when sending failed and another attempt is due.
    """
    claim_ = claim(notification_id)
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
        if countdown is None:
            return True
        raise RetryLater(countdown, str(exc)) from exc
    recorded = _held(claim_).update(
        email_status=EmailStatus.SENT, email_sent_at=timezone.now(), email_error="", email_claim_token=""
    )
    if not recorded:
        logger.error("notification %s was sent but its claim had been taken over", notification_id)
    return True


def sweep(*, limit: int = 1000) -> list[int]:
    """Ids of notifications whose e-mail should be enqueued again (see NotificationQuerySet.due_for_sweep)."""
    return list(
        Notification.objects.due_for_sweep(now=timezone.now())
        .filter(email_attempts__lt=settings.NOTIFICATION_MAX_ATTEMPTS)
        .order_by("email_next_attempt_at")
        .values_list("pk", flat=True)[:limit]
    )


def fail_exhausted() -> int:
    """Rows stuck in `sending` whose attempts are used up: record the final failure."""
    now = timezone.now()
    return Notification.objects.filter(
        email_status=EmailStatus.SENDING,
        email_claimed_at__lt=now - settings.NOTIFICATION_CLAIM_TIMEOUT,
        email_attempts__gte=settings.NOTIFICATION_MAX_ATTEMPTS,
    ).update(email_status=EmailStatus.FAILED, email_error="the worker stopped while sending, attempts used up")
