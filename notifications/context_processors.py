from functools import cache

from .unread import unread_count


def unread_notifications(request):
    """The unread count, computed once and only when a template asks (kept in the cache between
    requests: notifications/unread.py)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}

    @cache
    def count():
        return unread_count(user)

    return {"unread_notifications_count": count}
