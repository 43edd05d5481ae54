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

    return {"user_can_review": can_review}
