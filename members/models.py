"""Organisations, associations, membership and applications to join.

Status changes of an application are model methods that update the row
conditionally (`UPDATE ... WHERE status = <expected>`), so two reviewers acting
at the same moment cannot both decide; each change writes an ApplicationEvent.
Workflows that notify people live in `members/services.py`.
"""

import hashlib
import uuid
from pathlib import PurePath

from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.models import PermissionsMixin
from django.db import models, transaction
from django.db.models import Q
from django.db.models.functions import Length
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from .validators import validate_inn, validate_kpp, validate_ogrn, validate_okved

models.CharField.register_lookup(Length)


def localized(obj, field: str) -> str:
    """The English variant `<field>_en` when English is active and filled in."""
    if (get_language() or "ru").startswith("en"):
        value = getattr(obj, f"{field}_en", "")
        if value:
            return value
    return getattr(obj, field)


# Users


class UserManager(BaseUserManager):
    use_in_migrations = True

    def _create_user(self, email, password, **extra):
        if not email:
            raise ValueError("An e-mail address is required")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email, password=None, **extra):
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra)

    def create_superuser(self, email, password=None, **extra):
        extra["is_staff"] = True
        extra["is_superuser"] = True
        return self._create_user(email, password, **extra)


class User(AbstractBaseUser, PermissionsMixin):
    """A person who signs in with an e-mail address.

    Roles: cluster administrator (`is_superuser`), cluster staff with read-only
    access to everything (`is_cluster_staff`), association coordinator (listed in
    `Association.coordinators`) and organisation representatives.
    """

    email = models.EmailField(_("e-mail"), unique=True)
    full_name = models.CharField(_("person's full name"), max_length=200, blank=True)
    is_staff = models.BooleanField(
        _("admin site access"), default=False, help_text=_("May sign in to the Django admin.")
    )
    is_active = models.BooleanField(_("active"), default=True)
    is_cluster_staff = models.BooleanField(
        _("cluster staff"), default=False, help_text=_("Read-only access to every association, project and member.")
    )
    language = models.CharField(_("language"), max_length=8, choices=settings.LANGUAGES, default="ru")
    date_joined = models.DateTimeField(_("date joined"), default=timezone.now)
    pd_consent_at = models.DateTimeField(_("personal data consent given"), null=True, blank=True)
    pd_policy_version = models.CharField(_("privacy policy version"), max_length=32, blank=True)

    objects = UserManager()

    EMAIL_FIELD = "email"
    USERNAME_FIELD = "email"
    REQUIRED_FIELDS = []

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self):
        return self.full_name or self.email

    def get_full_name(self):
        return self.full_name or self.email

    def get_short_name(self):
        return self.full_name.split(" ")[0] if self.full_name else self.email

    @property
    def is_cluster_admin(self) -> bool:
        return self.is_active and self.is_superuser

    @property
    def sees_everything(self) -> bool:
        """Administrators and cluster staff see every association's data."""
        return self.is_active and (self.is_superuser or self.is_cluster_staff)


# Reference data


class Region(models.Model):
    """A federal subject of Russia with its official two-digit code."""

    code = models.CharField(_("code"), max_length=2, unique=True)
    name = models.CharField(_("name"), max_length=120)
    name_en = models.CharField(_("name in English"), max_length=120)

    class Meta:
        ordering = ["code"]
        verbose_name = _("region")
        verbose_name_plural = _("regions")

    def __str__(self):
        return f"{self.code} {localized(self, 'name')}"

    @property
    def title(self):
        return localized(self, "name")


class Direction(models.Model):
    """A technology direction: additive manufacturing, photonics, robotics, …"""

    slug = models.SlugField(_("slug"), unique=True)
    name = models.CharField(_("name"), max_length=120, unique=True)
    name_en = models.CharField(_("name in English"), max_length=120)

    class Meta:
        ordering = ["name"]
        verbose_name = _("technology direction")
        verbose_name_plural = _("technology directions")

    def __str__(self):
        return localized(self, "name")

    @property
    def title(self):
        return localized(self, "name")


# Organisations


class LegalForm(models.TextChoices):
    LEGAL_ENTITY = "legal_entity", _("Legal entity (ЮЛ)")
    SOLE_TRADER = "sole_trader", _("Individual entrepreneur (ИП)")


class OrganisationKind(models.TextChoices):
    COMPANY = "company", _("Company")
    UNIVERSITY = "university", _("University")
    RESEARCH_INSTITUTE = "research_institute", _("Research institute")
    DEVELOPMENT_INSTITUTION = "development_institution", _("Development institution")
    INVESTOR = "investor", _("Investor")
    OTHER = "other", _("Other")


class OrganisationSize(models.TextChoices):
    MICRO = "micro", _("Micro")
    SMALL = "small", _("Small")
    MEDIUM = "medium", _("Medium")
    LARGE = "large", _("Large")


class OrganisationQuerySet(models.QuerySet):
    def approved_members(self):
        """Organisations with at least one active association membership."""
        return self.filter(memberships__status=MembershipStatus.ACTIVE).distinct()

    def of_user(self, user):
        if not user.is_authenticated:
            return self.none()
        return self.filter(representatives__user=user)


class Organisation(models.Model):
    legal_form = models.CharField(_("legal form"), max_length=20, choices=LegalForm.choices)
    kind = models.CharField(
        _("kind"), max_length=30, choices=OrganisationKind.choices, default=OrganisationKind.COMPANY
    )
    inn = models.CharField(_("ИНН"), max_length=12, unique=True, validators=[validate_inn])
    ogrn = models.CharField(_("ОГРН / ОГРНИП"), max_length=15, unique=True, validators=[validate_ogrn])
    kpp = models.CharField(_("КПП"), max_length=9, blank=True, validators=[validate_kpp])
    full_name = models.CharField(_("full legal name"), max_length=500)
    short_name = models.CharField(_("short name"), max_length=200)
    region = models.ForeignKey(Region, verbose_name=_("region"), on_delete=models.PROTECT, related_name="organisations")
    city = models.CharField(_("city"), max_length=120)
    address = models.CharField(_("address"), max_length=500, blank=True)
    website = models.URLField(_("website"), blank=True)
    email = models.EmailField(_("e-mail"))
    phone = models.CharField(_("phone"), max_length=32, blank=True)
    size = models.CharField(_("size"), max_length=10, choices=OrganisationSize.choices, default=OrganisationSize.SMALL)
    directions = models.ManyToManyField(
        Direction, verbose_name=_("technology directions"), related_name="organisations", blank=True
    )
    okved = models.CharField(_("main ОКВЭД code"), max_length=8, blank=True, validators=[validate_okved])
    description = models.TextField(_("competences"), blank=True)
    show_email = models.BooleanField(_("show e-mail to cluster members"), default=True)
    show_phone = models.BooleanField(_("show phone to cluster members"), default=False)
    users = models.ManyToManyField(
        settings.AUTH_USER_MODEL, through="Representative", related_name="organisations", blank=True
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = OrganisationQuerySet.as_manager()

    class Meta:
        ordering = ["short_name"]
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        indexes = [
            models.Index(fields=["region", "short_name"], name="org_region_name_idx"),
            models.Index(fields=["short_name"], name="org_short_name_idx"),
            models.Index(fields=["size"], name="org_size_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                name="organisation_identifiers_fit_legal_form",
                condition=(
                    Q(legal_form=LegalForm.LEGAL_ENTITY, inn__length=10, ogrn__length=13, kpp__length=9)
                    | Q(legal_form=LegalForm.SOLE_TRADER, inn__length=12, ogrn__length=15, kpp="")
                ),
                violation_error_message=_("ИНН, ОГРН and КПП do not fit the legal form."),
            ),
        ]

    def __str__(self):
        return self.short_name

    def get_absolute_url(self):
        """The organisation's page in the member directory."""
        return reverse("members:directory-detail", args=[self.pk])

    def clean(self):
        from django.core.exceptions import ValidationError

        from .validators import legal_form_errors

        errors = legal_form_errors(legal_form=self.legal_form, inn=self.inn, ogrn=self.ogrn, kpp=self.kpp)
        if errors:
            raise ValidationError(errors)

    @property
    def is_sole_trader(self) -> bool:
        return self.legal_form == LegalForm.SOLE_TRADER


class RepresentativeRole(models.TextChoices):
    OWNER = "owner", _("Owner")
    REPRESENTATIVE = "representative", _("Representative")


class Representative(models.Model):
    """A user who acts for an organisation; the owner manages its colleagues."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="representatives")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="representations")
    role = models.CharField(_("role"), max_length=20, choices=RepresentativeRole.choices)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("organisation representative")
        verbose_name_plural = _("organisation representatives")
        constraints = [
            models.UniqueConstraint(fields=["organisation", "user"], name="one_representation_per_user"),
        ]

    def __str__(self):
        return f"{self.user} — {self.organisation} ({self.get_role_display()})"


# Associations and membership


class AssociationStatus(models.TextChoices):
    FORMING = "forming", _("Forming")
    ACTIVE = "active", _("Active")
    ARCHIVED = "archived", _("Archived")


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

    class Meta:
        ordering = ["name"]
        verbose_name = _("association")
        verbose_name_plural = _("associations")

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("members:association-detail", args=[self.slug])

    @property
    def title(self):
        return localized(self, "name")

    @property
    def localized_summary(self):
        return localized(self, "summary")

    @property
    def localized_description(self):
        return localized(self, "description")

    def is_coordinated_by(self, user) -> bool:
        return user.is_authenticated and self.coordinators.filter(pk=user.pk).exists()


class MembershipRole(models.TextChoices):
    PARTICIPANT = "participant", _("Participant")
    PARTNER = "partner", _("Partner")
    COORDINATOR = "coordinator", _("Coordinating organisation")


class MembershipStatus(models.TextChoices):
    ACTIVE = "active", _("Active")
    SUSPENDED = "suspended", _("Suspended")
    ENDED = "ended", _("Ended")


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
    application = models.OneToOneField(
        "MembershipApplication", on_delete=models.SET_NULL, null=True, blank=True, related_name="membership"
    )

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


# Applications


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

# The workflow of PRODUCT.md and no other transitions.
TRANSITIONS = {
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
}


class TransitionError(Exception):
    """The application is not in a status that allows this step (or changed meanwhile)."""


class ApplicationQuerySet(models.QuerySet):
    def of_user(self, user):
        """Applications of the organisations the user represents."""
        if not user.is_authenticated:
            return self.none()
        return self.filter(organisation__representatives__user=user)

    def reviewable_by(self, user):
        """Applications the user may decide on: all for an administrator, own associations for a coordinator.

        Never those of an organisation the user represents: nobody decides on their own application.
        """
        if not (user.is_authenticated and user.is_active):
            return self.none()
        own = Representative.objects.filter(user=user).values("organisation_id")
        reviewable = self.exclude(status=ApplicationStatus.DRAFT).exclude(organisation_id__in=own)
        if user.is_superuser:
            return reviewable
        return reviewable.filter(association__coordinators=user)

    def open(self):
        return self.filter(status__in=OPEN_STATUSES)


def application_document_path(instance, filename):
    suffix = PurePath(filename).suffix.lower()[:10]
    return f"applications/{instance.application_id}/{uuid.uuid4().hex}{suffix}"


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
        ]

    def __str__(self):
        return f"{self.organisation} → {self.association} ({self.get_status_display()})"

    def get_absolute_url(self):
        return reverse("members:application-detail", args=[self.pk])

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    @property
    def is_decided(self) -> bool:
        return self.status in (ApplicationStatus.APPROVED, ApplicationStatus.REJECTED)

    def can_change_to(self, status: str) -> bool:
        return status in TRANSITIONS[ApplicationStatus(self.status)]

    def _change_status(
        self, to: str, *, by, comment: str = "", internal_note: str = "", **fields
    ) -> "ApplicationEvent":
        """Move to `to` if the row still has the status we loaded, and record the event.

        1. Refuse transitions the workflow does not allow.
        2. UPDATE ... WHERE status = <loaded status>: when another request changed
           the row meanwhile, no row matches and TransitionError is raised.
        3. Write the event in the same transaction.
        """
        if not self.can_change_to(to):
            raise TransitionError(f"{self.status} → {to} is not allowed")
        now = timezone.now()
        values = {"status": to, "status_changed_at": now, **fields}
        with transaction.atomic():
            updated = MembershipApplication.objects.filter(pk=self.pk, status=self.status).update(**values)
            if not updated:
                raise TransitionError("the application changed meanwhile")
            from_status = self.status
            for name, value in values.items():
                setattr(self, name, value)
            return ApplicationEvent.objects.create(
                application=self,
                actor=by,
                from_status=from_status,
                to_status=to,
                comment=comment,
                internal_note=internal_note,
                created_at=now,
            )

    def submit(self, *, by, comment: str = ""):
        """Submit a draft, or resubmit after an information request."""
        fields = {}
        if self.submitted_at is None:
            fields["submitted_at"] = timezone.now()
        return self._change_status(ApplicationStatus.SUBMITTED, by=by, comment=comment, **fields)

    def take_into_review(self, *, by, internal_note: str = ""):
        return self._change_status(ApplicationStatus.IN_REVIEW, by=by, internal_note=internal_note, assigned_to=by)

    def request_information(self, *, by, comment: str, internal_note: str = ""):
        if not comment.strip():
            raise ValueError("a comment is required to request information")
        return self._change_status(
            ApplicationStatus.INFO_REQUESTED, by=by, comment=comment, internal_note=internal_note
        )

    def reject(self, *, by, comment: str, internal_note: str = ""):
        if not comment.strip():
            raise ValueError("a reason is required to reject an application")
        return self._change_status(
            ApplicationStatus.REJECTED,
            by=by,
            comment=comment,
            internal_note=internal_note,
            decided_at=timezone.now(),
            decided_by=by,
        )

    def approve(self, *, by, comment: str = "", internal_note: str = ""):
        """Approve and make the organisation a member, in one transaction."""
        with transaction.atomic():
            event = self._change_status(
                ApplicationStatus.APPROVED,
                by=by,
                comment=comment,
                internal_note=internal_note,
                decided_at=timezone.now(),
                decided_by=by,
            )
            AssociationMembership.objects.create(
                organisation_id=self.organisation_id,
                association_id=self.association_id,
                role=MembershipRole.PARTICIPANT,
                status=MembershipStatus.ACTIVE,
                application=self,
            )
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


class ApplicationDocument(models.Model):
    """A document attached to an application, stored outside any public URL."""

    application = models.ForeignKey(MembershipApplication, on_delete=models.CASCADE, related_name="documents")
    file = models.FileField(upload_to=application_document_path, max_length=300)
    original_name = models.CharField(_("file name"), max_length=255)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64, blank=True)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True)
    uploaded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["uploaded_at", "pk"]
        verbose_name = _("application document")
        verbose_name_plural = _("application documents")

    def __str__(self):
        return self.original_name

    @staticmethod
    def digest(fileobj) -> str:
        sha = hashlib.sha256()
        for chunk in fileobj.chunks():
            sha.update(chunk)
        return sha.hexdigest()


# Joining an existing organisation


class JoinRequestStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    ACCEPTED = "accepted", _("Accepted")
    DECLINED = "declined", _("Declined")


class JoinRequest(models.Model):
    """A user asks to act for an organisation that is already registered; its owner decides."""

    organisation = models.ForeignKey(
        Organisation, verbose_name=_("organisation"), on_delete=models.CASCADE, related_name="join_requests"
    )
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="join_requests")
    message = models.TextField(_("message"), blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=JoinRequestStatus.choices, default=JoinRequestStatus.PENDING
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("join request")
        verbose_name_plural = _("join requests")
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "user"],
                condition=Q(status="pending"),
                name="one_pending_join_request_per_pair",
            ),
        ]

    def __str__(self):
        return f"{self.user} → {self.organisation} ({self.get_status_display()})"

    def _decide(self, status: str, *, by) -> bool:
        """Pending → accepted/declined once; False when someone decided meanwhile."""
        now = timezone.now()
        updated = JoinRequest.objects.filter(pk=self.pk, status=JoinRequestStatus.PENDING).update(
            status=status, decided_at=now, decided_by=by
        )
        if updated:
            self.status, self.decided_at, self.decided_by = status, now, by
        return bool(updated)

    def accept(self, *, by) -> bool:
        """Accept and make the user a representative, in one transaction."""
        with transaction.atomic():
            if not self._decide(JoinRequestStatus.ACCEPTED, by=by):
                return False
            Representative.objects.get_or_create(
                organisation_id=self.organisation_id,
                user_id=self.user_id,
                defaults={"role": RepresentativeRole.REPRESENTATIVE},
            )
        return True

    def decline(self, *, by) -> bool:
        return self._decide(JoinRequestStatus.DECLINED, by=by)


class Invitation(models.Model):
    """The owner invites a colleague by e-mail; the link carries a signed token of this row."""

    organisation = models.ForeignKey(
        Organisation, verbose_name=_("organisation"), on_delete=models.CASCADE, related_name="invitations"
    )
    email = models.EmailField(_("e-mail"))
    invited_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    accepted_at = models.DateTimeField(_("accepted"), null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "email"],
                condition=Q(accepted_at__isnull=True),
                name="one_open_invitation_per_email",
            ),
        ]

    def __str__(self):
        return f"{self.email} → {self.organisation}"

    def accept(self, *, user) -> bool:
        """Make the user a representative once; False when the invitation was used meanwhile."""
        now = timezone.now()
        with transaction.atomic():
            updated = Invitation.objects.filter(pk=self.pk, accepted_at__isnull=True).update(
                accepted_at=now, accepted_by=user
            )
            if not updated:
                return False
            self.accepted_at, self.accepted_by = now, user
            Representative.objects.get_or_create(
                organisation_id=self.organisation_id,
                user_id=user.pk,
                defaults={"role": RepresentativeRole.REPRESENTATIVE},
            )
        return True
