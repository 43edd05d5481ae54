from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from core.permissions import may_read_history

from .selectors import history_page


@login_required
@require_GET
def history(request: HttpRequest) -> HttpResponse:
    """The audit log: who changed what and when, filtered; each reader sees what concerns them."""
    if not may_read_history(request.user):
        raise PermissionDenied
    form, page = history_page(request.user, request.GET)
    return render(request, "audit/history.html", {"form": form, "page": page})
