"""Project workflows that span models or notify people (typed, keyword-only)."""

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.db.models import Q

from members.models import MembershipStatus, Organisation, Representative
from notifications.services import notify

from .models import (
    ParticipantRole,
    ParticipationRequest,
    ParticipationStatus,
    Project,
    ProjectDocument,
    ProjectParticipant,
    StageChange,
)


class ParticipationError(Exception):
    """The request cannot be made or decided (explained in the message)."""


def project_save(*, form, user) -> Project:
    """Create or update a project from a valid ProjectForm; a new project's first stage is recorded."""
    creating = form.instance.pk is None
    with transaction.atomic():
        if creating:
            project = form.save()
            StageChange.objects.create(project=project, from_stage="", to_stage=project.stage, changed_by=user)
        else:
            # Only the form's fields: a full save of the copy loaded earlier would put back the stage
            # it had then, undoing a stage change made meanwhile (and contradicting its history).
            project = form.save(commit=False)
            edited = [name for name in form._meta.fields if name != "directions"]
            project.save(update_fields=[*edited, "lead_organisation", "updated_at"])
            form.save_m2m()
        # A former lead stays in the project as a developer; there is one lead.
        project.participants.filter(role=ParticipantRole.LEAD).exclude(
            organisation_id=project.lead_organisation_id or 0
        ).update(role=ParticipantRole.DEVELOPER)
        if project.lead_organisation_id:
            # The lead takes part too: participant lists and the region filter rely on it.
            ProjectParticipant.objects.update_or_create(
                project=project, organisation_id=project.lead_organisation_id, defaults={"role": ParticipantRole.LEAD}
            )
    return project


def requesting_organisations(*, project: Project, user):
    """The user's organisations that are cluster members and neither take part nor have a pending request."""
    if not user.is_authenticated:
        return Organisation.objects.none()
    taking_part = ProjectParticipant.objects.filter(project=project).values("organisation_id")
    pending = ParticipationRequest.objects.filter(project=project, status=ParticipationStatus.PENDING).values(
        "organisation_id"
    )
    return (
        Organisation.objects.filter(representatives__user=user)
        .filter(pk__in=Organisation.objects.filter(memberships__status=MembershipStatus.ACTIVE).values("pk"))
        .exclude(pk__in=taking_part)
        .exclude(pk__in=pending)
        .exclude(pk=project.lead_organisation_id or 0)
        .order_by("short_name")
    )


def participation_deciders(project: Project):
    """Coordinators of the association and the lead organisation's representatives (administrators if none)."""
    User = get_user_model()
    lead_users = Representative.objects.filter(organisation_id=project.lead_organisation_id).values("user_id")
    people = User.objects.filter(
        Q(coordinated_associations=project.association_id) | Q(pk__in=lead_users), is_active=True
    ).distinct()
    if people.exists():
        return people
    return User.objects.filter(is_active=True, is_superuser=True)


def organisation_people(organisation_id: int):
    User = get_user_model()
    user_ids = Representative.objects.filter(organisation_id=organisation_id).values("user_id")
    return User.objects.filter(pk__in=user_ids, is_active=True)


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
    if not requesting_organisations(project=project, user=user).filter(pk=organisation.pk).exists():
        raise ParticipationError("the organisation may not ask to take part in this project")
    try:
        with transaction.atomic():
            request = ParticipationRequest.objects.create(
                project=project, organisation=organisation, role=role, message=message, requested_by=user
            )
            params = _params(request)
            for person in participation_deciders(project):
                notify(
                    recipient=person,
                    kind="project_participation_requested",
                    params=params,
                    url=project.get_absolute_url() + "#requests",
                )
    except IntegrityError as exc:  # a pending request was created meanwhile
        raise ParticipationError("the organisation has already asked to take part") from exc
    return request


def participation_request_decide(*, request: ParticipationRequest, user, accept: bool, comment: str = "") -> bool:
    """Accept or decline once; the requesting organisation and the other deciders are told.

    Returns False when someone else decided first (nothing is changed or sent then).
    """
    project = request.project
    if not project.is_decided_by(user):
        raise PermissionDenied
    with transaction.atomic():
        if not request.decide(accept=accept, by=user, comment=comment):
            return False
        params = _params(request)
        recipients = {person.pk: person for person in organisation_people(request.organisation_id)}
        for person in participation_deciders(project):
            recipients.setdefault(person.pk, person)
        recipients.pop(user.pk, None)
        for person in recipients.values():
            notify(
                recipient=person, kind="project_participation_decided", params=params, url=project.get_absolute_url()
            )
    return True


def document_add(*, project: Project, user, title: str, upload) -> ProjectDocument:
    return ProjectDocument.objects.create(
        project=project,
        title=title,
        file=upload,
        original_name=upload.name[:255],
        content_type=(getattr(upload, "content_type", "") or "application/octet-stream")[:100],
        size=upload.size,
        uploaded_by=user,
    )
