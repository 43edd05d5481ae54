"""The notification outbox.

A Notification row is written in the same transaction as the event it tells of;
delivery by e-mail happens afterwards in a Celery task that claims the row, so a
lost broker message or a dead worker only delays a message, never loses it.

A row is for a user (`recipient`: in their inbox and e-mailed in their language) or, for
someone without an account, for an address (`email`, rendered in `language`): such a row
is only an e-mail and never appears in any inbox.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class EmailStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    SENDING = "sending", _("Sending")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")
    SKIPPED = "skipped", _("Not sent by e-mail")


class NotificationQuerySet(models.QuerySet):
    def for_user(self, user):
        if not user.is_authenticated:
            return self.none()
        return self.filter(recipient=user)

    def unread(self):
        return self.filter(read_at__isnull=True)

    def needs_attention(self, *, now):
        """E-mails staff should look at: failed, or still not sent long after they were written."""
        return self.filter(
            models.Q(email_status=EmailStatus.FAILED)
            | models.Q(
                email_status__in=[EmailStatus.PENDING, EmailStatus.SENDING],
                created_at__lt=now - settings.NOTIFICATION_LONG_PENDING_AFTER,
            )
        )

    def due_for_sweep(self, *, now):
        """Rows whose e-mail should be (re)enqueued: pending past the grace period, or stuck in sending.

        A `sending` claim is only taken back once it is older than NOTIFICATION_CLAIM_TIMEOUT, which
        exceeds the delivery task's hard time limit: by then the worker that claimed it has been
        killed or has given up, so the message cannot be in flight twice.
        A row the sweep enqueued recently (`email_enqueued_at`) is left alone: its message is still
        in the queue, perhaps behind a backlog.
        """
        return self.filter(
            models.Q(
                email_status=EmailStatus.PENDING,
                email_next_attempt_at__lte=now - settings.NOTIFICATION_SWEEP_AFTER,
            )
            | models.Q(email_status=EmailStatus.SENDING, email_claimed_at__lt=now - settings.NOTIFICATION_CLAIM_TIMEOUT)
        ).filter(
            models.Q(email_enqueued_at__isnull=True)
            | models.Q(email_enqueued_at__lt=now - settings.NOTIFICATION_REENQUEUE_AFTER)
        )


class Notification(models.Model):
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications", null=True, blank=True
    )
    # Someone without an account: the e-mail goes to this address, in this language.
    email = models.EmailField(blank=True, default="")
    language = models.CharField(max_length=8, choices=settings.LANGUAGES, blank=True, default="")
    kind = models.CharField(_("kind"), max_length=50)
    params = models.JSONField(default=dict, blank=True)
    url = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    read_at = models.DateTimeField(null=True, blank=True)
    # Optional idempotency key: one notification per (recipient, key), e.g. one reminder digest a day.
    dedupe_key = models.CharField(max_length=100, blank=True, default="")
    email_status = models.CharField(max_length=10, choices=EmailStatus.choices, default=EmailStatus.PENDING)
    email_attempts = models.PositiveSmallIntegerField(default=0)
    # Not claimable before this moment: retries back off by moving it forward.
    email_next_attempt_at = models.DateTimeField(default=timezone.now)
    email_claimed_at = models.DateTimeField(null=True, blank=True)
    # Who holds the claim: only that attempt may record the outcome.
    email_claim_token = models.CharField(max_length=32, blank=True, default="")
    # The Celery task that holds the claim: the same task redelivered after its worker died may
    # take the claim back at once, without waiting for NOTIFICATION_CLAIM_TIMEOUT.
    email_claim_task = models.CharField(max_length=64, blank=True, default="")
    # When the row was last handed to the broker (written: handed off at commit; a retry; the sweep),
    # None when that failed: the sweep enqueues it again only after NOTIFICATION_REENQUEUE_AFTER,
    # so rows waiting in a backlog are not enqueued over and over.
    email_enqueued_at = models.DateTimeField(null=True, blank=True)
    # Generated once, at the first attempt, and sent with every attempt: a receiver that got the
    # message twice sees the same Message-ID.
    email_message_id = models.CharField(max_length=255, blank=True, default="")
    # SMTP failures are retried for NOTIFICATION_RETRY_PERIOD from this moment: the row's writing,
    # or the moment staff asked to send it again.
    email_retry_since = models.DateTimeField(default=timezone.now)
    email_sent_at = models.DateTimeField(null=True, blank=True)
    email_error = models.TextField(blank=True)

    objects = NotificationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        indexes = [
            models.Index(fields=["recipient", "read_at"], name="notification_inbox_idx"),
            models.Index(fields=["email_status", "created_at"], name="notification_outbox_idx"),
            models.Index(fields=["email_status", "email_next_attempt_at"], name="notification_retry_idx"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["recipient", "dedupe_key"],
                condition=~models.Q(dedupe_key=""),
                name="notification_dedupe_key",
            ),
            # Exactly one of them: a user, or an address outside the portal.
            models.CheckConstraint(
                condition=models.Q(recipient__isnull=False, email="")
                | (models.Q(recipient__isnull=True) & ~models.Q(email="")),
                name="notification_recipient_or_email",
            ),
        ]

    def __str__(self):
        return f"{self.kind} → {self.recipient or self.email}"

    @property
    def address(self) -> str:
        """Where the e-mail goes: the recipient's current address, or the stored one."""
        return self.recipient.email if self.recipient_id else self.email
