"""Joint projects of the associations, their participants, stages and milestones."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from associations.models import Association
from core import permissions
from core.documents import DOCX, JPEG, ODS, ODT, PDF, PNG, PPTX, TEXT, XLSX, Document, DocumentPolicy
from core.i18n import localized
from core.search import SearchSpec
from core.transitions import REQUEST_WORKFLOW, RequestStatus, Workflow
from members.models import Direction, Organisation


class Stage(models.TextChoices):
    IDEA = "idea", _("Idea")
    DEVELOPMENT = "development", _("Development")
    PROMOTION = "promotion", _("Promotion")
    REPLICATION = "replication", _("Replication")
    COMPLETED = "completed", _("Completed")
    SUSPENDED = "suspended", _("Suspended")


BOARD_STAGES = (Stage.IDEA, Stage.DEVELOPMENT, Stage.PROMOTION, Stage.REPLICATION, Stage.COMPLETED)


class Visibility(models.TextChoices):
    PUBLIC = "public", _("Everyone")
    MEMBERS = "members", _("Cluster members")
    STAFF = "staff", _("Cluster staff")


# Any stage may follow any other: projects are suspended, resumed, sent back to development.
STAGE_WORKFLOW = Workflow("stage", {stage: set(Stage.values) - {stage} for stage in Stage.values})


class ProjectQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Projects the user may see, without joins that multiply rows.

        - everyone: public projects;
        - representatives of member organisations and coordinators: also "members" projects;
        - coordinators: every project of their own associations, staff-only ones included;
        - cluster staff and administrators: everything.
        A staff-only project of another association is never in the result, so it
        cannot leak through search, counts, suggestions or association pages.
        """
        if not permissions.is_signed_in(user):
            return self.filter(visibility=Visibility.PUBLIC)
        if permissions.sees_everything(user):
            return self.all()
        visible = Q(visibility=Visibility.PUBLIC) | Q(association_id__in=permissions.coordinated_association_ids(user))
        if permissions.is_cluster_member(user):
            visible |= Q(visibility=Visibility.MEMBERS)
        return self.filter(visible)

    def visibility_scope(self, user) -> str:
        """A name for what `visible_to(user)` returns, following its branches: users with the same
        scope see the same projects, so figures counted from them are cached per scope (1 query for
        a signed-in user who is not staff: the associations they coordinate)."""
        if not permissions.is_signed_in(user):
            return "public"
        if permissions.sees_everything(user):
            return "all"
        coordinated = permissions.coordinated_ids(user)
        member = "members" if permissions.is_cluster_member(user) else "signed-in"
        return f"{member}:{','.join(map(str, coordinated))}"

    def manageable_by(self, user):
        """Projects the user may edit: administrators all, coordinators their associations' ones."""
        return permissions.limit_to_coordinated(self, user)


# The project list searches titles, summaries and descriptions in both languages.
PROJECT_SEARCH = SearchSpec(
    prefix="project",
    fields=("title", "title_en", "summary", "summary_en", "description", "description_en"),
    name_field="title",
    long_texts=True,
)

RESERVED_SLUGS = ("new", "board")


class Project(models.Model):
    association = models.ForeignKey(
        Association, verbose_name=_("association"), on_delete=models.PROTECT, related_name="projects"
    )
    slug = models.SlugField(_("slug"), unique=True, max_length=100)
    title = models.CharField(_("title"), max_length=250)
    title_en = models.CharField(_("title in English"), max_length=250, blank=True)
    summary = models.CharField(_("summary"), max_length=500)
    summary_en = models.CharField(_("summary in English"), max_length=500, blank=True)
    description = models.TextField(_("description"), blank=True)
    description_en = models.TextField(_("description in English"), blank=True)
    directions = models.ManyToManyField(
        Direction, verbose_name=_("technology directions"), related_name="projects", blank=True
    )
    stage = models.CharField(_("stage"), max_length=20, choices=Stage.choices, default=Stage.IDEA)
    visibility = models.CharField(_("visibility"), max_length=10, choices=Visibility.choices, default=Visibility.PUBLIC)
    lead_organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("lead organisation"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="led_projects",
    )
    starts_on = models.DateField(_("start"), null=True, blank=True)
    ends_on = models.DateField(_("planned end"), null=True, blank=True)
    budget_rub = models.DecimalField(
        _("budget, roubles"),
        max_digits=14,
        decimal_places=2,
        null=True,
        blank=True,
        help_text=_("Visible to cluster staff only."),
    )
    staff_notes = models.TextField(_("staff notes"), blank=True, help_text=_("Visible to cluster staff only."))
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = ProjectQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("joint project")
        verbose_name_plural = _("joint projects")
        indexes = [
            models.Index(fields=["association", "stage"], name="project_assoc_stage_idx"),
            models.Index(fields=["stage"], name="project_stage_idx"),
            models.Index(fields=["visibility", "-created_at"], name="project_visibility_idx"),
            models.Index(fields=["-created_at", "-id"], name="project_created_id_idx"),
            models.Index(fields=["title", "id"], name="project_title_id_idx"),
            *PROJECT_SEARCH.indexes(),
        ]
        constraints = [
            models.CheckConstraint(
                name="project_ends_after_start",
                condition=Q(ends_on__isnull=True) | Q(starts_on__isnull=True) | Q(ends_on__gte=models.F("starts_on")),
                violation_error_message=_("The planned end cannot be before the start."),
            ),
        ]

    def __str__(self):
        return self.localized_title

    def get_absolute_url(self):
        return reverse("projects:project-detail", args=[self.slug])

    @property
    def localized_title(self):
        return localized(self, "title")

    @property
    def localized_summary(self):
        return localized(self, "summary")

    def change_stage(self, to: str, *, by, comment: str = "") -> "StageChange":
        """Move the project to another stage once, and record who, when and why (core.transitions)."""
        return STAGE_WORKFLOW.change(
            self,
            to,
            values={"updated_at": timezone.now()},
            record=lambda from_stage: StageChange.objects.create(
                project=self, from_stage=from_stage, to_stage=to, changed_by=by, comment=comment
            ),
            actor=by,
        )


class ParticipantRole(models.TextChoices):
    LEAD = "lead", _("Lead organisation")
    DEVELOPER = "developer", _("Developer")
    MANUFACTURER = "manufacturer", _("Manufacturer")
    RESEARCH = "research", _("Research partner")
    CUSTOMER = "customer", _("Customer / pilot site")
    INFRASTRUCTURE = "infrastructure", _("Infrastructure partner")
    INVESTOR = "investor", _("Investor")


class ProjectParticipant(models.Model):
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="participants")
    organisation = models.ForeignKey(
        Organisation, verbose_name=_("organisation"), on_delete=models.CASCADE, related_name="project_participations"
    )
    role = models.CharField(
        _("role"), max_length=20, choices=ParticipantRole.choices, default=ParticipantRole.DEVELOPER
    )
    joined_on = models.DateField(_("joined"), default=timezone.localdate)

    class Meta:
        ordering = ["project", "role", "organisation"]
        verbose_name = _("project participant")
        verbose_name_plural = _("project participants")
        constraints = [
            models.UniqueConstraint(fields=["project", "organisation"], name="one_participation_per_project"),
            # The lead is the project's lead organisation (projects.services keeps them together;
            # on PostgreSQL a foreign key from the project to this row holds it, see migration 0001).
            models.UniqueConstraint(
                fields=["project"],
                condition=Q(role="lead"),
                name="one_lead_per_project",
                violation_error_message=_("The project has a lead organisation already."),
            ),
        ]

    def __str__(self):
        return f"{self.organisation} ({self.get_role_display()})"


class StageChange(models.Model):
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="stage_changes")
    from_stage = models.CharField(max_length=20, choices=Stage.choices, blank=True)
    to_stage = models.CharField(max_length=20, choices=Stage.choices)
    changed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True)
    comment = models.TextField(_("comment"), blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("stage change")
        verbose_name_plural = _("stage changes")

    def __str__(self):
        return f"{self.project}: {self.from_stage or '∅'} → {self.to_stage}"


class MilestoneState(models.TextChoices):
    PLANNED = "planned", _("Planned")
    IN_PROGRESS = "in_progress", _("In progress")
    DONE = "done", _("Done")
    MISSED = "missed", _("Missed")


class Milestone(models.Model):
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="milestones")
    title = models.CharField(_("title"), max_length=250)
    due_on = models.DateField(_("due"))
    state = models.CharField(_("state"), max_length=20, choices=MilestoneState.choices, default=MilestoneState.PLANNED)
    completed_on = models.DateField(_("completed"), null=True, blank=True)

    class Meta:
        ordering = ["project", "due_on", "pk"]
        verbose_name = _("milestone")
        verbose_name_plural = _("milestones")

    def __str__(self):
        return self.title

    def clean(self):
        if self.state == MilestoneState.DONE and not self.completed_on:
            raise ValidationError({"completed_on": _("Enter the date the milestone was completed.")})


# A request proposes how to take part; the lead is chosen in the project's own form.
REQUESTABLE_ROLES = [(value, label) for value, label in ParticipantRole.choices if value != ParticipantRole.LEAD]


class ParticipationRequest(models.Model):
    """A member organisation asks to take part in a project; decided once, by a coordinator or the lead."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="participation_requests")
    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("organisation"),
        on_delete=models.CASCADE,
        related_name="participation_requests",
    )
    role = models.CharField(
        _("proposed role"), max_length=20, choices=REQUESTABLE_ROLES, default=ParticipantRole.DEVELOPER
    )
    message = models.TextField(_("what the organisation offers"), max_length=2000)
    status = models.CharField(_("status"), max_length=10, choices=RequestStatus.choices, default=RequestStatus.PENDING)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="participation_requests"
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    decision_comment = models.TextField(_("comment"), blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("participation request")
        verbose_name_plural = _("participation requests")
        constraints = [
            models.UniqueConstraint(
                fields=["project", "organisation"],
                condition=Q(status="pending"),
                name="one_pending_participation_request",
                violation_error_message=_("The organisation has already asked to take part in this project."),
            ),
        ]

    def __str__(self):
        return f"{self.organisation} → {self.project} ({self.get_status_display()})"

    def decide(self, *, accept: bool, by, comment: str = "") -> None:
        """Accept (adding the participant) or decline, once (core.transitions: Refused otherwise)."""
        status = RequestStatus.ACCEPTED if accept else RequestStatus.DECLINED

        def add_participant(_from):
            if accept:
                ProjectParticipant.objects.get_or_create(
                    project_id=self.project_id, organisation_id=self.organisation_id, defaults={"role": self.role}
                )

        REQUEST_WORKFLOW.change(
            self,
            status,
            values={"decided_by": by, "decided_at": timezone.now(), "decision_comment": comment},
            record=add_participant,
        )


class ProjectDocument(Document):
    """A document of a project, seen by whoever sees the project (core.documents)."""

    POLICY = DocumentPolicy(types=(PDF, DOCX, XLSX, PPTX, ODT, ODS, PNG, JPEG, TEXT), max_size=10 * 1024 * 1024)
    owner_field = "project"
    storage_folder = "projects"

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="documents")
    title = models.CharField(_("title"), max_length=250)

    class Meta(Document.Meta):
        verbose_name = _("project document")
        verbose_name_plural = _("project documents")

    def __str__(self):
        return self.title
