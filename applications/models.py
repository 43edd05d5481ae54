"""Applications to join an association, their history and documents.

Each status change is a model method that goes through the decide-once primitive
(`core.transitions`): `UPDATE … WHERE status = <expected>` and an ApplicationEvent in the same
transaction, so two reviewers acting at the same moment cannot both decide. Workflows that
notify people are the services in `applications/services/`.
"""

from django.conf import settings
from django.db import models, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from associations.models import Association, AssociationMembership, MembershipRole, MembershipStatus
from core import audit, permissions
from core.documents import DOCX, JPEG, PDF, PNG, XLSX, Document, DocumentPolicy
from core.transitions import Workflow, require
from members.models import Direction, Organisation


class ApplicationStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    IN_REVIEW = "in_review", _("In review")
    INFO_REQUESTED = "info_requested", _("Information requested")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")
    WITHDRAWN = "withdrawn", _("Withdrawn")


OPEN_STATUSES = (
    ApplicationStatus.DRAFT,
    ApplicationStatus.SUBMITTED,
    ApplicationStatus.IN_REVIEW,
    ApplicationStatus.INFO_REQUESTED,
)
PENDING_REVIEW_STATUSES = (ApplicationStatus.SUBMITTED, ApplicationStatus.IN_REVIEW)
EDITABLE_STATUSES = (ApplicationStatus.DRAFT, ApplicationStatus.INFO_REQUESTED)

# The workflow of PRODUCT.md and no other transitions.
WORKFLOW = Workflow(
    "status",
    {
        ApplicationStatus.DRAFT: {ApplicationStatus.SUBMITTED, ApplicationStatus.WITHDRAWN},
        ApplicationStatus.SUBMITTED: {ApplicationStatus.IN_REVIEW, ApplicationStatus.WITHDRAWN},
        ApplicationStatus.IN_REVIEW: {
            ApplicationStatus.INFO_REQUESTED,
            ApplicationStatus.APPROVED,
            ApplicationStatus.REJECTED,
            ApplicationStatus.WITHDRAWN,
        },
        ApplicationStatus.INFO_REQUESTED: {ApplicationStatus.SUBMITTED, ApplicationStatus.WITHDRAWN},
        ApplicationStatus.APPROVED: set(),
        ApplicationStatus.REJECTED: set(),
        ApplicationStatus.WITHDRAWN: set(),
    },
)


class ApplicationQuerySet(models.QuerySet):
    def of_user(self, user):
        """Applications of the organisations the user represents (the applicant's side)."""
        return self.filter(organisation_id__in=permissions.represented_organisation_ids(user))

    def _submitted_by_others(self, user):
        """Applications past their draft, of organisations the user does not act for (their own
        applications are in the cabinet, never in the review pages)."""
        return self.exclude(status=ApplicationStatus.DRAFT).exclude(
            organisation_id__in=permissions.represented_organisation_ids(user)
        )

    def reviewable_by(self, user):
        """Applications the user may decide on (`core.permissions.may_review_application`):
        submitted ones of the associations they coordinate (all, for an administrator), never
        those of an organisation they represent."""
        return permissions.limit_to_coordinated(self._submitted_by_others(user), user)

    def viewable_by(self, user):
        """Applications the user may read in the review pages (`core.permissions.may_view_applications`):
        those they review, and for cluster staff every association's, never those of an organisation
        they represent."""
        return permissions.limit_to_overseen(self._submitted_by_others(user), user)

    def open(self):
        return self.filter(status__in=OPEN_STATUSES)


class MembershipApplication(models.Model):
    organisation = models.ForeignKey(
        Organisation, verbose_name=_("organisation"), on_delete=models.CASCADE, related_name="applications"
    )
    association = models.ForeignKey(
        Association, verbose_name=_("association"), on_delete=models.PROTECT, related_name="applications"
    )
    applicant = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("applicant"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="applications",
    )
    motivation = models.TextField(_("motivation"), blank=True)
    competences = models.TextField(_("competences offered"), blank=True)
    directions = models.ManyToManyField(Direction, verbose_name=_("directions of interest"), blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=ApplicationStatus.choices, default=ApplicationStatus.DRAFT
    )
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("reviewer"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="assigned_applications",
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)
    status_changed_at = models.DateTimeField(_("status changed"), default=timezone.now)
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="decided_applications"
    )
    # The membership its approval created.
    membership = models.OneToOneField(
        AssociationMembership,
        verbose_name=_("membership"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="application",
    )

    objects = ApplicationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("membership application")
        verbose_name_plural = _("membership applications")
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "association"],
                condition=Q(status__in=["draft", "submitted", "in_review", "info_requested"]),
                name="one_open_application_per_pair",
                violation_error_message=_("The organisation already has an open application to this association."),
            ),
        ]
        indexes = [
            models.Index(fields=["status", "submitted_at"], name="application_queue_idx"),
            models.Index(fields=["association", "status"], name="application_assoc_status_idx"),
            # The review queue's default page: an association's waiting applications, the longest
            # waiting first, read in index order (22 → 1.6 ms at 350k organisations).
            models.Index(
                fields=["association", "status_changed_at", "id"],
                condition=Q(status__in=["submitted", "in_review"]),
                name="application_waiting_idx",
            ),
        ]

    def __str__(self):
        return f"{self.organisation} → {self.association} ({self.get_status_display()})"

    def get_absolute_url(self):
        return reverse("applications:application-detail", args=[self.pk])

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    @property
    def is_editable(self) -> bool:
        return self.status in EDITABLE_STATUSES

    @property
    def is_decided(self) -> bool:
        return self.status in (ApplicationStatus.APPROVED, ApplicationStatus.REJECTED)

    def can_change_to(self, status: str) -> bool:
        return WORKFLOW.allows(self.status, status)

    def _change_status(self, to: str, *, by, comment: str = "", internal_note: str = "", **fields):
        """Move to `to` once (core.transitions) and record who, when and why."""
        now = timezone.now()

        def record(from_status):
            return ApplicationEvent.objects.create(
                application=self,
                actor=by,
                from_status=from_status,
                to_status=to,
                comment=comment,
                internal_note=internal_note,
                created_at=now,
            )

        return WORKFLOW.change(self, to, values={"status_changed_at": now, **fields}, record=record, actor=by)

    def submit(self, *, by, comment: str = ""):
        """Submit a draft, or resubmit after an information request."""
        fields = {}
        if self.submitted_at is None:
            fields["submitted_at"] = timezone.now()
        return self._change_status(ApplicationStatus.SUBMITTED, by=by, comment=comment, **fields)

    def take_into_review(self, *, by, internal_note: str = ""):
        return self._change_status(ApplicationStatus.IN_REVIEW, by=by, internal_note=internal_note, assigned_to=by)

    def request_information(self, *, by, comment: str, internal_note: str = ""):
        require(bool(comment.strip()), "a comment is required to request information")
        return self._change_status(
            ApplicationStatus.INFO_REQUESTED, by=by, comment=comment, internal_note=internal_note
        )

    def reject(self, *, by, comment: str, internal_note: str = ""):
        require(bool(comment.strip()), "a reason is required to reject an application")
        return self._change_status(
            ApplicationStatus.REJECTED,
            by=by,
            comment=comment,
            internal_note=internal_note,
            decided_at=timezone.now(),
            decided_by=by,
        )

    def approve(self, *, by, comment: str = "", internal_note: str = ""):
        """Approve and make the organisation a member, in one transaction (the audit log names `by`)."""
        with transaction.atomic(), audit.acting_as(by):
            event = self._change_status(
                ApplicationStatus.APPROVED,
                by=by,
                comment=comment,
                internal_note=internal_note,
                decided_at=timezone.now(),
                decided_by=by,
            )
            self.membership = AssociationMembership.objects.create(
                organisation_id=self.organisation_id,
                association_id=self.association_id,
                role=MembershipRole.PARTICIPANT,
                status=MembershipStatus.ACTIVE,
            )
            self.save(update_fields=["membership"])
        return event

    def withdraw(self, *, by, comment: str = ""):
        return self._change_status(ApplicationStatus.WITHDRAWN, by=by, comment=comment)


class ApplicationEvent(models.Model):
    """One step of an application's history: who, when, from, to and why."""

    application = models.ForeignKey(MembershipApplication, on_delete=models.CASCADE, related_name="events")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True)
    from_status = models.CharField(max_length=20, choices=ApplicationStatus.choices, blank=True)
    to_status = models.CharField(max_length=20, choices=ApplicationStatus.choices)
    comment = models.TextField(_("comment"), blank=True, help_text=_("Visible to the applicant."))
    internal_note = models.TextField(_("internal note"), blank=True, help_text=_("Visible to reviewers only."))
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("application event")
        verbose_name_plural = _("application events")

    def __str__(self):
        return f"{self.from_status or '∅'} → {self.to_status}"


class ApplicationDocument(Document):
    """A document attached to an application (core.documents)."""

    POLICY = DocumentPolicy(types=(PDF, DOCX, XLSX, PNG, JPEG), max_size=10 * 1024 * 1024, max_count=5)
    owner_field = "application"
    storage_folder = "applications"

    application = models.ForeignKey(MembershipApplication, on_delete=models.CASCADE, related_name="documents")

    class Meta(Document.Meta):
        verbose_name = _("application document")
        verbose_name_plural = _("application documents")

    def __str__(self):
        return self.original_name
