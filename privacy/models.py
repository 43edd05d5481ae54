"""What the portal records about a person's own personal data (152-FZ): consent and their requests.

Neither model holds personal data beyond the user's id (the account row itself is anonymised on
deletion and kept, so these records keep pointing at it).
"""

from datetime import timedelta

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

# Federal Law No. 152-FZ, art. 21 part 5: data are destroyed within 30 days of a withdrawal.
WITHDRAWAL_DEADLINE = timedelta(days=30)


class ConsentKind(models.TextChoices):
    GIVEN = "given", _("Consent given")
    WITHDRAWN = "withdrawn", _("Consent withdrawn")


class ConsentEvent(models.Model):
    """A change of the person's consent after sign-up.

    The consent given at sign-up stays where the sign-up writes it (`User.pd_consent_at`,
    `User.pd_policy_version`); `privacy.services.consent_history` reads both, so the history is
    «given at sign-up, withdrawn, given again» without a copy of the sign-up row.
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="consent_events")
    kind = models.CharField(_("kind"), max_length=10, choices=ConsentKind.choices)
    policy_version = models.CharField(_("privacy policy version"), max_length=32)
    created_at = models.DateTimeField(_("date"), default=timezone.now)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("consent event")
        verbose_name_plural = _("consent events")
        indexes = [models.Index(fields=["kind", "created_at"], name="consent_kind_created_idx")]

    def __str__(self):
        return f"{self.user_id}: {self.get_kind_display()} ({self.created_at:%Y-%m-%d})"

    @property
    def deletion_due(self):
        """A withdrawal's deadline: the data are destroyed by then unless consent is given again."""
        return self.created_at + WITHDRAWAL_DEADLINE


class EventKind(models.TextChoices):
    EXPORTED = "exported", _("Data downloaded")
    DELETION_REQUESTED = "deletion_requested", _("Deletion requested")
    DELETION_COMPLETED = "deletion_completed", _("Deletion completed")


class PersonalDataEvent(models.Model):
    """A request about the person's data and its completion: a download, a deletion."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="personal_data_events")
    kind = models.CharField(_("kind"), max_length=20, choices=EventKind.choices)
    created_at = models.DateTimeField(_("date"), default=timezone.now)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("personal data event")
        verbose_name_plural = _("personal data events")

    def __str__(self):
        return f"{self.user_id}: {self.get_kind_display()} ({self.created_at:%Y-%m-%d})"
