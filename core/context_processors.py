from functools import cache

from . import permissions


def permissions_context(request):
    """What the layout asks of the permissions, answered lazily and once per request."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}

    @cache
    def can_review():
        return permissions.may_review(user)

    @cache
    def can_view_applications():
        # `may_view_applications` is `sees_everything or may_review`: the cached review answer spares
        # the layout the coordinator query a second time (tests/test_staff_applications.py holds them equal).
        return permissions.sees_everything(user) or can_review()

    @cache
    def can_use_staff_tools():
        # `may_use_staff_tools` is `sees_everything or is_coordinator`; reusing the review answer
        # saves the coordinator query a second time.
        return permissions.sees_everything(user) or can_review()

    @cache
    def can_read_history():
        # `may_read_history` asks what `may_use_staff_tools` asks (administrators, staff, coordinators):
        # the cached answer spares the layout a query (tests/test_audit.py holds the two equal).
        return can_use_staff_tools()

    return {
        "user_can_review": can_review,
        "user_can_view_applications": can_view_applications,
        "user_can_use_staff_tools": can_use_staff_tools,
        "user_can_read_history": can_read_history,
    }
