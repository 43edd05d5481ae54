from functools import cache

from .models import Notification


def unread_notifications(request):
    """The unread count and whether to show the review queue, computed once and only when a template asks."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}

    @cache
    def count():
        return Notification.objects.for_user(user).unread().count()

    @cache
    def can_review():
        return user.is_active and (user.is_superuser or user.coordinated_associations.exists())

    return {"unread_notifications_count": count, "user_can_review": can_review}
