"""Sending one notification by e-mail, safe to run twice."""

from django.core.mail import EmailMultiAlternatives
from django.utils import timezone

from .models import EmailStatus, Notification
from .services import render_notification


def deliver(notification_id: int) -> bool:
    """Claim the row (pending → sending), send, record the outcome.

    Returns False when another worker already claimed or sent it.
    """
    claimed = Notification.objects.filter(pk=notification_id, email_status=EmailStatus.PENDING).update(
        email_status=EmailStatus.SENDING, email_claimed_at=timezone.now()
    )
    if not claimed:
        return False
    notification = Notification.objects.select_related("recipient").get(pk=notification_id)
    rendered = render_notification(notification)
    message = EmailMultiAlternatives(rendered.subject, rendered.text, to=[notification.recipient.email])
    message.attach_alternative(rendered.html, "text/html")
    message.send()
    Notification.objects.filter(pk=notification_id).update(
        email_status=EmailStatus.SENT, email_sent_at=timezone.now(), email_attempts=notification.email_attempts + 1
    )
    return True
