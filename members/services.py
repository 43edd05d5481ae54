"""Workflows across models: they change state, write history and notify people.

Status changes themselves are model methods (`MembershipApplication.approve` …);
the services here wrap them with permission checks and notifications, inside one
transaction, so that a notification exists exactly when its event does.
"""

from django.contrib.auth import get_user_model
from django.db.models import Q
from django.urls import NoReverseMatch, reverse

from notifications.services import notify

from .models import ApplicationEvent, ApplicationStatus, MembershipApplication, Representative


def application_reviewers(application: MembershipApplication):
    """Coordinators of the application's association, or the administrators when it has none."""
    User = get_user_model()
    coordinators = User.objects.filter(is_active=True, coordinated_associations=application.association_id)
    if coordinators.exists():
        return coordinators
    return User.objects.filter(is_active=True, is_superuser=True)


def application_people(application: MembershipApplication):
    """The users who act for the applying organisation."""
    User = get_user_model()
    user_ids = Representative.objects.filter(organisation_id=application.organisation_id).values("user_id")
    return User.objects.filter(Q(pk__in=user_ids) | Q(pk=application.applicant_id), is_active=True).distinct()


def _url(name: str, pk: int) -> str:
    try:
        return reverse(name, args=[pk])
    except NoReverseMatch:
        return ""


def notify_application_event(event: ApplicationEvent) -> None:
    """Write the notifications an application's status change calls for.

    submitted        → a receipt to the applicant side, a notice to the reviewers
                       (a resubmission after an information request goes to the assigned reviewer)
    info_requested,
    approved,
    rejected         → the applicant side, with the comment
    withdrawn        → the reviewers (the assigned one if any)
    """
    application = event.application
    params = {
        "application_id": application.pk,
        "organisation": application.organisation.short_name,
        "inn": application.organisation.inn,
        "association": application.association.name,
        "association_en": application.association.name_en or application.association.name,
        "comment": event.comment,
        "from_status": event.from_status,
        "to_status": event.to_status,
    }
    applicant_url = _url("members:application-detail", application.pk)
    review_url = _url("members:review-detail", application.pk)
    to = event.to_status
    if to == ApplicationStatus.SUBMITTED:
        for user in application_people(application):
            notify(recipient=user, kind="application_received", params=params, url=applicant_url)
        if event.from_status == ApplicationStatus.INFO_REQUESTED and application.assigned_to_id:
            reviewers = get_user_model().objects.filter(pk=application.assigned_to_id, is_active=True)
        else:
            reviewers = application_reviewers(application)
        for user in reviewers:
            notify(recipient=user, kind="application_submitted", params=params, url=review_url)
    elif to in (ApplicationStatus.INFO_REQUESTED, ApplicationStatus.APPROVED, ApplicationStatus.REJECTED):
        kind = {
            ApplicationStatus.INFO_REQUESTED: "application_info_requested",
            ApplicationStatus.APPROVED: "application_approved",
            ApplicationStatus.REJECTED: "application_rejected",
        }[to]
        for user in application_people(application):
            notify(recipient=user, kind=kind, params=params, url=applicant_url)
    elif to == ApplicationStatus.WITHDRAWN and event.from_status != ApplicationStatus.DRAFT:
        if application.assigned_to_id:
            reviewers = get_user_model().objects.filter(pk=application.assigned_to_id, is_active=True)
        else:
            reviewers = application_reviewers(application)
        for user in reviewers:
            notify(recipient=user, kind="application_withdrawn", params=params, url=review_url)
