"""Reads of applications for the pages and the API, scoped to the user who asks."""

from django.db.models import Prefetch

from .models import ApplicationEvent, MembershipApplication


def applications_of_user(user):
    """The applications of the organisations the user acts for, newest first (the cabinet's list)."""
    return (
        MembershipApplication.objects.of_user(user)
        .select_related("organisation", "association")
        .order_by("-created_at", "-pk")
    )


def applicant_history():
    """An application's steps as its applicant sees them: the internal notes are never loaded."""
    return ApplicationEvent.objects.defer("internal_note").select_related("actor").order_by("created_at", "pk")


def applications_with_history(user):
    """`applications_of_user` with each one's history for the applicant (one more query for all)."""
    return applications_of_user(user).prefetch_related(
        Prefetch("events", queryset=applicant_history(), to_attr="applicant_events")
    )


def reviewable_applications(user):
    """The applications the user may decide on (`reviewable_by`), with what the queue shows."""
    return MembershipApplication.objects.reviewable_by(user).select_related(
        "organisation__region", "association", "assigned_to"
    )


def viewable_applications(user):
    """The applications the user may read under `/review/` (`viewable_by`: what they review, and every
    association's for cluster staff), with what the queue shows."""
    return MembershipApplication.objects.viewable_by(user).select_related(
        "organisation__region", "association", "assigned_to"
    )
