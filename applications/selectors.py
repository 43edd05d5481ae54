"""Reads of applications for the pages and the API, scoped to the user who asks."""

from django.contrib.auth import get_user_model
from django.db.models import Prefetch

from core import versioned_cache
from members.models import JoinRequest, Representative

from .models import ApplicationEvent, MembershipApplication

# Applications and the people behind them: what the cabinet's lists and the review queue's count
# are made of besides organisations and associations. A change to any of these rows bumps the
# group for everyone (a per-user group would need each change to find its users); a sign-in,
# which writes only `last_login`, bumps nothing.
APPLICATION_GROUP = "applications"


def watch_application_sources() -> None:
    """Connect the group's models (`ApplicationsConfig.ready`); the decide-once status changes and
    the privacy service's UPDATEs call `versioned_cache.model_changed` themselves."""
    versioned_cache.watch(MembershipApplication, APPLICATION_GROUP)
    versioned_cache.watch(MembershipApplication.directions.through, APPLICATION_GROUP)
    versioned_cache.watch(JoinRequest, APPLICATION_GROUP)
    versioned_cache.watch(Representative, APPLICATION_GROUP)
    versioned_cache.watch(get_user_model(), APPLICATION_GROUP, unless_only=("last_login",))


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
