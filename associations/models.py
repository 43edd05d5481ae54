"""Interindustry associations and which organisations are their members."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.i18n import localized
from members.models import Direction, Organisation


class AssociationStatus(models.TextChoices):
    FORMING = "forming", _("Forming")
    ACTIVE = "active", _("Active")
    ARCHIVED = "archived", _("Archived")


class AssociationQuerySet(models.QuerySet):
    def open(self):
        """Associations that are forming or active: listed, and open to applications."""
        return self.exclude(status=AssociationStatus.ARCHIVED)


class Association(models.Model):
    """An interindustry association (межотраслевое объединение) of the cluster."""

    name = models.CharField(_("name"), max_length=200, unique=True)
    name_en = models.CharField(_("name in English"), max_length=200, blank=True)
    slug = models.SlugField(_("slug"), unique=True, max_length=80)
    summary = models.CharField(_("summary"), max_length=300, blank=True)
    summary_en = models.CharField(_("summary in English"), max_length=300, blank=True)
    description = models.TextField(_("description"), blank=True)
    description_en = models.TextField(_("description in English"), blank=True)
    directions = models.ManyToManyField(Direction, verbose_name=_("technology directions"), related_name="associations")
    status = models.CharField(
        _("status"), max_length=10, choices=AssociationStatus.choices, default=AssociationStatus.ACTIVE
    )
    founded_on = models.DateField(_("founded"), null=True, blank=True)
    is_featured = models.BooleanField(_("featured on the home page"), default=False)
    coordinators = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("coordinators"),
        related_name="coordinated_associations",
        blank=True,
        help_text=_("People who review applications and manage the association's projects."),
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = AssociationQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name = _("association")
        verbose_name_plural = _("associations")

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("pages:association-detail", args=[self.slug])

    @property
    def title(self):
        return localized(self, "name")

    @property
    def localized_summary(self):
        return localized(self, "summary")

    @property
    def localized_description(self):
        return localized(self, "description")

    @property
    def is_open(self) -> bool:
        return self.status != AssociationStatus.ARCHIVED


class MembershipRole(models.TextChoices):
    PARTICIPANT = "participant", _("Participant")
    PARTNER = "partner", _("Partner")
    COORDINATOR = "coordinator", _("Coordinating organisation")


# The roles named «partners» on an association's pages and in its counts; the others are participants.
PARTNER_ROLES = (MembershipRole.PARTNER, MembershipRole.COORDINATOR)


class MembershipStatus(models.TextChoices):
    ACTIVE = "active", _("Active")
    SUSPENDED = "suspended", _("Suspended")
    ENDED = "ended", _("Ended")


class MembershipQuerySet(models.QuerySet):
    def active(self):
        return self.filter(status=MembershipStatus.ACTIVE)


class AssociationMembership(models.Model):
    organisation = models.ForeignKey(
        Organisation, verbose_name=_("organisation"), on_delete=models.CASCADE, related_name="memberships"
    )
    association = models.ForeignKey(
        Association, verbose_name=_("association"), on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(
        _("role"), max_length=20, choices=MembershipRole.choices, default=MembershipRole.PARTICIPANT
    )
    status = models.CharField(
        _("status"), max_length=10, choices=MembershipStatus.choices, default=MembershipStatus.ACTIVE
    )
    since = models.DateField(_("member since"), default=timezone.localdate)
    ended_on = models.DateField(_("ended"), null=True, blank=True)

    objects = MembershipQuerySet.as_manager()

    class Meta:
        ordering = ["association", "organisation"]
        verbose_name = _("association membership")
        verbose_name_plural = _("association memberships")
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "association"],
                condition=Q(status="active"),
                name="one_active_membership_per_pair",
                violation_error_message=_("The organisation is already an active member of this association."),
            ),
        ]
        indexes = [models.Index(fields=["association", "status"], name="membership_assoc_status_idx")]

    def __str__(self):
        return f"{self.organisation} — {self.association}"
