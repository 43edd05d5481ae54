"""Writing notifications (the outbox) and rendering them.

Every kind of notification has three templates, rendered in the recipient's
language with the context {"recipient", "params", "url", "site_url"}:

    templates/notifications/email/<kind>_subject.txt   one line, also the inbox title
    templates/notifications/email/<kind>.txt           plain-text e-mail body
    templates/notifications/email/<kind>.html          HTML e-mail body

`notify()` must be called inside the transaction of the event it reports; the
e-mail is enqueued only after that transaction commits.
"""

from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import translation

from .models import Notification


@dataclass(frozen=True)
class RenderedNotification:
    subject: str
    text: str
    html: str


def notify(*, recipient, kind: str, params: dict | None = None, url: str = "") -> Notification:
    """Write one notification row and enqueue its e-mail after commit."""
    notification = Notification.objects.create(recipient=recipient, kind=kind, params=params or {}, url=url)
    from .tasks import deliver_notification

    transaction.on_commit(lambda: _enqueue(deliver_notification, notification.pk))
    return notification


def _enqueue(task, pk: int) -> None:
    """Hand the id to Celery; if the broker is down the periodic sweep picks it up later."""
    try:
        task.delay(pk)
    except Exception:  # broker unavailable: the row stays pending and is swept
        import logging

        logging.getLogger(__name__).warning("could not enqueue notification %s; the sweep will retry", pk, exc_info=True)


def absolute_url(path: str) -> str:
    if not path or path.startswith("http"):
        return path
    return settings.SITE_URL + path


def render_notification(notification: Notification) -> RenderedNotification:
    language = getattr(notification.recipient, "language", None) or settings.LANGUAGE_CODE
    context = {
        "recipient": notification.recipient,
        "params": notification.params,
        "url": absolute_url(notification.url),
        "site_url": settings.SITE_URL,
    }
    base = f"notifications/email/{notification.kind}"
    with translation.override(language):
        subject = " ".join(render_to_string(f"{base}_subject.txt", context).split())
        text = render_to_string(f"{base}.txt", context)
        html = render_to_string(f"{base}.html", context)
    return RenderedNotification(subject=subject, text=text, html=html)
