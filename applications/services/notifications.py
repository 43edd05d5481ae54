"""Whom an application's step is told to, and the notifications it writes (in the step's transaction)."""

from django.urls import reverse

from core import permissions
from notifications.services import notify

from ..models import ApplicationEvent, ApplicationStatus, MembershipApplication

DECISION_KINDS = {
    ApplicationStatus.INFO_REQUESTED: "application_info_requested",
    ApplicationStatus.APPROVED: "application_approved",
    ApplicationStatus.REJECTED: "application_rejected",
}


def application_people(application: MembershipApplication):
    """The users who act for the applying organisation now (not an applicant who has left it)."""
    return permissions.representatives_of(application.organisation_id)


def application_reviewers(application: MembershipApplication):
    return permissions.reviewers_of(
        association_id=application.association_id, organisation_id=application.organisation_id
    )


def assigned_reviewer(application: MembershipApplication):
    """The assigned reviewer while they may still review the application (active, still its coordinator)."""
    if not application.assigned_to_id:
        return None
    assigned = permissions.active_users().filter(pk=application.assigned_to_id).first()
    if assigned and permissions.may_review_application(
        assigned, association_id=application.association_id, organisation_id=application.organisation_id
    ):
        return assigned
    return None


def notify_application_event(event: ApplicationEvent) -> None:
    """Write the notifications an application's status change calls for.

    submitted        → a receipt to the applicant side, a notice to the reviewers; after an
                       information request the applicant side is told the answer arrived and the
                       application is under review again (not a second receipt), and the notice
                       goes to the assigned reviewer if any
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
    applicant_url = reverse("applications:application-detail", args=[application.pk])
    review_url = reverse("applications:review-detail", args=[application.pk])
    to = event.to_status
    if to == ApplicationStatus.SUBMITTED:
        answered = event.from_status == ApplicationStatus.INFO_REQUESTED
        receipt = "application_answer_received" if answered else "application_received"
        for user in application_people(application):
            notify(recipient=user, kind=receipt, params=params, url=applicant_url)
        assigned = assigned_reviewer(application)
        if answered and assigned:
            reviewers = [assigned]
        else:
            reviewers = application_reviewers(application)
        for user in reviewers:
            notify(recipient=user, kind="application_submitted", params=params, url=review_url)
    elif to in DECISION_KINDS:
        for user in application_people(application):
            notify(recipient=user, kind=DECISION_KINDS[to], params=params, url=applicant_url)
    elif to == ApplicationStatus.WITHDRAWN and event.from_status != ApplicationStatus.DRAFT:
        assigned = assigned_reviewer(application)
        reviewers = [assigned] if assigned else application_reviewers(application)
        for user in reviewers:
            notify(recipient=user, kind="application_withdrawn", params=params, url=review_url)
