"""Decisions of coordinators and administrators on applications.

Each step wraps the model method and its notifications in one transaction, so a notification
exists exactly when its event does. A step another reviewer took first is refused (core.transitions).
"""

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.utils.translation import gettext

from core import permissions
from core.transitions import Refusal, Refused

from ..models import ApplicationEvent, ApplicationStatus, MembershipApplication
from .notifications import notify_application_event


def _ensure_reviewer(application: MembershipApplication, reviewer) -> None:
    if application.status == ApplicationStatus.DRAFT or not permissions.may_review_application(
        reviewer, association_id=application.association_id, organisation_id=application.organisation_id
    ):
        raise PermissionDenied("not a reviewer of this application")


def _review_step(application: MembershipApplication, reviewer, step) -> ApplicationEvent:
    _ensure_reviewer(application, reviewer)
    try:
        with transaction.atomic():
            event = step()
            notify_application_event(event)
    except IntegrityError as exc:  # the organisation became a member meanwhile
        raise Refused(Refusal.STALE, "the organisation is already an active member") from exc
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
    if decision not in (BulkDecision.APPROVE, BulkDecision.REJECT):
        raise Refused(Refusal.INVALID, f"unknown decision {decision!r}")
    if decision == BulkDecision.REJECT and not comment.strip():
        raise Refused(Refusal.INVALID, "a reason is required to reject applications")
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
            _review_step(
                application, reviewer, lambda a=application: _decide(a, reviewer, decision, comment, internal_note)
            )
        except Refused:
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


def _decide(application, reviewer, decision, comment, internal_note):
    if application.status == ApplicationStatus.SUBMITTED:
        application.take_into_review(by=reviewer)
    if decision == BulkDecision.APPROVE:
        return application.approve(by=reviewer, comment=comment, internal_note=internal_note)
    return application.reject(by=reviewer, comment=comment, internal_note=internal_note)
