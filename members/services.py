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


# Reviewing: decisions of coordinators and administrators (issue 4).
# Each step wraps the model method and the notifications in one transaction, so a
# notification exists exactly when its event does. Imports are local to keep this
# section independent of the applicant side's imports.


class ReviewNotAllowed(Exception):
    """The application cannot take this step (its status does not allow it, or it changed meanwhile)."""


def _ensure_reviewer(application: MembershipApplication, reviewer) -> None:
    from django.core.exceptions import PermissionDenied

    if not MembershipApplication.objects.reviewable_by(reviewer).filter(pk=application.pk).exists():
        raise PermissionDenied("not a reviewer of this application")


def _review_step(application: MembershipApplication, reviewer, step) -> ApplicationEvent:
    from django.db import IntegrityError, transaction

    from .models import TransitionError

    _ensure_reviewer(application, reviewer)
    try:
        with transaction.atomic():
            event = step()
            notify_application_event(event)
    except TransitionError as exc:
        raise ReviewNotAllowed(str(exc)) from exc
    except IntegrityError as exc:  # the organisation became a member meanwhile
        raise ReviewNotAllowed("the organisation is already an active member") from exc
    return event


def application_take_into_review(*, application: MembershipApplication, reviewer, internal_note: str = ""):
    """Assign the application to the reviewer: submitted → in review."""
    return _review_step(
        application, reviewer, lambda: application.take_into_review(by=reviewer, internal_note=internal_note)
    )


def application_request_information(
    *, application: MembershipApplication, reviewer, comment: str, internal_note: str = ""
):
    """Ask the applicant for more information: in review → information requested (comment required)."""
    return _review_step(
        application,
        reviewer,
        lambda: application.request_information(by=reviewer, comment=comment, internal_note=internal_note),
    )


def application_approve(*, application: MembershipApplication, reviewer, comment: str = "", internal_note: str = ""):
    """Approve: in review → approved, and the organisation becomes a member, in one transaction."""
    return _review_step(
        application, reviewer, lambda: application.approve(by=reviewer, comment=comment, internal_note=internal_note)
    )


def application_reject(*, application: MembershipApplication, reviewer, comment: str, internal_note: str = ""):
    """Reject with a reason the applicant receives: in review → rejected."""
    return _review_step(
        application, reviewer, lambda: application.reject(by=reviewer, comment=comment, internal_note=internal_note)
    )


class BulkDecision:
    APPROVE = "approve"
    REJECT = "reject"


def applications_bulk_decide(
    *, reviewer, application_ids, decision: str, comment: str = "", internal_note: str = ""
) -> tuple[list, list]:
    """Approve or reject several applications, each in its own transaction.

    Submitted applications are first taken into review by the reviewer (both steps are
    recorded), as the workflow decides only from "in review". Returns (decided,
    not_decided): the decided applications, and (application id, application or None,
    reason) for every one that could not be decided — none is skipped silently.
    """
    from django.utils.translation import gettext

    if decision not in (BulkDecision.APPROVE, BulkDecision.REJECT):
        raise ValueError(f"unknown decision {decision!r}")
    if decision == BulkDecision.REJECT and not comment.strip():
        raise ValueError("a reason is required to reject applications")
    ids = list(dict.fromkeys(int(pk) for pk in application_ids))
    found = MembershipApplication.objects.reviewable_by(reviewer).select_related("organisation", "association")
    found = found.in_bulk(ids)
    decided, not_decided = [], []
    for pk in ids:
        application = found.get(pk)
        if application is None:
            not_decided.append((pk, None, gettext("not found among the applications you review")))
            continue
        try:
            _bulk_one(application, reviewer, decision, comment, internal_note)
        except ReviewNotAllowed:
            application.refresh_from_db(fields=["status"])
            not_decided.append(
                (
                    pk,
                    application,
                    gettext("its status is now “%(status)s”, which does not allow this decision")
                    % {"status": application.get_status_display()},
                )
            )
        else:
            decided.append(application)
    return decided, not_decided


def _bulk_one(application, reviewer, decision, comment, internal_note):
    from django.db import transaction

    def step():
        with transaction.atomic():
            if application.status == ApplicationStatus.SUBMITTED:
                application.take_into_review(by=reviewer)
            if decision == BulkDecision.APPROVE:
                return application.approve(by=reviewer, comment=comment, internal_note=internal_note)
            return application.reject(by=reviewer, comment=comment, internal_note=internal_note)

    return _review_step(application, reviewer, step)


def review_reminders_send(*, now=None) -> int:
    """One digest a day to each reviewer of the applications waiting longer than APPLICATION_REMINDER_AFTER.

    1. Applications submitted or in review whose status has not changed for that long.
    2. An application in review goes to its assigned reviewer; otherwise to the association's
       reviewers (coordinators, or the administrators when it has none).
    3. The notification's dedupe key (one per reviewer and day) keeps a second run the
       same day from sending again. Returns the number of digests written.
    """
    from collections import defaultdict

    from django.conf import settings
    from django.db import IntegrityError, transaction
    from django.utils import timezone

    from .models import PENDING_REVIEW_STATUSES

    now = now or timezone.now()
    after = settings.APPLICATION_REMINDER_AFTER
    overdue = (
        MembershipApplication.objects.filter(status__in=PENDING_REVIEW_STATUSES, status_changed_at__lt=now - after)
        .select_related("organisation", "association")
        .order_by("status_changed_at", "pk")
    )
    User = get_user_model()
    association_reviewers = {}
    by_reviewer = defaultdict(list)
    for application in overdue:
        if application.status == ApplicationStatus.IN_REVIEW and application.assigned_to_id:
            reviewer_ids = [application.assigned_to_id]
        else:
            if application.association_id not in association_reviewers:
                association_reviewers[application.association_id] = list(
                    application_reviewers(application).values_list("pk", flat=True)
                )
            reviewer_ids = association_reviewers[application.association_id]
        for reviewer_id in reviewer_ids:
            by_reviewer[reviewer_id].append(application)
    users = User.objects.filter(is_active=True).in_bulk(list(by_reviewer))
    key = f"review-reminder:{timezone.localdate(now).isoformat()}"
    written = 0
    for reviewer_id, applications in by_reviewer.items():
        user = users.get(reviewer_id)
        if user is None or user.notifications.filter(dedupe_key=key).exists():
            continue
        items = [
            {
                "id": a.pk,
                "organisation": a.organisation.short_name,
                "association": a.association.name,
                "association_en": a.association.name_en,
                "waiting_days": (now - a.status_changed_at).days,
                "url": _url("members:review-detail", a.pk),
            }
            for a in applications
        ]
        params = {"count": len(items), "after_hours": int(after.total_seconds() // 3600), "applications": items}
        try:
            with transaction.atomic():
                notify(
                    recipient=user,
                    kind="application_reminder_digest",
                    params=params,
                    url=reverse("members:review-queue"),
                    dedupe_key=key,
                )
        except IntegrityError:  # another run wrote today's digest at the same moment
            continue
        written += 1
    return written


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
