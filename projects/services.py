"""Every change to a project, its participants, milestones and documents, and requests to take part.

Typed, keyword-only functions taking plain values: they check who asks, keep what the model
promises, and write in one transaction.

A project has at most one lead, and its lead organisation takes part in it with the role
"lead" (participant lists and the region filter rely on it). `_set_lead` is the only code that
changes either; the database holds it too (a partial unique index on the lead participant, and
on PostgreSQL a foreign key from the project's lead to its participant row).
"""

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction

from associations.models import Association
from core import permissions, ratelimit
from core.documents import CheckedUpload
from core.transitions import Refusal, Refused, RequestStatus
from members.models import Organisation
from notifications.services import notify

from .models import (
    Milestone,
    ParticipantRole,
    ParticipationRequest,
    Project,
    ProjectDocument,
    ProjectParticipant,
    StageChange,
)

# The fields of a project its managers edit (the lead and the directions are arguments of their own).
PROJECT_FIELDS = (
    "association",
    "title",
    "title_en",
    "slug",
    "summary",
    "summary_en",
    "description",
    "description_en",
    "visibility",
    "starts_on",
    "ends_on",
    "budget_rub",
    "staff_notes",
)
MILESTONE_FIELDS = ("title", "due_on", "state", "completed_on")


def _ensure_manager(user, project: Project) -> None:
    if not permissions.may_manage_project(user, project):
        raise PermissionDenied("only the association's coordinators and administrators manage its projects")


def _ensure_may_take_part(organisation: Organisation | None, *, project: Project | None = None) -> None:
    """Only cluster members take part in projects (a current lead may stay while the project is edited)."""
    if organisation is None or (project is not None and organisation.pk == project.lead_organisation_id):
        return
    if not permissions.may_take_part(organisation):
        raise Refused(Refusal.INVALID, "only member organisations of the cluster take part in projects")


def _only(fields: dict, allowed: tuple) -> dict:
    unknown = set(fields) - set(allowed)
    if unknown:
        raise TypeError(f"unknown fields: {', '.join(sorted(unknown))}")
    return fields


def _set_lead(project: Project, organisation_id: int | None) -> None:
    """Make `organisation_id` the lead (or leave the project without one); a former lead stays as a developer."""
    project.participants.filter(role=ParticipantRole.LEAD).exclude(organisation_id=organisation_id or 0).update(
        role=ParticipantRole.DEVELOPER
    )
    if organisation_id:
        ProjectParticipant.objects.update_or_create(
            project=project, organisation_id=organisation_id, defaults={"role": ParticipantRole.LEAD}
        )
    if project.lead_organisation_id != organisation_id:
        project.lead_organisation_id = organisation_id
        project.save(update_fields=["lead_organisation"])


def project_create(
    *, user, association: Association, directions, lead_organisation: Organisation | None = None, **fields
) -> Project:
    """A new project of an association the user coordinates; its first stage is recorded."""
    if not permissions.may_coordinate(user, association.pk):
        raise PermissionDenied("only the association's coordinators and administrators add its projects")
    _ensure_may_take_part(lead_organisation)
    project = Project(association=association, **_only(fields, PROJECT_FIELDS))
    project.full_clean(exclude=["lead_organisation"])
    with transaction.atomic():
        project.save()
        project.directions.set(directions)
        StageChange.objects.create(project=project, from_stage="", to_stage=project.stage, changed_by=user)
        _set_lead(project, lead_organisation.pk if lead_organisation else None)
    return project


def project_update(
    *, project: Project, user, directions, lead_organisation: Organisation | None = None, **fields
) -> Project:
    """Save the edited fields, the directions and the lead.

    Only these fields are written: a full save of the copy loaded earlier would put back the stage
    it had then, undoing a stage change made meanwhile (and contradicting its history).
    """
    _ensure_manager(user, project)
    association = fields.get("association", project.association)
    if association.pk != project.association_id and not permissions.may_coordinate(user, association.pk):
        raise PermissionDenied("the project can move only to an association the user coordinates")
    _ensure_may_take_part(lead_organisation, project=project)
    for name, value in _only(fields, PROJECT_FIELDS).items():
        setattr(project, name, value)
    project.full_clean(exclude=["lead_organisation"])
    with transaction.atomic():
        project.save(update_fields=[*fields, "updated_at"])
        project.directions.set(directions)
        _set_lead(project, lead_organisation.pk if lead_organisation else None)
    return project


def project_change_stage(*, project: Project, user, stage: str, comment: str = "") -> StageChange:
    """Move the project to another stage once; Refused says why when it cannot (core.transitions)."""
    _ensure_manager(user, project)
    return project.change_stage(stage, by=user, comment=comment)


def participant_add(*, project: Project, user, organisation: Organisation, role: str) -> ProjectParticipant:
    """Add an organisation to the project. Added as the lead, it becomes the project's lead
    organisation and the former lead stays as a developer. Adding it twice adds it once."""
    _ensure_manager(user, project)
    if role not in ParticipantRole.values:
        raise Refused(Refusal.INVALID, f"unknown role {role!r}")
    _ensure_may_take_part(organisation, project=project)
    with transaction.atomic():
        if role == ParticipantRole.LEAD:
            _set_lead(project, organisation.pk)
            return project.participants.get(organisation=organisation)
        participant, _created = ProjectParticipant.objects.get_or_create(
            project=project, organisation=organisation, defaults={"role": role}
        )
    return participant


def participant_remove(*, participant: ProjectParticipant, user) -> None:
    """Remove a participant; the lead organisation is replaced in the project's form first."""
    project = participant.project
    _ensure_manager(user, project)
    if participant.organisation_id == project.lead_organisation_id:
        raise Refused(Refusal.NOT_ALLOWED, "the lead organisation cannot be removed")
    participant.delete()


def milestone_save(*, project: Project, user, milestone: Milestone | None = None, **fields) -> Milestone:
    """Add a milestone, or change one of this project's."""
    _ensure_manager(user, project)
    if milestone is None:
        milestone = Milestone(project=project)
    elif milestone.project_id != project.pk:
        raise PermissionDenied("the milestone belongs to another project")
    for name, value in _only(fields, MILESTONE_FIELDS).items():
        setattr(milestone, name, value)
    milestone.full_clean()
    milestone.save()
    return milestone


def document_add(*, project: Project, user, title: str, checked: CheckedUpload) -> ProjectDocument:
    """Store a document checked by content (core.documents) under a name the portal chooses."""
    _ensure_manager(user, project)
    document = ProjectDocument(project=project, title=title)
    with transaction.atomic():
        document.store(checked, user=user)
    return document


# Requests to take part


def requesting_organisations(*, project: Project, user):
    """The user's organisations that are cluster members and neither take part nor have a pending request."""
    if not permissions.is_signed_in(user):
        return Organisation.objects.none()
    taking_part = ProjectParticipant.objects.filter(project=project).values("organisation_id")
    pending = ParticipationRequest.objects.filter(project=project, status=RequestStatus.PENDING).values(
        "organisation_id"
    )
    members = Organisation.objects.filter(memberships__status=permissions.ACTIVE_MEMBERSHIP).values("pk")
    return (
        Organisation.objects.filter(pk__in=permissions.represented_organisation_ids(user))
        .filter(pk__in=members)
        .exclude(pk__in=taking_part)
        .exclude(pk__in=pending)
        .exclude(pk=project.lead_organisation_id or 0)
        .order_by("sort_name", "pk")
    )


def _params(request: ParticipationRequest) -> dict:
    project = request.project
    return {
        "request_id": request.pk,
        "project": project.title,
        "project_en": project.title_en or project.title,
        "organisation": request.organisation.short_name,
        "inn": request.organisation.inn,
        "role": request.role,
        "message": request.message,
        "status": request.status,
        "comment": request.decision_comment,
    }


def participation_request_create(
    *, project: Project, organisation: Organisation, user, role: str, message: str
) -> ParticipationRequest:
    """A member organisation asks to take part; the deciders are told, in the same transaction."""
    if role == ParticipantRole.LEAD or role not in ParticipantRole.values:
        raise Refused(Refusal.INVALID, f"a request cannot propose the role {role!r}")
    if not requesting_organisations(project=project, user=user).filter(pk=organisation.pk).exists():
        raise Refused(Refusal.NOT_ALLOWED, "the organisation may not ask to take part in this project")
    ratelimit.check("participation_request", organisation.pk)
    try:
        with transaction.atomic():
            request = ParticipationRequest.objects.create(
                project=project, organisation=organisation, role=role, message=message, requested_by=user
            )
            params = _params(request)
            for person in permissions.participation_deciders(project):
                notify(
                    recipient=person,
                    kind="project_participation_requested",
                    params=params,
                    url=project.get_absolute_url() + "#requests",
                )
    except IntegrityError as exc:  # a pending request was created meanwhile
        raise Refused(Refusal.STALE, "the organisation has already asked to take part") from exc
    return request


def participation_request_decide(*, request: ParticipationRequest, user, accept: bool, comment: str = "") -> None:
    """Accept or decline once; the requesting organisation and the other deciders are told.

    Refused (nothing changed or sent) when someone else decided first.
    """
    project = request.project
    if not permissions.may_decide_participation(user, project):
        raise PermissionDenied
    with transaction.atomic():
        request.decide(accept=accept, by=user, comment=comment)
        params = _params(request)
        recipients = {person.pk: person for person in permissions.representatives_of(request.organisation_id)}
        for person in permissions.participation_deciders(project):
            recipients.setdefault(person.pk, person)
        recipients.pop(user.pk, None)
        for person in recipients.values():
            notify(
                recipient=person, kind="project_participation_decided", params=params, url=project.get_absolute_url()
            )
