"""The in-portal inbox at /cabinet/notifications/: the user's own notifications only.

And the outbox page for staff and administrators (/cabinet/notifications/outbox/): the e-mails
that failed or wait too long, with a button to send one again.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from core.pagination import keyset_page
from core.permissions import sees_everything

from .models import Notification
from .services import (
    notification_mark_read,
    notification_resend,
    notification_title,
    notifications_mark_all_read,
)

PAGE_SIZE = 30
OUTBOX_PAGE_SIZE = 50


@login_required
@require_GET
def inbox(request):
    notifications = (
        Notification.objects.for_user(request.user).select_related("recipient").order_by("-created_at", "-pk")
    )
    page = Paginator(notifications, PAGE_SIZE).get_page(request.GET.get("page"))
    items = [(n, notification_title(n)) for n in page.object_list]
    context = {"page": page, "items": items, "sees_outbox": sees_everything(request.user)}
    return render(request, "notifications/inbox.html", context)


@login_required
@require_POST
def open_notification(request, pk):
    """Mark as read and go to the page it tells of."""
    notification = get_object_or_404(Notification.objects.for_user(request.user), pk=pk)
    notification_mark_read(notification=notification, user=request.user)
    if notification.url and url_has_allowed_host_and_scheme(notification.url, allowed_hosts={request.get_host()}):
        return redirect(notification.url)
    return redirect("notifications:inbox")


@login_required
@require_POST
def mark_read(request, pk):
    notification = get_object_or_404(Notification.objects.for_user(request.user), pk=pk)
    notification_mark_read(notification=notification, user=request.user)
    return redirect("notifications:inbox")


@login_required
@require_POST
def mark_all_read(request):
    notifications_mark_all_read(user=request.user)
    return redirect("notifications:inbox")


def _require_outbox_viewer(user) -> None:
    if not sees_everything(user):
        raise PermissionDenied


@login_required
@require_GET
def outbox(request):
    """Failed e-mails and those still unsent long after they were written, newest first."""
    _require_outbox_viewer(request.user)
    rows = Notification.objects.needs_attention(now=timezone.now()).select_related("recipient")
    page = keyset_page(rows, ordering=("-created_at", "-pk"), params=request.GET, size=OUTBOX_PAGE_SIZE)
    items = [(n, notification_title(n)) for n in page.items]
    return render(request, "notifications/outbox.html", {"page": page, "items": items})


@login_required
@require_POST
def resend(request, pk):
    _require_outbox_viewer(request.user)
    if notification_resend(notification_id=pk, user=request.user):
        messages.success(request, _("The e-mail will be sent again."))
    else:
        messages.info(request, _("This e-mail is no longer waiting: it was sent or is being sent now."))
    return redirect("notifications:outbox")
