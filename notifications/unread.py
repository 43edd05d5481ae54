"""The layout's unread count, kept in the cache per user until one of their notifications changes.

Every signed-in page shows it; counting on every request was one query a page. A notification
written or deleted (signals) and the inbox's marking as read (an UPDATE: `unread_changed`) bump
the user's own group (`core.versioned_cache`), so the count is fresh on the next page. The cache
down: the count is read from the table, as before.
"""

from django.db.models.signals import post_delete, post_save

from core import versioned_cache

from .models import Notification


def user_group(user_id: int) -> str:
    """The group of everything kept about one user's notifications (`versioned_cache`)."""
    return f"notifications:{user_id}"


def unread_count(user) -> int:
    return versioned_cache.cached(
        f"unread:{user.pk}", (user_group(user.pk),), lambda: Notification.objects.for_user(user).unread().count()
    )


def unread_changed(user_id: int | None) -> None:
    if user_id:
        versioned_cache.bump(user_group(user_id))


def _on_change(sender, instance, **kwargs) -> None:
    unread_changed(instance.recipient_id)


def watch_unread() -> None:
    """Connect the signals (`NotificationsConfig.ready`)."""
    post_save.connect(_on_change, sender=Notification, dispatch_uid="notifications.unread.save")
    post_delete.connect(_on_change, sender=Notification, dispatch_uid="notifications.unread.delete")
