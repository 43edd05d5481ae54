from functools import cache

from .models import Notification


def unread_notifications(request):
    """The unread count, computed once and only when a template asks."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}

    @cache
    def count():
        return Notification.objects.for_user(user).unread().count()

    return {"unread_notifications_count": count}
