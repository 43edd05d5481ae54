"""Writing notifications (the outbox) and rendering them.

Every kind of notification has three templates, rendered in the recipient's
language with the context {"recipient", "params", "url", "site_url"}:

    templates/notifications/email/<kind>_subject.txt   one line, also the inbox title
    templates/notifications/email/<kind>.txt           plain-text e-mail body
    templates/notifications/email/<kind>.html          HTML e-mail body

`notify()` must be called inside the transaction of the event it reports; the
e-mail is enqueued only after that transaction commits. `notify_address()` does the
same for someone without an account: the row holds the address and the language, its
templates get `recipient` None, and it appears in no inbox.
"""

from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.template import TemplateDoesNotExist
from django.template.loader import render_to_string
from django.utils import timezone, translation

from core import versioned_cache
from core.permissions import sees_everything

from .models import EmailStatus, Notification
from .unread import unread_changed, user_group


@dataclass(frozen=True)
class RenderedNotification:
    subject: str
    text: str
    html: str


def notify(*, recipient, kind: str, params: dict | None = None, url: str = "", dedupe_key: str = "") -> Notification:
    """Write one notification row and enqueue its e-mail after commit.

    With a `dedupe_key`, a second notification with the same key for the same recipient is not
    written: the existing one is returned (the database enforces it).
    """
    if dedupe_key:
        existing = Notification.objects.filter(recipient=recipient, dedupe_key=dedupe_key).first()
        if existing is not None:
            return existing
    notification = Notification.objects.create(
        recipient=recipient,
        kind=kind,
        params=params or {},
        url=url,
        dedupe_key=dedupe_key,
        email_enqueued_at=timezone.now(),  # handed off at commit; unmarked if that fails (tasks.py)
    )
    _enqueue_on_commit(notification)
    return notification


def notify_address(*, email: str, language: str, kind: str, params: dict | None = None, url: str = "") -> Notification:
    """Write one e-mail-only notification to an address without an account and enqueue it after commit.

    It is rendered in `language` (the sender's, as the reader has no profile) and delivered like
    any other row: claimed, retried with back-off and swept if lost.
    """
    notification = Notification.objects.create(
        email=email, language=language, kind=kind, params=params or {}, url=url, email_enqueued_at=timezone.now()
    )
    _enqueue_on_commit(notification)
    return notification


def _enqueue_on_commit(notification: Notification) -> None:
    """Hand the id to Celery after commit (core.tasks); if the broker is down the sweep sends it later."""
    from .tasks import deliver_notification

    deliver_notification.delay(notification.pk)


def absolute_url(path: str) -> str:
    if not path or path.startswith("http"):
        return path
    return settings.SITE_URL + path


def localized_params(params: dict) -> dict:
    """`params` with every `<key>_en` value in place of `<key>` when English is active."""
    english = (translation.get_language() or settings.LANGUAGE_CODE).startswith("en")
    result = {}
    for key, value in params.items():
        if key.endswith("_en"):
            continue
        result[key] = (params.get(f"{key}_en") or value) if english else value
    return result


def _context(notification: Notification) -> dict:
    return {
        "recipient": notification.recipient,
        "params": localized_params(notification.params),
        "url": absolute_url(notification.url),
        "site_url": settings.SITE_URL,
    }


def notification_title(notification: Notification) -> str:
    """The one-line subject in the active language, also the inbox title."""
    base = f"notifications/email/{notification.kind}"
    try:
        return " ".join(render_to_string(f"{base}_subject.txt", _context(notification)).split())
    except TemplateDoesNotExist:
        return notification.kind


def recent_notifications(user, count: int = 5) -> list[tuple[Notification, str]]:
    """The user's latest notifications with their titles (the cabinet's list), kept per user and
    language until one of their notifications changes (as the unread count: `unread.user_group`);
    a title is a template drawn per notification."""

    def compute() -> list:
        latest = Notification.objects.for_user(user).select_related("recipient").order_by("-created_at", "-pk")
        rows = [(notification, notification_title(notification)) for notification in latest[:count]]
        for notification, _title in rows:  # the titles are drawn: the user's row is not kept in the cache
            Notification.recipient.field.delete_cached_value(notification)
        return rows

    name = f"recent-notifications:{user.pk}:{translation.get_language()}:{count}"
    return versioned_cache.cached(name, (user_group(user.pk),), compute)


def render_notification(notification: Notification) -> RenderedNotification:
    """Subject, text and HTML of the e-mail, in the recipient's language (or the row's, for an address)."""
    language = getattr(notification.recipient, "language", None) or notification.language or settings.LANGUAGE_CODE
    base = f"notifications/email/{notification.kind}"
    with translation.override(language):
        context = _context(notification)
        subject = " ".join(render_to_string(f"{base}_subject.txt", context).split())
        text = render_to_string(f"{base}.txt", context)
        html = render_to_string(f"{base}.html", context)
    return RenderedNotification(subject=subject, text=text, html=html)


def notification_mark_read(*, notification: Notification, user) -> None:
    """Mark one of the user's own notifications read (once: the first reading time stays)."""
    if (
        Notification.objects.for_user(user)
        .filter(pk=notification.pk, read_at__isnull=True)
        .update(read_at=timezone.now())
    ):
        unread_changed(user.pk)


def notifications_mark_all_read(*, user) -> int:
    marked = Notification.objects.for_user(user).unread().update(read_at=timezone.now())
    if marked:
        unread_changed(user.pk)
    return marked


def notification_resend(*, notification_id: int, user) -> bool:
    """Send a failed or long-pending e-mail again: staff and administrators only.

    In one transaction the row becomes pending again, due now, with a fresh retry period and its
    error kept until the next attempt; its e-mail is enqueued after commit (the sweep sends it if the
    broker is away). Its Message-ID stays. Returns False when the row is no longer one to resend
    (sent meanwhile, or being sent now).
    """
    if not sees_everything(user):
        raise PermissionDenied
    now = timezone.now()
    with transaction.atomic():
        updated = (
            Notification.objects.needs_attention(now=now)
            .filter(pk=notification_id, email_status__in=[EmailStatus.FAILED, EmailStatus.PENDING])
            .update(
                email_status=EmailStatus.PENDING,
                email_attempts=0,
                email_next_attempt_at=now,
                email_retry_since=now,
                email_claim_token="",
                email_claim_task="",
                email_enqueued_at=now,
            )
        )
        if updated:
            from .tasks import deliver_notification

            deliver_notification.delay(notification_id)
    return bool(updated)
