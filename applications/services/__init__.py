"""Services of membership applications: `applicant` (the applicant's side), `review` (decisions),
`reminders` (the reviewers' digest), `notifications` (whom each step is told to).

The names most callers need are gathered here.
"""

from .applicant import (
    ApplicationBlocked,
    ApplicationIncomplete,
    DuplicateApplication,
    application_answer_information_request,
    application_blockers,
    application_create,
    application_submit,
    application_update,
    application_withdraw,
    attach_documents,
    document_remove,
    organisation_create_and_apply,
    reapply_available_from,
    shown_application_blockers,
)
from .notifications import application_people, application_reviewers, notify_application_event
from .reminders import review_reminders_send
from .review import (
    BulkDecision,
    application_approve,
    application_reject,
    application_request_information,
    application_take_into_review,
    applications_bulk_decide,
)

__all__ = [
    "ApplicationBlocked",
    "ApplicationIncomplete",
    "BulkDecision",
    "DuplicateApplication",
    "application_answer_information_request",
    "application_approve",
    "application_blockers",
    "application_create",
    "application_people",
    "application_reject",
    "application_request_information",
    "application_reviewers",
    "application_submit",
    "application_take_into_review",
    "application_update",
    "application_withdraw",
    "applications_bulk_decide",
    "attach_documents",
    "document_remove",
    "notify_application_event",
    "organisation_create_and_apply",
    "reapply_available_from",
    "review_reminders_send",
    "shown_application_blockers",
]
